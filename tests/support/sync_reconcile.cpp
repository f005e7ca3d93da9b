#include "tests/support/sync_reconcile.hpp"

#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cloud/storage/hub_store.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua::test {
namespace {

struct SaleState {
  std::int64_t total = -1;
  bool cancelled = false;
};

std::int64_t cents_of(const nlohmann::json& total) {
  if (total.is_number()) return static_cast<std::int64_t>(total.get<double>() * 100 + 0.5);
  if (total.is_string()) return static_cast<std::int64_t>(std::stod(total.get<std::string>()) * 100 + 0.5);
  return -1;
}

std::int64_t one_int(sqlite::Db& db, const std::string& sql) {
  auto n = db.query_int(sql);
  return n.ok() ? *n : -1;
}

}  // namespace

std::string Reconciliation::text() const {
  std::string out =
      "POS " + std::to_string(pos_sales) + " sales, ledger " + std::to_string(ledger_sales) + ", hub " +
      std::to_string(hub_sales) + "; hub sale records " + std::to_string(hub_sale_records) + " (expected " +
      std::to_string(expected_sale_records) + "); ledger acked " + std::to_string(ledger_acked) + " with " +
      std::to_string(ledger_waiting) + " waiting, hub contiguous " + std::to_string(hub_contiguous);
  for (const auto& p : problems)
    out += "\n  - " + p;
  return out;
}

namespace {

// What the checker reads at the hub, from either backend.
struct HubSide {
  std::int64_t contiguous = 0;
  std::vector<std::string> sale_records;   // bodies, in the store's order
  std::vector<std::string> sale_entities;  // bodies of the newest state per sale
};

template <typename ReadHub>
Reconciliation reconcile_with(const std::vector<std::filesystem::path>& pos_files,
                              const std::filesystem::path& ledger_file, bool drained, ReadHub read_hub_side) {
  Reconciliation r;
  auto problem = [&](std::string p) {
    if (r.problems.size() < 20) r.problems.push_back(std::move(p));
  };
  auto read_hub = [&](HubSide& side) {
    std::string error = read_hub_side(side);
    if (!error.empty()) problem(error);
    return error.empty();
  };

  // 1. What the POS said, last word wins (a cancellation after its sale).
  std::map<std::string, SaleState> pos;
  std::set<std::string> cancels;
  for (const auto& file : pos_files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object()) continue;  // a malformed line the agent quarantines
      const auto type = j.value("type", std::string{});
      if (type == "sale") pos[j.value("id", std::string{})].total = cents_of(j["total"]);
      if (type == "cancel") cancels.insert(j.value("id", std::string{}));
    }
  }
  for (const auto& id : cancels) {
    if (auto it = pos.find(id); it != pos.end()) it->second.cancelled = true;
  }
  r.pos_sales = static_cast<std::int64_t>(pos.size());

  // 2. The ledger.
  auto ledger = sqlite::Db::open(ledger_file, sqlite::OpenMode::read_only);
  if (!ledger) {
    problem("cannot open the ledger: " + ledger.error().message);
    return r;
  }
  std::map<std::string, SaleState> in_ledger;
  std::map<std::int64_t, std::string> ledger_ids;
  {
    auto s = ledger->prepare("SELECT id, pos_id, total_cents, cancelled_at IS NOT NULL FROM sales");
    if (!s) {
      problem("cannot read the ledger's sales: " + s.error().message);
      return r;
    }
    for (;;) {
      auto row = s->step();
      if (!row.ok() || !*row) break;
      in_ledger[std::string(s->text(1))] = SaleState{s->int64(2), s->int64(3) == 1};
      ledger_ids[s->int64(0)] = s->text(1);
    }
  }
  r.ledger_sales = static_cast<std::int64_t>(in_ledger.size());
  for (const auto& [id, state] : pos) {
    auto it = in_ledger.find(id);
    if (it == in_ledger.end()) {
      problem("POS sale " + id + " is not in the ledger");
    } else if (it->second.total != state.total || it->second.cancelled != state.cancelled) {
      problem("POS sale " + id + " differs in the ledger (total or cancellation)");
    }
  }
  if (r.ledger_sales != r.pos_sales) problem("the ledger has sales the POS never sent");
  r.expected_sale_records =
      one_int(*ledger, "SELECT (SELECT count(*) FROM sales) + (SELECT count(*) FROM sale_cancellations)");
  r.ledger_acked = one_int(
      *ledger,
      "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM ledger_info WHERE key = 'sync.acked_seq'), 0)");
  r.ledger_waiting =
      one_int(*ledger, "SELECT count(*) FROM outbox WHERE seq > " + std::to_string(r.ledger_acked));

  // 3. The hub.
  HubSide at_hub;
  if (!read_hub(at_hub)) return r;
  r.hub_contiguous = at_hub.contiguous;
  std::map<std::int64_t, int> records_per_sale;
  std::int64_t previous_first_seen = 0;
  for (const auto& body_text : at_hub.sale_records) {
    ++r.hub_sale_records;
    const auto body = nlohmann::json::parse(body_text, nullptr, false);
    const auto id = body.value("id", std::int64_t{-1});
    if (++records_per_sale[id] == 1) {
      // The store's order: sales appear at the hub in the order the ledger stored them.
      if (id <= previous_first_seen)
        problem("sale " + std::to_string(id) + " reached the hub out of the store's order");
      previous_first_seen = id;
    }
  }
  {
    std::set<std::string> sales_at_hub;
    for (const auto& body_text : at_hub.sale_entities) {
      const auto body = nlohmann::json::parse(body_text, nullptr, false);
      const auto pos_id = body.value("pos_id", std::string{});
      if (!sales_at_hub.insert(pos_id).second) problem("sale " + pos_id + " is twice at the hub");
      auto it = in_ledger.find(pos_id);
      if (it == in_ledger.end()) {
        problem("the hub has sale " + pos_id + " the ledger does not");
        continue;
      }
      const bool cancelled = body.contains("cancelled_at") && !body["cancelled_at"].is_null();
      if (body.value("total_cents", std::int64_t{-1}) != it->second.total ||
          cancelled != it->second.cancelled) {
        problem("sale " + pos_id + " differs at the hub (total or cancellation)");
      }
    }
    r.hub_sales = static_cast<std::int64_t>(sales_at_hub.size());
  }
  if (r.hub_sales != r.ledger_sales)
    problem("the hub has " + std::to_string(r.hub_sales) + " sales, the ledger " +
            std::to_string(r.ledger_sales));
  if (r.hub_sale_records != r.expected_sale_records) {
    problem("the hub holds " + std::to_string(r.hub_sale_records) + " sale records; the ledger produced " +
            std::to_string(r.expected_sale_records) + " (each exactly once)");
  }
  if (drained) {
    if (r.ledger_waiting != 0)
      problem(std::to_string(r.ledger_waiting) + " records still wait in the outbox");
    if (r.hub_contiguous != r.ledger_acked)
      problem("the hub's contiguous mark is not the store's recorded ack");
  }
  return r;
}

}  // namespace

Reconciliation reconcile_sync(const std::vector<std::filesystem::path>& pos_files,
                              const std::filesystem::path& ledger_file, const std::filesystem::path& hub_file,
                              const std::string& store, bool drained) {
  return reconcile_with(pos_files, ledger_file, drained, [&](HubSide& side) -> std::string {
    auto hub = sqlite::Db::open(hub_file, sqlite::OpenMode::read_only);
    if (!hub) return "cannot open the hub database: " + hub.error().message;
    (void)hub->exec("PRAGMA busy_timeout = 10000");
    side.contiguous =
        one_int(*hub, "SELECT coalesce((SELECT contiguous FROM stores WHERE store = '" + store + "'), 0)");
    for (auto [sql, into] :
         {std::pair{"SELECT body FROM records WHERE store = ?1 AND kind = 'sale' ORDER BY seq",
                    &side.sale_records},
          std::pair{"SELECT body FROM entities WHERE store = ?1 AND kind = 'sale'", &side.sale_entities}}) {
      auto s = hub->prepare(sql);
      if (!s) return "cannot read the hub's tables: " + s.error().message;
      s->bind(1, store);
      for (;;) {
        auto row = s->step();
        if (!row.ok() || !*row) break;
        into->emplace_back(s->text(0));
      }
    }
    return "";
  });
}

Reconciliation reconcile_sync(const std::vector<std::filesystem::path>& pos_files,
                              const std::filesystem::path& ledger_file, hub::HubStore& hub,
                              const std::string& store, bool drained) {
  return reconcile_with(pos_files, ledger_file, drained, [&](HubSide& side) -> std::string {
    auto contiguous = hub.contiguous(store);
    if (!contiguous) return "cannot read the hub: " + contiguous.error().message;
    side.contiguous = *contiguous;
    auto records = hub.records(store, "sale");
    if (!records) return "cannot read the hub's records: " + records.error().message;
    for (auto& rec : *records)
      side.sale_records.push_back(std::move(rec.body));
    auto entities = hub.entities(store, "sale");
    if (!entities) return "cannot read the hub's entities: " + entities.error().message;
    for (auto& e : *entities)
      side.sale_entities.push_back(std::move(e.body));
    return "";
  });
}

}  // namespace regua::test
