#include "sync/record_builder.hpp"

#include <array>
#include <chrono>

#include <nlohmann/json.hpp>

#include "local/core/timestamp.hpp"
#include "sync/outbox_age.hpp"

namespace regua::sync {
namespace {

using nlohmann::json;

constexpr std::string_view kCustomerSql =
    "SELECT pos_id, name, phone, phone_e164, phone_kind, email, email_valid, cpf, cpf_valid, birthday, "
    "birthday_valid FROM customers WHERE id = ?1";
constexpr std::string_view kConsentsSql = "SELECT channel, granted FROM consents WHERE customer_id = ?1";
constexpr std::string_view kMergedIntoSql =
    "SELECT survivor_id FROM customer_merges WHERE merged_id = ?1 ORDER BY id DESC LIMIT 1";
constexpr std::string_view kSaleSql =
    "SELECT pos_id, customer_id, sold_at, total_cents, cancelled_at FROM sales WHERE id = ?1";
constexpr std::string_view kItemsSql =
    "SELECT sku, name, quantity, unit_cents FROM sale_items WHERE sale_id = ?1 ORDER BY line";
constexpr std::string_view kSegmentSql =
    "SELECT customer_id, cell, previous_cell, day, at, cause FROM segment_events WHERE id = ?1";
constexpr std::string_view kTaskSql =
    "SELECT customer_id, rule_id, title, channel, state, outcome, created_at, due_at, expires_at, closed_at, "
    "close_reason, assignee FROM tasks WHERE id = ?1";
constexpr std::string_view kMessageSql =
    "SELECT customer_id, rule_id, channel, state, created_at, sent_at, error FROM messages WHERE id = ?1";
constexpr std::string_view kOrderSql =
    "SELECT order_id, kind, outcome, detail, applied_at FROM hq_orders WHERE id = ?1";
constexpr std::string_view kErasureSql =
    "SELECT customer_id, erasure_key, requested_by, erased_at FROM erasures WHERE id = ?1";
constexpr std::string_view kLastSaleSql = "SELECT sold_at FROM sales ORDER BY id DESC LIMIT 1";
constexpr std::string_view kKpiSql = R"sql(
  SELECT count(*) FILTER (WHERE cancelled_at IS NULL),
         coalesce(sum(total_cents) FILTER (WHERE cancelled_at IS NULL), 0),
         count(DISTINCT customer_id) FILTER (WHERE cancelled_at IS NULL),
         count(*) FILTER (WHERE cancelled_at IS NOT NULL)
  FROM sales WHERE sold_at >= ?1 AND sold_at < ?2)sql";
constexpr std::string_view kKpiNewSql =
    "SELECT count(*) FROM customer_stats WHERE first_at >= ?1 AND first_at < ?2";

enum Stmt {
  customer,
  consents,
  merged_into,
  sale,
  items,
  segment,
  task,
  message,
  order,
  erasure,
  last_sale,
  kpi,
  kpi_new,
  count
};

json text_or_null(const sqlite::Stmt& s, int column) {
  if (s.is_null(column)) return nullptr;
  return std::string(s.text(column));
}

json int_or_null(const sqlite::Stmt& s, int column) {
  if (s.is_null(column)) return nullptr;
  return s.int64(column);
}

std::string dump_record(const json& record) {
  return record.dump(-1, ' ', false, json::error_handler_t::replace);
}

class LedgerRecordBuilder final : public RecordBuilder {
 public:
  LedgerRecordBuilder(sqlite::Db& db, PiiSettings pii, const StoreZone& zone)
      : db_(&db), pii_(std::move(pii)), zone_(&zone) {}

  Status prepare() {
    const std::array<std::string_view, Stmt::count> sql{
        kCustomerSql, kConsentsSql, kMergedIntoSql, kSaleSql,     kItemsSql, kSegmentSql, kTaskSql,
        kMessageSql,  kOrderSql,    kErasureSql,    kLastSaleSql, kKpiSql,   kKpiNewSql};
    for (std::size_t i = 0; i < sql.size(); ++i) {
      auto prepared = db_->prepare(sql[i]);
      if (!prepared) return prepared.error().within("sync: preparing the record builder");
      stmts_[i] = std::move(*prepared);
    }
    return {};
  }

  Result<std::string> build(const OutboxRow& row, Seconds now) override {
    json r{{"seq", row.seq}, {"kind", std::string(outbox_kind_name(row.kind))}};
    Status s;
    switch (row.kind) {
      case OutboxKind::customer:
        s = add_customer(r, row.ref);
        break;
      case OutboxKind::sale:
        s = add_sale(r, row.ref);
        break;
      case OutboxKind::segment:
        s = add_row(r, Stmt::segment, row.ref, {"customer", "cell", "previous_cell", "day", "at", "cause"});
        break;
      case OutboxKind::task:
        s = add_row(r, Stmt::task, row.ref,
                    {"customer", "rule", "title", "channel", "state", "outcome", "created_at", "due_at",
                     "expires_at", "closed_at", "close_reason", "assignee"});
        break;
      case OutboxKind::message:
        s = add_row(r, Stmt::message, row.ref,
                    {"customer", "rule", "channel", "state", "created_at", "sent_at", "error"});
        break;
      case OutboxKind::order:
        s = add_row(r, Stmt::order, row.ref, {"order", "order_kind", "outcome", "detail", "applied_at"});
        break;
      case OutboxKind::kpi_day:
        s = add_kpi_day(r, row.ref);
        break;
      case OutboxKind::heartbeat:
        s = add_heartbeat(r, now);
        break;
      case OutboxKind::erasure:
        s = add_row(r, Stmt::erasure, row.ref, {"customer", "key", "requested_by", "erased_at"});
        break;
    }
    if (!s) return s.error().within("sync: building the record of outbox row " + std::to_string(row.seq));
    return dump_record(r);
  }

 private:
  sqlite::Stmt& stmt(Stmt which) { return stmts_[static_cast<std::size_t>(which)]; }

  // Columns in the order of the statement, named as the record names them; a row that is gone
  // becomes {"removed": true}.
  Status add_row(json& r, Stmt which, std::int64_t id, std::initializer_list<const char*> names) {
    auto& s = stmt(which);
    r["id"] = id;
    s.bind(1, id);
    auto found = s.step();
    if (!found) return found.error();
    if (!*found) {
      r["removed"] = true;
      return {};
    }
    int column = 0;
    for (const char* name : names) {
      if (s.is_null(column)) {
        r[name] = nullptr;
      } else if (s.is_integer(column)) {
        r[name] = s.int64(column);
      } else {
        r[name] = std::string(s.text(column));
      }
      ++column;
    }
    s.reset();
    return {};
  }

  std::string hashed(std::string_view value) const { return hmac_sha256_hex(pii_.key, value); }

  Status add_customer(json& r, std::int64_t id) {
    auto& c = stmt(Stmt::customer);
    r["id"] = id;
    c.bind(1, id);
    auto found = c.step();
    if (!found) return found.error();
    if (!*found) {
      r["removed"] = true;
      auto& m = stmt(Stmt::merged_into);
      m.bind(1, id);
      auto merged = m.step();
      if (!merged) return merged.error();
      r["merged_into"] = *merged ? json(m.int64(0)) : json(nullptr);
      if (*merged) m.reset();
      return {};
    }
    const bool mobile = !c.is_null(4) && c.text(4) == "mobile";
    const bool email_ok = c.int64(6) == 1, cpf_ok = c.int64(8) == 1;
    switch (pii_.policy) {
      case PiiPolicy::full:
        r["pos_id"] = text_or_null(c, 0);
        r["name"] = text_or_null(c, 1);
        r["phone"] = c.is_null(3) ? text_or_null(c, 2) : text_or_null(c, 3);
        r["email"] = text_or_null(c, 5);
        r["cpf"] = text_or_null(c, 7);
        r["birthday"] = c.int64(10) == 1 ? text_or_null(c, 9) : json(nullptr);
        break;
      case PiiPolicy::hashed:
        r["pos_id_hash"] = c.is_null(0) ? json(nullptr) : json(hashed(c.text(0)));
        r["mobile_hash"] = mobile && !c.is_null(3) ? json(hashed(c.text(3))) : json(nullptr);
        r["email_hash"] = email_ok && !c.is_null(5) ? json(hashed(c.text(5))) : json(nullptr);
        r["cpf_hash"] = cpf_ok && !c.is_null(7) ? json(hashed(c.text(7))) : json(nullptr);
        break;
      case PiiPolicy::none:
        break;
    }
    c.reset();
    json consents = json::object();
    auto& k = stmt(Stmt::consents);
    k.bind(1, id);
    for (;;) {
      auto row = k.step();
      if (!row) return row.error();
      if (!*row) break;
      consents[std::string(k.text(0))] = k.int64(1) == 1;
    }
    r["consents"] = std::move(consents);
    return {};
  }

  Status add_sale(json& r, std::int64_t id) {
    auto& s = stmt(Stmt::sale);
    r["id"] = id;
    s.bind(1, id);
    auto found = s.step();
    if (!found) return found.error();
    if (!*found) {
      r["removed"] = true;
      return {};
    }
    r["pos_id"] = std::string(s.text(0));
    r["customer"] = int_or_null(s, 1);
    r["sold_at"] = s.int64(2);
    r["total_cents"] = s.int64(3);
    r["cancelled_at"] = int_or_null(s, 4);
    s.reset();
    json items = json::array();
    auto& i = stmt(Stmt::items);
    i.bind(1, id);
    for (;;) {
      auto row = i.step();
      if (!row) return row.error();
      if (!*row) break;
      items.push_back(json::array({std::string(i.text(0)), std::string(i.text(1)), i.real(2), i.int64(3)}));
    }
    r["items"] = std::move(items);
    return {};
  }

  Status add_kpi_day(json& r, std::int64_t day) {
    const auto from = zone_->to_utc(day, std::chrono::seconds{0}).time_since_epoch().count();
    const auto to = zone_->to_utc(day + 1, std::chrono::seconds{0}).time_since_epoch().count();
    r["day"] = kpi_day_text(day);
    auto& k = stmt(Stmt::kpi);
    k.bind(1, from).bind(2, to);
    auto row = k.step();
    if (!row) return row.error();
    r["sales"] = k.int64(0);
    r["revenue_cents"] = k.int64(1);
    r["customers"] = k.int64(2);
    r["cancellations"] = k.int64(3);
    k.reset();
    auto& n = stmt(Stmt::kpi_new);
    n.bind(1, from).bind(2, to);
    auto fresh = n.step();
    if (!fresh) return fresh.error();
    r["new_customers"] = n.int64(0);
    n.reset();
    return {};
  }

  Status add_heartbeat(json& r, Seconds now) {
    r["agent"] = REGUA_VERSION;
    r["clock"] = now.time_since_epoch().count();
    auto depth = outbox_depth(*db_);
    if (!depth) return depth.error();
    r["outbox_waiting"] = depth->waiting;
    r["acked"] = depth->acked;
    auto& l = stmt(Stmt::last_sale);
    auto row = l.step();
    if (!row) return row.error();
    r["last_sale_at"] = *row ? json(l.int64(0)) : json(nullptr);
    if (*row) l.reset();
    // The sync lag: since when the oldest record still waiting for the hub's ack has waited
    // (sync/outbox_age.hpp); records newer than every mark count from now.
    auto age = read_outbox_age(*db_);
    if (!age) return age.error();
    r["oldest_waiting_at"] = age->waiting == 0   ? json(nullptr)
                             : age->oldest_since ? json(to_unix(*age->oldest_since))
                                                 : json(to_unix(now));
    return add_rule_pack_state(r);
  }

  // The rule pack it runs and the newest it refused, so that HQ sees adoption (docs/hub.md).
  Status add_rule_pack_state(json& r) {
    auto version =
        db_->query_int("SELECT coalesce(max(version), 0) FROM rule_packs WHERE status = 'applied'");
    if (!version) return version.error();
    r["rules_version"] = *version;
    auto refused = db_->prepare(
        "SELECT version, reason, received_at FROM rule_packs WHERE status = 'refused' ORDER BY id DESC LIMIT "
        "1");
    if (!refused) return refused.error();
    auto found = refused->step();
    if (!found) return found.error();
    r["rules_refused"] = nullptr;
    if (*found) {
      r["rules_refused"] = {{"version", refused->int64(0)},
                            {"reason", std::string(refused->text(1))},
                            {"at", refused->int64(2)}};
      refused->reset();
    }
    return {};
  }

  sqlite::Db* db_;
  PiiSettings pii_;
  const StoreZone* zone_;
  std::array<sqlite::Stmt, Stmt::count> stmts_;
};

}  // namespace

std::string kpi_day_text(std::int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  return format_date(ymd);
}

Result<std::unique_ptr<RecordBuilder>> RecordBuilder::create(sqlite::Db& db, PiiSettings pii,
                                                             const StoreZone& zone) {
  auto builder = std::make_unique<LedgerRecordBuilder>(db, std::move(pii), zone);
  if (auto s = builder->prepare(); !s) return s.error();
  return std::unique_ptr<RecordBuilder>(std::move(builder));
}

}  // namespace regua::sync
