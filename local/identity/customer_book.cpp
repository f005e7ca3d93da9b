#include "local/identity/customer_book.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "local/identity/consents.hpp"
#include "local/identity/name.hpp"

namespace regua {
namespace {

std::string select_by(std::string_view where) {
  return "SELECT " + customer_columns() + " FROM customers WHERE " + std::string(where);
}

// A merged-away record's POS id lives on in customer_pos_ids.
std::string by_pos_id_sql() {
  return select_by("pos_id = ?1") + " UNION ALL SELECT " + customer_columns("c") +
         " FROM customer_pos_ids a JOIN customers c ON c.id = a.customer_id WHERE a.pos_id = ?1 LIMIT 1";
}

// The oldest record first, so that among duplicates ingest always picks the same one.
std::string by_cpf_sql() {
  return select_by("cpf = ?1 AND cpf_valid = 1 ORDER BY id LIMIT 1");
}
std::string by_mobile_sql() {
  return select_by("phone_e164 = ?1 AND phone_kind = 'mobile' ORDER BY id");
}

constexpr std::string_view kInsert =
    "INSERT INTO customers (pos_id, name, phone, phone_e164, phone_kind, email, email_valid, cpf, cpf_valid, "
    "birthday, birthday_valid, info_at, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

constexpr std::string_view kUpdate =
    "UPDATE customers SET name = ?2, phone = ?3, phone_e164 = ?4, phone_kind = ?5, email = ?6, "
    "email_valid = ?7, cpf = ?8, cpf_valid = ?9, birthday = ?10, birthday_valid = ?11, "
    "info_at = max(info_at, ?12) WHERE id = ?1";

// When the news changed no field only its time moves; not rewriting the indexed columns keeps a
// returning customer's sale cheap.
// A new customer's row in the sync outbox, in its transaction (not a trigger: see kSaleToOutbox in
// local/ledger/ingest.cpp).
constexpr std::string_view kCustomerToOutbox = "INSERT INTO outbox (kind, ref) VALUES ('customer', ?1)";

constexpr std::string_view kTouch = "UPDATE customers SET info_at = ?2 WHERE id = ?1 AND info_at < ?2";

constexpr std::string_view kDataVersion = "PRAGMA data_version";

// A forgotten customer has no POS id but no mobile either: it never matches, so it does not count.
constexpr std::string_view kAnyWithoutPosId =
    "SELECT EXISTS (SELECT 1 FROM customers WHERE pos_id IS NULL AND erased_at IS NULL)";

// News with a POS id of a forgotten person (the POS still has them): counted on their erasure, so
// that `customers forget` can tell the store to delete them in the POS too. True when it was one.
constexpr std::string_view kErasedPosIdSeen =
    "UPDATE erasures SET seen_again = seen_again + 1, seen_again_at = ?2 "
    "WHERE id = (SELECT max(erasure_id) FROM erased_pos_ids WHERE pos_id = ?1)";

constexpr std::array<Channel, 3> kAllChannels{Channel::sms, Channel::whatsapp, Channel::email};

constexpr std::string_view kSetPosId = "UPDATE customers SET pos_id = ?2 WHERE id = ?1 AND pos_id IS NULL";

constexpr std::string_view kAddPosId =
    "INSERT INTO customer_pos_ids (pos_id, customer_id) VALUES (?1, ?2) ON CONFLICT (pos_id) DO NOTHING";

// Two records sharing a mobile are one person unless something says they are not: family members
// often share a phone. Different valid CPFs, different first names, or two distinct POS
// registrations (the POS knows them apart) keep them apart; `customers duplicates` still lists them.
bool same_person_by_mobile(const CustomerRecord& candidate, const CustomerFields& news,
                           const std::string& news_pos_id) {
  const auto& c = candidate.fields;
  if (c.cpf && c.cpf->valid && news.cpf && news.cpf->valid && c.cpf->text != news.cpf->text) return false;
  if (c.name && news.name && first_name(*c.name) != first_name(*news.name)) return false;
  if (candidate.pos_id && !news_pos_id.empty() && *candidate.pos_id != news_pos_id) return false;
  return true;
}

std::string incoming_customer_label(const CustomerInfo& info) {
  return info.pos_id.empty() ? std::string("customer") : "customer " + info.pos_id;
}

}  // namespace

Result<CustomerBook> CustomerBook::create(sqlite::Db& db, const PhoneNormaliser& phones, const Clock& clock) {
  CustomerBook book(db, phones, clock);
  struct Prepared {
    sqlite::Stmt* stmt;
    std::string sql;
  };
  for (auto& [stmt, sql] :
       {Prepared{&book.by_pos_id_, by_pos_id_sql()}, Prepared{&book.by_cpf_, by_cpf_sql()},
        Prepared{&book.by_mobile_, by_mobile_sql()}, Prepared{&book.insert_, std::string(kInsert)},
        Prepared{&book.update_, std::string(kUpdate)}, Prepared{&book.touch_, std::string(kTouch)},
        Prepared{&book.customer_to_outbox_, std::string(kCustomerToOutbox)},
        Prepared{&book.set_pos_id_, std::string(kSetPosId)},
        Prepared{&book.add_pos_id_, std::string(kAddPosId)},
        Prepared{&book.upsert_consent_, std::string(kRecordConsentSql)},
        Prepared{&book.erased_pos_id_seen_, std::string(kErasedPosIdSeen)},
        Prepared{&book.any_without_pos_id_, std::string(kAnyWithoutPosId)},
        Prepared{&book.data_version_, std::string(kDataVersion)}}) {
    auto prepared = db.prepare(sql);
    if (!prepared) return prepared.error();
    *stmt = std::move(*prepared);
  }
  return book;
}

Result<std::optional<CustomerRecord>> CustomerBook::find_one(sqlite::Stmt& stmt, std::string_view key) {
  stmt.bind_ref(1, key);
  auto row = stmt.step();
  if (!row) return row.error();
  if (!*row) return std::optional<CustomerRecord>{};
  auto record = read_customer(stmt);
  stmt.reset();
  return std::optional<CustomerRecord>{std::move(record)};
}

Status CustomerBook::refresh() {
  // Another connection's commit (the HTTP API, a merge, the sqlite3 shell) may have changed any
  // customer: what the book knows is then forgotten.
  auto version = data_version_.step();
  if (!version) return version.error().within("reading the ledger's data version");
  const std::int64_t seen = *version ? data_version_.int64(0) : -1;
  data_version_.reset();
  if (seen != data_version_seen_) known_.clear();
  data_version_seen_ = seen;
  auto row = any_without_pos_id_.step();
  if (!row) return row.error().within("reading customers");
  any_without_pos_id_cached_ = *row && any_without_pos_id_.int64(0) != 0;
  any_without_pos_id_.reset();
  return {};
}

Result<CustomerMatch> CustomerBook::match(const CustomerInfo& info, std::int64_t info_at) {
  CustomerMatch m;
  if (!info.pos_id.empty()) {
    // The same details again (and no consent to record): nothing to look up or normalise.
    if (const auto it = known_.find(info.pos_id);
        it != known_.end() && it->second.settled && info.consent.empty() &&
        it->second.news_hash == news_fingerprint(info) && it->second.year == year_of(info_at)) {
      m.repeated = it->second.id;
      m.by = MatchedBy::pos_id;
      return m;
    }
    auto found = find_one(by_pos_id_, info.pos_id);
    if (!found) return found.error().within(incoming_customer_label(info));
    if (*found) {
      m.record = std::move(**found);
      m.record->info_at = effective_info_at(*m.record);
      m.by = MatchedBy::pos_id;
      return m;
    }
  }
  m.news = normalise_fields(info, *phones_, year_of(info_at));
  const CustomerFields& news = *m.news;
  if (news.cpf && news.cpf->valid) {
    auto found = find_one(by_cpf_, news.cpf->text);
    if (!found) return found.error().within(incoming_customer_label(info));
    if (*found) {
      m.record = std::move(**found);
      m.record->info_at = effective_info_at(*m.record);
      m.by = MatchedBy::cpf;
      return m;
    }
  }
  const bool mobile_may_match = info.pos_id.empty() || any_without_pos_id_cached_;
  if (news.phone && news.phone->parsed.kind == PhoneKind::mobile && mobile_may_match) {
    by_mobile_.bind_ref(1, std::string_view(news.phone->parsed.e164));
    for (;;) {
      auto row = by_mobile_.step();
      if (!row) return row.error().within(incoming_customer_label(info));
      if (!*row) break;
      auto candidate = read_customer(by_mobile_);
      if (same_person_by_mobile(candidate, news, info.pos_id)) {
        by_mobile_.reset();
        m.record = std::move(candidate);
        m.record->info_at = effective_info_at(*m.record);
        m.by = MatchedBy::mobile;
        return m;
      }
    }
  }
  return m;
}

Status CustomerBook::link_pos_id(const CustomerRecord& record, const std::string& pos_id) {
  sqlite::Stmt& stmt = record.pos_id ? add_pos_id_ : set_pos_id_;
  if (record.pos_id) {
    stmt.bind_ref(1, std::string_view(pos_id)).bind(2, record.id);
  } else {
    stmt.bind(1, record.id).bind_ref(2, std::string_view(pos_id));
  }
  return stmt.run();
}

Result<std::int64_t> CustomerBook::save(const CustomerInfo& info, CustomerMatch& m, std::int64_t info_at,
                                        std::string_view source) {
  if (m.repeated) {
    const std::int64_t id = *m.repeated;
    defer_info_at(id, info_at);
    return id;
  }
  if (!m.news) {
    m.news = normalise_fields(info, *phones_, year_of(info_at), m.record ? &m.record->fields : nullptr);
  }
  std::int64_t id = 0;
  bool settled = false;
  if (m.record) {
    id = m.record->id;
    CustomerFields fields = m.record->fields;
    if (absorb_news(fields, m.record->info_at, *m.news, info_at)) {
      update_.bind(1, id).bind(12, info_at);
      bind_fields(update_, 2, fields);
      if (auto s = update_.run(); !s) return s.error().within(incoming_customer_label(info));
    } else if (info_at > m.record->info_at) {
      // Only the time moves: written once per customer per transaction, by flush().
      defer_info_at(id, info_at);
    }
    settled = absorbs_nothing(fields, *m.news);
    if (m.by != MatchedBy::pos_id && !info.pos_id.empty()) {
      if (auto s = link_pos_id(*m.record, info.pos_id); !s)
        return s.error().within(incoming_customer_label(info));
    }
  } else {
    if (info.pos_id.empty()) {
      any_without_pos_id_cached_ = true;
      insert_.bind_null(1);
    } else {
      insert_.bind_ref(1, std::string_view(info.pos_id));
    }
    bind_fields(insert_, 2, *m.news);
    insert_.bind(12, info_at).bind(13, clock_->now().time_since_epoch().count());
    if (auto s = insert_.run(); !s) return s.error().within(incoming_customer_label(info));
    id = db_->last_insert_rowid();
    customer_to_outbox_.bind(1, id);
    if (auto s = customer_to_outbox_.run(); !s) return s.error().within(incoming_customer_label(info));
    settled = true;  // the record is the news itself
    // A person who asked to be forgotten starts anew, and is not contacted on the strength of a
    // POS record that should have gone with them: every channel refused until they grant one
    // again (the input's own answers, applied below at the same moment, win).
    if (!info.pos_id.empty()) {
      erased_pos_id_seen_.bind_ref(1, std::string_view(info.pos_id))
          .bind(2, clock_->now().time_since_epoch().count());
      if (auto s = erased_pos_id_seen_.run(); !s) return s.error().within(incoming_customer_label(info));
      if (db_->changes() > 0) {
        for (const Channel channel : kAllChannels) {
          upsert_consent_.bind(1, id)
              .bind(2, channel_name(channel))
              .bind(3, std::int64_t{0})
              .bind(4, "erasure")
              .bind(5, info_at);
          if (auto s = upsert_consent_.run(); !s)
            return s.error().within("consent of " + incoming_customer_label(info));
        }
      }
    }
  }

  for (const ConsentChange& c : info.consent) {
    upsert_consent_.bind(1, id)
        .bind(2, channel_name(c.channel))
        .bind(3, std::int64_t{c.granted ? 1 : 0})
        .bind(4, source)
        .bind(5, info_at);
    if (auto s = upsert_consent_.run(); !s)
      return s.error().within("consent of " + incoming_customer_label(info));
  }
  remember(info, id, info_at, settled);
  return id;
}

std::int64_t CustomerBook::effective_info_at(const CustomerRecord& record) const {
  const auto it = deferred_info_at_.find(record.id);
  return it == deferred_info_at_.end() ? record.info_at : std::max(record.info_at, it->second);
}

void CustomerBook::defer_info_at(std::int64_t id, std::int64_t info_at) {
  auto [it, added] = deferred_info_at_.try_emplace(id, info_at);
  if (!added) it->second = std::max(it->second, info_at);
}

void CustomerBook::remember(const CustomerInfo& info, std::int64_t id, std::int64_t info_at, bool settled) {
  if (info.pos_id.empty()) return;
  if (known_.size() >= kMaxKnown && !known_.contains(info.pos_id)) known_.clear();
  known_.insert_or_assign(info.pos_id, Known{id, news_fingerprint(info), year_of(info_at), settled});
}

Status CustomerBook::flush() {
  if (deferred_info_at_.empty()) return {};
  // In the order of the table: each page is then read and written once.
  std::vector<std::pair<std::int64_t, std::int64_t>> moves(deferred_info_at_.begin(),
                                                           deferred_info_at_.end());
  std::sort(moves.begin(), moves.end());
  for (const auto& [id, at] : moves) {
    touch_.bind(1, id).bind(2, at);
    if (auto s = touch_.run(); !s)
      return s.error().within("moving the info_at of customer " + std::to_string(id));
  }
  deferred_info_at_.clear();
  return {};
}

void CustomerBook::rollback() {
  known_.clear();
  deferred_info_at_.clear();
  any_without_pos_id_cached_ = true;
}

Status normalise_stored_customers(sqlite::Db& db, const PhoneNormaliser& phones) {
  auto pending = db.query_int("SELECT count(*) FROM ledger_info WHERE key = 'customers_to_normalise'");
  if (!pending) return pending.error();
  if (*pending == 0) return {};
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  auto read = db.prepare("SELECT " + customer_columns() + " FROM customers");
  if (!read) return read.error();
  auto update = db.prepare(kUpdate);
  if (!update) return update.error();
  std::vector<CustomerRecord> rows;
  for (;;) {
    auto row = read->step();
    if (!row) return row.error();
    if (!*row) break;
    rows.push_back(read_customer(*read));
  }
  for (const CustomerRecord& r : rows) {
    // The old columns hold what the POS wrote; read it again as if it were news.
    CustomerInfo raw;
    raw.name = r.fields.name;
    if (r.fields.phone) raw.phone = r.fields.phone->raw;
    if (r.fields.email) raw.email = r.fields.email->text;
    if (r.fields.cpf) raw.cpf = r.fields.cpf->text;
    if (r.fields.birthday) raw.birthday = r.fields.birthday->text;
    update->bind(1, r.id).bind(12, r.info_at);
    const CustomerFields fields = normalise_fields(raw, phones, year_of(r.info_at));  // bound by reference
    bind_fields(*update, 2, fields);
    if (auto s = update->run(); !s) return s.error().within("normalising customer " + std::to_string(r.id));
  }
  if (auto s = db.exec("DELETE FROM ledger_info WHERE key = 'customers_to_normalise'"); !s) return s;
  return txn->commit();
}

}  // namespace regua
