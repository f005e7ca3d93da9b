#include "local/identity/erasure.hpp"

#include <array>
#include <functional>
#include <set>

#include "local/core/enum_names.hpp"
#include "local/identity/cpf.hpp"
#include "local/identity/customer_record.hpp"
#include "local/identity/name.hpp"
#include "local/identity/personal_values.hpp"
#include "local/ledger/durable_commits.hpp"
#include "local/ledger/outbox.hpp"
#include "local/scheduler/erasure_actions.hpp"

namespace regua {
namespace {

constexpr std::array<std::string_view, 3> kRequesters{"customer", "store", "authority"};

std::string erased_customer_label(std::int64_t id) {
  return "customer " + std::to_string(id);
}

// Every value a text may hold about the person, in the forms Régua writes them.
void add_fields(PersonalValues& v, const CustomerFields& f) {
  if (f.name) {
    v.add(*f.name);
    v.add(first_name(*f.name));
  }
  if (f.phone) {
    v.add(f.phone->raw);
    if (f.phone->parsed.valid()) {
      v.add(f.phone->parsed.e164);
      v.add(std::string_view(f.phone->parsed.e164).substr(1));  // wa.me links carry the digits
    }
  }
  if (f.email) v.add(f.email->text);
  if (f.cpf) {
    v.add(f.cpf->text);
    if (f.cpf->valid) v.add(format_cpf(f.cpf->text));
  }
  if (f.birthday) {
    v.add(f.birthday->text);
    if (f.birthday->valid && f.birthday->text.size() == 10) {
      const auto& b = f.birthday->text;
      v.add(b.substr(8, 2) + "/" + b.substr(5, 2) + "/" + b.substr(0, 4));
    }
  }
}

std::vector<std::string> field_names(const CustomerFields& f) {
  std::vector<std::string> out;
  if (f.name) out.emplace_back("name");
  if (f.phone) out.emplace_back("phone");
  if (f.email) out.emplace_back("email");
  if (f.cpf) out.emplace_back("cpf");
  if (f.birthday) out.emplace_back("birthday");
  return out;
}

Result<std::vector<std::string>> texts_of(sqlite::Db& db, const std::string& sql, std::int64_t id) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  std::vector<std::string> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return out;
    if (!stmt->is_null(0)) out.emplace_back(stmt->text(0));
  }
}

// The records merged into this one, directly or through records merged before into those.
constexpr std::string_view kMergedInto = R"sql(
WITH RECURSIVE into_(id) AS (SELECT ?1 UNION SELECT m.merged_id FROM customer_merges m JOIN into_ ON m.survivor_id = into_.id)
SELECT m.id, m.merged_pos_id, json_extract(m.merged_record, '$.name'), json_extract(m.merged_record, '$.phone'),
       json_extract(m.merged_record, '$.phone_e164'), json_extract(m.merged_record, '$.email'),
       json_extract(m.merged_record, '$.cpf'), json_extract(m.merged_record, '$.birthday')
FROM customer_merges m WHERE m.survivor_id IN (SELECT id FROM into_) ORDER BY m.id)sql";

// A JSON object of the counts, for the erasures row (SQLite's json_object keeps it valid JSON).
constexpr std::string_view kInsertErasure = R"sql(
INSERT INTO erasures (erasure_key, customer_id, requested_by, erased_at, summary)
VALUES (?1, ?2, ?3, ?4, json_object(
  'fields', json(?5), 'consents', ?6, 'other_pos_ids', ?7, 'merge_records', ?8, 'messages', ?9,
  'messages_stopped', ?10, 'tasks', ?11, 'decisions', ?12, 'jobs_cancelled', ?13, 'tasks_cancelled', ?14,
  'quarantined_lines', ?15, 'sales_kept', ?16)))sql";

constexpr std::string_view kSelectErasure =
    "SELECT e.id, e.erasure_key, e.customer_id, e.requested_by, e.erased_at, e.seen_again, e.seen_again_at, "
    "json_extract(e.summary, '$.fields'), json_extract(e.summary, '$.consents'), "
    "json_extract(e.summary, '$.other_pos_ids'), json_extract(e.summary, '$.merge_records'), "
    "json_extract(e.summary, '$.messages'), json_extract(e.summary, '$.messages_stopped'), "
    "json_extract(e.summary, '$.tasks'), json_extract(e.summary, '$.decisions'), "
    "json_extract(e.summary, '$.jobs_cancelled'), json_extract(e.summary, '$.tasks_cancelled'), "
    "json_extract(e.summary, '$.quarantined_lines'), json_extract(e.summary, '$.sales_kept') "
    "FROM erasures e ";

// `where` has one parameter, ?1, bound by `bind`.
Result<std::optional<Erasure>> read_erasure(sqlite::Db& db, std::string_view where,
                                            const std::function<void(sqlite::Stmt&)>& bind) {
  auto stmt = db.prepare(std::string(kSelectErasure) + std::string(where));
  if (!stmt) return stmt.error().within("reading the erasures");
  bind(*stmt);
  auto row = stmt->step();
  if (!row) return row.error().within("reading the erasures");
  if (!*row) return std::optional<Erasure>{};
  const auto& s = *stmt;
  Erasure e;
  const std::int64_t id = s.int64(0);
  e.key = std::string(s.text(1));
  e.customer_id = s.int64(2);
  e.requested_by = requester_from_name(s.text(3)).value_or(ErasureRequester::customer);
  e.erased_at = Seconds{std::chrono::seconds{s.int64(4)}};
  e.seen_again = s.int64(5);
  if (!s.is_null(6)) e.seen_again_at = Seconds{std::chrono::seconds{s.int64(6)}};
  const std::string fields(s.text(7));  // a JSON array of plain names: ["name","phone"]
  for (std::size_t i = 0; (i = fields.find('"', i)) != std::string::npos;) {
    const auto end = fields.find('"', i + 1);
    if (end == std::string::npos) break;
    e.counts.fields.push_back(fields.substr(i + 1, end - i - 1));
    i = end + 1;
  }
  auto& c = e.counts;
  std::int64_t* numbers[] = {&c.consents,          &c.other_pos_ids,    &c.merge_records,
                             &c.messages,          &c.messages_stopped, &c.tasks,
                             &c.decisions,         &c.jobs_cancelled,   &c.tasks_cancelled,
                             &c.quarantined_lines, &c.sales_kept};
  for (std::size_t i = 0; i < std::size(numbers); ++i)
    *numbers[i] = s.int64(8 + static_cast<int>(i));
  stmt->reset();
  auto ids = db.prepare("SELECT pos_id FROM erased_pos_ids WHERE erasure_id = ?1 ORDER BY pos_id");
  if (!ids) return ids.error();
  ids->bind(1, id);
  for (;;) {
    auto r = ids->step();
    if (!r) return r.error();
    if (!*r) break;
    e.pos_ids.emplace_back(ids->text(0));
  }
  return std::optional<Erasure>(std::move(e));
}

// Quarantined POS lines that hold one of the person's distinctive values (not the first name
// alone: other customers share it) get them replaced; the line's position and hash stay.
Result<std::int64_t> scrub_quarantine(sqlite::Db& db, const PersonalValues& values) {
  if (values.empty()) return 0;
  std::string where;
  for (std::size_t i = 0; i < values.values().size(); ++i)
    where +=
        (i == 0 ? "" : " OR ") + std::string("instr(CAST(raw AS TEXT), ?") + std::to_string(i + 1) + ") > 0";
  auto read = db.prepare("SELECT id, CAST(raw AS TEXT), reason FROM quarantine WHERE " + where);
  if (!read) return read.error();
  for (std::size_t i = 0; i < values.values().size(); ++i)
    read->bind(static_cast<int>(i) + 1, values.values()[i]);
  struct Change {
    std::int64_t id;
    std::string raw, reason;
  };
  std::vector<Change> changes;
  for (;;) {
    auto row = read->step();
    if (!row) return row.error().within("reading the quarantine");
    if (!*row) break;
    auto raw = values.scrub(read->text(1));
    if (!raw) continue;  // only inside longer words
    auto reason = values.scrub(read->text(2));
    changes.push_back(
        {read->int64(0), std::move(*raw), reason ? std::move(*reason) : std::string(read->text(2))});
  }
  auto update = db.prepare("UPDATE quarantine SET raw = ?2, reason = ?3 WHERE id = ?1");
  if (!update) return update.error();
  for (const Change& c : changes) {
    update->bind(1, c.id).bind_blob(2, c.raw).bind(3, c.reason);
    if (auto s = update->run(); !s) return s.error().within("erasing personal data from the quarantine");
  }
  return static_cast<std::int64_t>(changes.size());
}

Status exec_for(sqlite::Db& db, std::string_view sql, std::int64_t id) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  return stmt->run();
}

}  // namespace

std::string_view requester_name(ErasureRequester requester) {
  return kRequesters[static_cast<std::size_t>(requester)];
}

std::optional<ErasureRequester> requester_from_name(std::string_view name) {
  return enum_from_name<ErasureRequester>(kRequesters, name);
}

Result<std::optional<Erasure>> erasure_of_customer(sqlite::Db& db, std::int64_t customer_id) {
  return read_erasure(db, "WHERE e.customer_id = ?1 ORDER BY e.id DESC LIMIT 1",
                      [&](sqlite::Stmt& stmt) { stmt.bind(1, customer_id); });
}

Result<std::optional<Erasure>> erasure_of_pos_id(sqlite::Db& db, std::string_view pos_id) {
  return read_erasure(db, "WHERE e.id = (SELECT max(erasure_id) FROM erased_pos_ids WHERE pos_id = ?1)",
                      [&](sqlite::Stmt& stmt) { stmt.bind(1, pos_id); });
}

Result<ErasureOutcome> forget_customer(Ledger& ledger, const ErasureRequest& request) {
  // The person was told they are forgotten: a power cut must not bring them back.
  const DurableCommits durable(ledger);
  if (!durable.status()) return durable.status().error();
  auto txn = sqlite::Transaction::begin(ledger.db());
  if (!txn) return txn.error();
  auto out = forget_customer_in_transaction(ledger.db(), ledger.store_id(), ledger.clock().now(), request);
  if (!out || out->already || request.dry_run) return out;  // a dry run rolls back as txn goes
  if (auto s = txn->commit(); !s) return s.error();
  out->written = true;
  return out;
}

Result<ErasureOutcome> forget_customer_in_transaction(sqlite::Db& db, std::string_view store_id, Seconds now,
                                                      const ErasureRequest& request) {
  const std::int64_t id = request.customer_id;
  auto erased_at = db.prepare("SELECT erased_at IS NOT NULL FROM customers WHERE id = ?1");
  if (!erased_at) return erased_at.error();
  erased_at->bind(1, id);
  auto found = erased_at->step();
  if (!found) return found.error().within(erased_customer_label(id));
  if (!*found) {
    return make_error(ErrorKind::usage, "there is no customer " + std::to_string(id) +
                                            " in the ledger: give the POS's customer id, or #N for the "
                                            "ledger's number; nothing was erased");
  }
  const bool erased_before = erased_at->int64(0) != 0;
  erased_at->reset();

  ErasureOutcome out;
  if (erased_before) {
    auto before = erasure_of_customer(db, id);
    if (!before) return before.error();
    if (*before) out.erasure = std::move(**before);
    out.erasure.customer_id = id;
    out.already = true;
    return out;
  }

  auto read = db.prepare("SELECT " + customer_columns() + " FROM customers WHERE id = ?1");
  if (!read) return read.error();
  read->bind(1, id);
  auto record_row = read->step();
  if (!record_row) return record_row.error().within(erased_customer_label(id));
  if (!*record_row)
    return make_error(ErrorKind::internal, erased_customer_label(id) + " vanished while being erased");
  const CustomerRecord record = read_customer(*read);
  read->reset();

  Erasure& e = out.erasure;
  e.key = std::string(store_id) + ":erasure:" + std::to_string(id);
  e.customer_id = id;
  e.requested_by = request.requested_by;
  e.erased_at = now;
  e.counts.fields = field_names(record.fields);

  // Everything that names the person: their own details, those of records merged into them, and
  // the numbers and addresses Régua wrote to (a phone changed since is in older texts).
  PersonalValues own;       // for what was written to them or about them
  PersonalValues distinct;  // the same without the bare first name, for tables shared with others
  add_fields(own, record.fields);
  auto recipients = texts_of(db, "SELECT DISTINCT recipient FROM messages WHERE customer_id = ?1", id);
  if (!recipients) return recipients.error().within(erased_customer_label(id));
  for (const auto& r : *recipients) {
    own.add(r);
    distinct.add(r);
    if (r.starts_with('+')) {
      own.add(std::string_view(r).substr(1));
      distinct.add(std::string_view(r).substr(1));
    }
  }
  CustomerFields distinct_fields = record.fields;
  std::set<std::string> pos_ids;
  if (record.pos_id) pos_ids.insert(*record.pos_id);
  auto aliases = texts_of(db, "SELECT pos_id FROM customer_pos_ids WHERE customer_id = ?1", id);
  if (!aliases) return aliases.error().within(erased_customer_label(id));
  pos_ids.insert(aliases->begin(), aliases->end());
  auto merged = db.prepare(kMergedInto);
  if (!merged) return merged.error();
  merged->bind(1, id);
  std::vector<std::int64_t> merge_rows;
  for (;;) {
    auto m = merged->step();
    if (!m) return m.error().within(erased_customer_label(id) + ": records merged into it");
    if (!*m) break;
    merge_rows.push_back(merged->int64(0));
    if (!merged->is_null(1)) pos_ids.insert(std::string(merged->text(1)));
    for (int column = 2; column <= 7; ++column) {
      if (merged->is_null(column)) continue;
      const std::string_view value = merged->text(column);
      own.add(value);
      distinct.add(value);
      if (column == 2) own.add(first_name(value));
      if (column == 4 && value.starts_with('+')) {  // E.164: wa.me links carry the digits
        own.add(value.substr(1));
        distinct.add(value.substr(1));
      }
    }
  }
  if (distinct_fields.name) {
    distinct.add(*distinct_fields.name);
    distinct_fields.name.reset();
  }
  add_fields(distinct, distinct_fields);
  for (const auto& p : pos_ids) {
    distinct.add("\"" + p + "\"");  // a POS id in a quarantined JSON line
  }
  e.pos_ids.assign(pos_ids.begin(), pos_ids.end());
  e.counts.other_pos_ids = static_cast<std::int64_t>(aliases->size());

  auto actions = erase_actions(db, id, own, now);
  if (!actions) return actions.error().within(erased_customer_label(id));
  e.counts.jobs_cancelled = actions->jobs_cancelled;
  e.counts.tasks_cancelled = actions->tasks_cancelled;
  e.counts.messages_stopped = actions->intents_stopped;
  e.counts.messages = actions->messages_cleared;
  e.counts.tasks = actions->tasks_cleared;
  e.counts.decisions = actions->decisions_cleared;

  auto quarantined = scrub_quarantine(db, distinct);
  if (!quarantined) return quarantined.error().within(erased_customer_label(id));
  e.counts.quarantined_lines = *quarantined;

  if (auto s = exec_for(db, "DELETE FROM consents WHERE customer_id = ?1", id); !s) return s.error();
  e.counts.consents = db.changes();
  if (auto s = exec_for(db, "DELETE FROM customer_pos_ids WHERE customer_id = ?1", id); !s) return s.error();
  auto clear_merge = db.prepare(
      "UPDATE customer_merges SET merged_pos_id = NULL, merged_record = json_object('erased', ?2) WHERE id = "
      "?1");
  if (!clear_merge) return clear_merge.error();
  for (const auto row_id : merge_rows) {
    clear_merge->bind(1, row_id).bind(2, e.key);
    if (auto s = clear_merge->run(); !s)
      return s.error().within(erased_customer_label(id) + ": merge records");
  }
  e.counts.merge_records = static_cast<std::int64_t>(merge_rows.size());

  auto sales = db.query_int("SELECT count(*) FROM sales WHERE customer_id = " + std::to_string(id));
  if (!sales) return sales.error();
  e.counts.sales_kept = *sales;

  if (auto s = exec_for(db,
                        "UPDATE customers SET pos_id = NULL, name = NULL, phone = NULL, phone_e164 = NULL, "
                        "phone_kind = NULL, email = NULL, email_valid = 0, cpf = NULL, cpf_valid = 0, "
                        "birthday = NULL, birthday_valid = 0, erased_at = " +
                            std::to_string(now.time_since_epoch().count()) + " WHERE id = ?1",
                        id);
      !s)
    return s.error().within(erased_customer_label(id));

  std::string fields_json = "[";
  for (const auto& f : e.counts.fields)
    fields_json += (fields_json.size() > 1 ? ",\"" : "\"") + f + "\"";
  fields_json += "]";
  auto insert = db.prepare(kInsertErasure);
  if (!insert) return insert.error();
  const auto& c = e.counts;
  insert->bind(1, e.key)
      .bind(2, id)
      .bind(3, requester_name(e.requested_by))
      .bind(4, now.time_since_epoch().count())
      .bind(5, fields_json)
      .bind(6, c.consents)
      .bind(7, c.other_pos_ids)
      .bind(8, c.merge_records)
      .bind(9, c.messages)
      .bind(10, c.messages_stopped)
      .bind(11, c.tasks)
      .bind(12, c.decisions)
      .bind(13, c.jobs_cancelled)
      .bind(14, c.tasks_cancelled)
      .bind(15, c.quarantined_lines)
      .bind(16, c.sales_kept);
  if (auto s = insert->run(); !s)
    return s.error().within("recording the erasure of " + erased_customer_label(id));
  const std::int64_t erasure_id = db.last_insert_rowid();
  // The hub erases the same person: the record leaves with the change (docs/protocol.md).
  if (auto s = enqueue_outbox(db, OutboxKind::erasure, erasure_id); !s)
    return s.error().within("recording the erasure of " + erased_customer_label(id));
  auto erased_id = db.prepare("INSERT INTO erased_pos_ids (pos_id, erasure_id) VALUES (?1, ?2)");
  if (!erased_id) return erased_id.error();
  for (const auto& p : e.pos_ids) {
    erased_id->bind(1, p).bind(2, erasure_id);
    if (auto s = erased_id->run(); !s)
      return s.error().within("recording the erasure of " + erased_customer_label(id));
  }

  return out;
}

}  // namespace regua
