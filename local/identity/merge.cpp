#include "local/identity/merge.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "local/analysis/customer_stats.hpp"
#include "local/scheduler/merge_actions.hpp"

namespace regua {
namespace {

using Action = CustomerDependant::Action;

// THE hook for everything that points at a customer. When a later version adds a table that
// refers to customers(id) (stats, segments, scheduled jobs, tasks), add it here:
//   move    its rows now belong to the survivor (UPDATE ... SET column = survivor);
//   drop    its rows are derived data that the next computation rebuilds for the survivor;
//   combine code of its own below merges them (consents), then the merged record's rows go.
// A `move` table with one row per customer must choose `drop` or code of its own instead.
constexpr std::array kDependants{
    CustomerDependant{"sales", "customer_id", Action::move},
    CustomerDependant{"customer_pos_ids", "customer_id", Action::move},
    CustomerDependant{"consents", "customer_id", Action::combine},
    CustomerDependant{"customer_predictions", "customer_id", Action::drop},
    CustomerDependant{"customer_stats", "customer_id", Action::drop},  // recomputed for the survivor below
    // Rule actions concern the person: they move (clashing occurrences are settled first by
    // prepare_merge_of_actions, local/scheduler/merge_actions.hpp); the scheduler re-plans the survivor.
    CustomerDependant{"jobs", "customer_id", Action::move},
    CustomerDependant{"decisions", "customer_id", Action::move},
    CustomerDependant{"messages", "customer_id", Action::move},
    CustomerDependant{"tasks", "customer_id", Action::move},
};

Result<bool> table_exists(sqlite::Db& db, std::string_view table) {
  auto stmt = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, table);
  auto row = stmt->step();
  if (!row) return row.error();
  const bool exists = stmt->int64(0) > 0;
  stmt->reset();
  return exists;
}

// Refuses to merge when a table refers to customers and kDependants does not say what to do with
// it: deleting the merged records would fail on its foreign key, or worse, leave its rows behind.
Status check_dependants(sqlite::Db& db) {
  auto stmt = db.prepare(
      "SELECT m.name, f.\"from\" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f "
      "WHERE m.type = 'table' AND f.\"table\" = 'customers' ORDER BY 1, 2");
  if (!stmt) return stmt.error();
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return {};
    const std::string table(stmt->text(0));
    const std::string column(stmt->text(1));
    const bool known = std::any_of(kDependants.begin(), kDependants.end(),
                                   [&](const auto& d) { return d.table == table && d.column == column; });
    if (!known) {
      stmt->reset();
      return make_error(ErrorKind::internal,
                        "table " + table + " (column " + column +
                            ") refers to customers, but merging does not know what to do with its rows: add "
                            "it to kDependants in local/identity/merge.cpp. Nothing was merged.");
    }
  }
}

// Moves or deletes what belongs to `from` so that it can be deleted (see kDependants).
Status merge_dependants(sqlite::Db& db, std::int64_t survivor, std::int64_t from) {
  for (const auto& d : kDependants) {
    auto exists = table_exists(db, d.table);
    if (!exists) return exists.error();
    if (!*exists) continue;  // a table of a migration this ledger does not have
    const std::string sql =
        d.action == Action::move
            ? "UPDATE " + std::string(d.table) + " SET " + std::string(d.column) + " = ?1 WHERE " +
                  std::string(d.column) + " = ?2"
            : "DELETE FROM " + std::string(d.table) + " WHERE " + std::string(d.column) + " = ?2";
    auto stmt = db.prepare(sql);
    if (!stmt) return stmt.error();
    if (d.action == Action::move) stmt->bind(1, survivor);
    stmt->bind(2, from);
    if (auto s = stmt->run(); !s) return s.error().within("moving " + std::string(d.table));
  }
  return {};
}

Result<CustomerRecord> load_customer(sqlite::Db& db, std::int64_t id) {
  auto stmt = db.prepare("SELECT " + customer_columns() + " FROM customers WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) {
    return make_error(ErrorKind::usage, "there is no customer " + std::to_string(id) +
                                            " in the ledger (`regua-agent customers duplicates` lists the "
                                            "numbers of customer records); nothing was merged");
  }
  auto record = read_customer(*stmt);
  stmt->reset();
  return record;
}

Result<std::vector<ConsentState>> load_consents(sqlite::Db& db, std::int64_t id) {
  auto stmt = db.prepare("SELECT channel, granted, at FROM consents WHERE customer_id = ?1 ORDER BY channel");
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  std::vector<ConsentState> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    if (auto channel = channel_from_name(stmt->text(0))) {
      out.push_back({*channel, stmt->int64(1) != 0, stmt->int64(2)});
    }
  }
  return out;
}

// Per channel the most restrictive answer: LGPD asks for consent that is specific and never
// presumed, so an opt-out on any record of the person stays an opt-out. When the records disagree
// the result is dated a second after the newest of them, so that replaying that newest news (a
// re-imported file) does not undo it; genuinely newer news from the POS still wins.
std::map<Channel, ConsentState> combine_consents(const std::vector<std::vector<ConsentState>>& records) {
  std::map<Channel, ConsentState> out;
  std::map<Channel, bool> disagree;
  for (const auto& consents : records) {
    for (const ConsentState& c : consents) {
      auto [it, fresh] = out.try_emplace(c.channel, c);
      if (fresh) continue;
      if (it->second.granted != c.granted) disagree[c.channel] = true;
      it->second.granted = it->second.granted && c.granted;
      it->second.at = std::max(it->second.at, c.at);
    }
  }
  for (auto& [channel, c] : out) {
    if (disagree[channel]) c.at += 1;
  }
  return out;
}

Result<std::int64_t> count_sales(sqlite::Db& db, std::int64_t id) {
  return db.query_int("SELECT count(*) FROM sales WHERE customer_id = " + std::to_string(id));
}

constexpr std::string_view kAudit = R"sql(
INSERT INTO customer_merges (survivor_id, merged_id, merged_pos_id, merged_record, sales_moved, merged_at)
SELECT ?1, c.id, c.pos_id, json_object(
  'id', c.id, 'pos_id', c.pos_id, 'name', c.name, 'phone', c.phone, 'phone_e164', c.phone_e164,
  'phone_kind', c.phone_kind, 'email', c.email, 'email_valid', c.email_valid, 'cpf', c.cpf,
  'cpf_valid', c.cpf_valid, 'birthday', c.birthday, 'birthday_valid', c.birthday_valid,
  'info_at', c.info_at, 'created_at', c.created_at,
  'consents', (SELECT json_group_array(json_object('channel', channel, 'granted', granted, 'source', source,
                                                   'at', at)) FROM consents WHERE customer_id = c.id),
  'other_pos_ids', (SELECT json_group_array(pos_id) FROM customer_pos_ids WHERE customer_id = c.id)),
  ?3, ?4
FROM customers c WHERE c.id = ?2)sql";

constexpr std::string_view kUpdateSurvivor =
    "UPDATE customers SET pos_id = ?13, name = ?2, phone = ?3, phone_e164 = ?4, phone_kind = ?5, email = ?6, "
    "email_valid = ?7, cpf = ?8, cpf_valid = ?9, birthday = ?10, birthday_valid = ?11, info_at = ?12 "
    "WHERE id = ?1";

constexpr std::string_view kAlias =
    "INSERT INTO customer_pos_ids (pos_id, customer_id) VALUES (?1, ?2) "
    "ON CONFLICT (pos_id) DO UPDATE SET customer_id = excluded.customer_id";

constexpr std::string_view kUpsertConsent =
    "INSERT INTO consents (customer_id, channel, granted, source, at) VALUES (?1, ?2, ?3, 'merge', ?4) "
    "ON CONFLICT (customer_id, channel) DO UPDATE SET granted = excluded.granted, source = excluded.source, "
    "at = excluded.at";

Status check_request(const MergeRequest& r) {
  if (r.others.empty())
    return make_error(ErrorKind::usage, "name at least one customer to merge into " + std::to_string(r.keep));
  std::set<std::int64_t> seen{r.keep};
  for (const auto id : r.others) {
    if (!seen.insert(id).second) {
      return make_error(ErrorKind::usage,
                        "customer " + std::to_string(id) +
                            " is named twice (or is also the one to keep); nothing was merged");
    }
  }
  return {};
}

// Different valid CPFs are different people: merging them would mix two people's purchases.
Status check_one_cpf(const CustomerRecord& keep, const std::vector<CustomerRecord>& others) {
  std::map<std::string, std::int64_t> cpfs;  // a valid CPF -> the first record with it
  auto note = [&](const CustomerRecord& r) {
    if (r.fields.cpf && r.fields.cpf->valid) cpfs.try_emplace(r.fields.cpf->text, r.id);
  };
  note(keep);
  for (const auto& o : others)
    note(o);
  if (cpfs.size() <= 1) return {};
  std::string list;
  for (const auto& [cpf, id] : cpfs)
    list += (list.empty() ? "" : ", ") + std::string("customer ") + std::to_string(id) + " has CPF " + cpf;
  return make_error(ErrorKind::input, "these records have different valid CPFs (" + list +
                                          "), so they are different people; nothing was merged. If a CPF is "
                                          "wrong, correct it in the POS first.");
}

// A forgotten customer has nothing left to merge, and merging one would bring the history of the
// person who asked to be forgotten back under a name.
Status check_none_erased(sqlite::Db& db, const MergeRequest& r) {
  auto stmt = db.prepare("SELECT erased_at IS NOT NULL FROM customers WHERE id = ?1");
  if (!stmt) return stmt.error();
  std::vector<std::int64_t> ids{r.keep};
  ids.insert(ids.end(), r.others.begin(), r.others.end());
  for (const auto id : ids) {
    stmt->bind(1, id);
    auto row = stmt->step();
    if (!row) return row.error();
    const bool erased = *row && stmt->int64(0) != 0;
    stmt->reset();
    if (erased) {
      return make_error(ErrorKind::input, "customer " + std::to_string(id) +
                                              " was forgotten (customers forget): a record without "
                                              "personal data cannot be merged; nothing was merged");
    }
  }
  return {};
}

}  // namespace

std::vector<CustomerDependant> customer_dependants() {
  return {kDependants.begin(), kDependants.end()};
}

Result<MergeOutcome> merge_customers(Ledger& ledger, const MergeRequest& request) {
  if (auto s = check_request(request); !s) return s.error();
  auto& db = ledger.db();
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  if (auto s = check_dependants(db); !s) return s.error();
  if (auto s = check_none_erased(db, request); !s) return s.error();

  MergeOutcome out;
  auto keep = load_customer(db, request.keep);
  if (!keep) return keep.error();
  out.before = *keep;
  std::vector<CustomerRecord> others;
  std::vector<std::vector<ConsentState>> consents;
  auto own = load_consents(db, request.keep);
  if (!own) return own.error();
  consents.push_back(*own);
  for (const auto id : request.others) {
    auto other = load_customer(db, id);
    if (!other) return other.error();
    auto c = load_consents(db, id);
    if (!c) return c.error();
    others.push_back(std::move(*other));
    consents.push_back(std::move(*c));
  }
  if (auto s = check_one_cpf(out.before, others); !s) return s.error();

  // The newest information fills first; ties by the older record, so the order on the command line
  // does not matter.
  std::vector<const CustomerRecord*> fill_order;
  for (const auto& o : others)
    fill_order.push_back(&o);
  std::sort(fill_order.begin(), fill_order.end(), [](const auto* a, const auto* b) {
    return a->info_at != b->info_at ? a->info_at > b->info_at : a->id < b->id;
  });
  out.after = out.before;
  for (const CustomerRecord* o : fill_order) {
    fill_gaps(out.after.fields, o->fields);
    if (!out.after.pos_id && o->pos_id) out.after.pos_id = o->pos_id;
    out.after.info_at = std::max(out.after.info_at, o->info_at);
  }
  const auto combined = combine_consents(consents);

  auto audit = db.prepare(kAudit);
  if (!audit) return audit.error();
  const auto now = ledger.clock().now().time_since_epoch().count();
  for (const CustomerRecord& o : others) {
    auto moved = count_sales(db, o.id);
    if (!moved) return moved.error();
    audit->bind(1, request.keep).bind(2, o.id).bind(3, *moved).bind(4, now);
    if (auto s = audit->run(); !s)
      return s.error().within("recording the merge of customer " + std::to_string(o.id));
    if (auto s = prepare_merge_of_actions(db, request.keep, o.id, ledger.clock().now()); !s) {
      return s.error().within("merging customer " + std::to_string(o.id));
    }
    if (auto s = merge_dependants(db, request.keep, o.id); !s) {
      return s.error().within("merging customer " + std::to_string(o.id));
    }
    if (auto s = db.exec("DELETE FROM customers WHERE id = " + std::to_string(o.id)); !s) return s.error();
    out.merged.push_back({o.id, o.pos_id, *moved});
    out.sales_moved += *moved;
  }

  // Derived data of the survivor: its purchase figures from the sales it now has, and its lifecycle
  // cell, which the next refresh_segments() records (local/analysis/customer_stats.hpp).
  if (auto s = recompute_customer_stats(db, request.keep, SegmentCause::merge); !s) return s.error();

  auto update = db.prepare(kUpdateSurvivor);
  if (!update) return update.error();
  update->bind(1, request.keep).bind(12, out.after.info_at).bind(13, out.after.pos_id);
  bind_fields(*update, 2, out.after.fields);
  if (auto s = update->run(); !s)
    return s.error().within("updating customer " + std::to_string(request.keep));

  auto alias = db.prepare(kAlias);
  if (!alias) return alias.error();
  for (const CustomerRecord& o : others) {
    if (!o.pos_id || o.pos_id == out.after.pos_id) continue;
    alias->bind(1, std::string_view(*o.pos_id)).bind(2, request.keep);
    if (auto s = alias->run(); !s) return s.error();
  }

  auto upsert = db.prepare(kUpsertConsent);
  if (!upsert) return upsert.error();
  for (const auto& [channel, c] : combined) {
    const bool unchanged = std::find(own->begin(), own->end(), c) != own->end();
    if (unchanged) continue;
    upsert->bind(1, request.keep)
        .bind(2, channel_name(channel))
        .bind(3, std::int64_t{c.granted ? 1 : 0})
        .bind(4, c.at);
    if (auto s = upsert->run(); !s) return s.error();
  }
  auto after_consents = load_consents(db, request.keep);
  if (!after_consents) return after_consents.error();
  out.consents = std::move(*after_consents);
  auto total = count_sales(db, request.keep);
  if (!total) return total.error();
  out.survivor_sales = *total;

  if (request.dry_run) return out;  // the transaction rolls back as it goes out of scope
  if (auto s = txn->commit(); !s) return s.error();
  out.written = true;
  return out;
}

Result<std::int64_t> resolve_customer(sqlite::Db& db, std::string_view ref) {
  if (ref.starts_with("pos:")) {
    const std::string_view pos_id = ref.substr(4);
    auto stmt = db.prepare(
        "SELECT id FROM customers WHERE pos_id = ?1 UNION ALL "
        "SELECT customer_id FROM customer_pos_ids WHERE pos_id = ?1 LIMIT 1");
    if (!stmt) return stmt.error();
    stmt->bind(1, pos_id);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) {
      return make_error(ErrorKind::usage,
                        "no customer has the POS id \"" + std::string(pos_id) + "\"; nothing was merged");
    }
    const auto id = stmt->int64(0);
    stmt->reset();
    return id;
  }
  std::int64_t id = 0;
  const bool digits = !ref.empty() && ref.size() <= 18 &&
                      std::all_of(ref.begin(), ref.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    return make_error(ErrorKind::usage,
                      "\"" + std::string(ref) +
                          "\" is not a customer: give its number in the ledger (as `customers "
                          "duplicates` shows it) or pos:ID for the POS's customer id");
  }
  for (const char c : ref)
    id = id * 10 + (c - '0');
  return id;
}

}  // namespace regua
