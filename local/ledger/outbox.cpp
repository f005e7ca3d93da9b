#include "local/ledger/outbox.hpp"

#include <array>

#include "local/ledger/ledger_info.hpp"

namespace regua {
namespace {

constexpr std::array<std::pair<OutboxKind, std::string_view>, 9> kOutboxKindNames{{
    {OutboxKind::customer, "customer"},
    {OutboxKind::sale, "sale"},
    {OutboxKind::segment, "segment"},
    {OutboxKind::task, "task"},
    {OutboxKind::message, "message"},
    {OutboxKind::kpi_day, "kpi_day"},
    {OutboxKind::heartbeat, "heartbeat"},
    {OutboxKind::erasure, "erasure"},
    {OutboxKind::order, "order"},
}};

constexpr std::string_view kAckedKey = "sync.acked_seq";
constexpr std::string_view kAckedAtKey = "sync.acked_at";

Result<std::int64_t> count_waiting(sqlite::Db& db, std::int64_t acked) {
  auto stmt = db.prepare("SELECT count(*) FROM outbox WHERE seq > ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, acked);
  auto row = stmt->step();
  if (!row) return row.error();
  const auto n = stmt->int64(0);
  stmt->reset();
  return n;
}

Result<std::int64_t> run_counted(sqlite::Db& db, std::string_view sql, std::int64_t acked,
                                 std::int64_t limit = 0) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  stmt->bind(1, acked);
  if (limit > 0) stmt->bind(2, limit);
  if (auto s = stmt->run(); !s) return s.error();
  return static_cast<std::int64_t>(db.changes());
}

}  // namespace

std::string_view outbox_kind_name(OutboxKind kind) {
  for (const auto& [k, name] : kOutboxKindNames) {
    if (k == kind) return name;
  }
  return "sale";
}

std::optional<OutboxKind> outbox_kind_from_name(std::string_view name) {
  for (const auto& [k, n] : kOutboxKindNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

Status enqueue_outbox(sqlite::Db& db, OutboxKind kind, std::int64_t ref) {
  if (kind == OutboxKind::heartbeat) {
    // Only the latest heartbeat matters, and its record is built when it is published: a waiting
    // heartbeat at the end of the table already is the latest. Others waiting go (the newest row of
    // the table stays whatever it is: it keeps the sequence).
    auto acked = read_ledger_info_int(db, kAckedKey);
    if (!acked) return acked.error();
    auto last = db.prepare("SELECT kind = 'heartbeat' AND seq > ?1 FROM outbox ORDER BY seq DESC LIMIT 1");
    if (!last) return last.error();
    last->bind(1, acked->value_or(0));
    auto row = last->step();
    if (!row) return row.error();
    const bool latest_waits = *row && last->int64(0) == 1;
    if (*row) last->reset();
    if (latest_waits) return {};
    auto drop = db.prepare(
        "DELETE FROM outbox WHERE kind = 'heartbeat' AND seq > ?1 AND seq < (SELECT max(seq) FROM outbox)");
    if (!drop) return drop.error();
    drop->bind(1, acked->value_or(0));
    if (auto s = drop->run(); !s) return s.error().within("outbox: replacing the waiting heartbeat");
  }
  auto stmt = db.prepare("INSERT INTO outbox (kind, ref) VALUES (?1, ?2)");
  if (!stmt) return stmt.error();
  stmt->bind(1, outbox_kind_name(kind)).bind(2, ref);
  if (auto s = stmt->run(); !s)
    return s.error().within("outbox: adding a " + std::string(outbox_kind_name(kind)));
  return {};
}

Result<OutboxAck> outbox_ack(sqlite::Db& db) {
  auto seq = read_ledger_info_int(db, kAckedKey);
  if (!seq) return seq.error();
  auto at = read_ledger_info_int(db, kAckedAtKey);
  if (!at) return at.error();
  OutboxAck ack;
  ack.seq = seq->value_or(0);
  if (*at) ack.at = Seconds{std::chrono::seconds{**at}};
  return ack;
}

Result<OutboxDepth> outbox_depth(sqlite::Db& db) {
  auto ack = outbox_ack(db);
  if (!ack) return ack.error();
  OutboxDepth depth;
  depth.acked = ack->seq;
  auto waiting = count_waiting(db, depth.acked);
  if (!waiting) return waiting.error();
  depth.waiting = *waiting;
  auto newest = db.query_int("SELECT coalesce(max(seq), 0) FROM outbox");
  if (!newest) return newest.error();
  depth.newest = *newest;
  return depth;
}

Result<std::vector<OutboxRow>> read_outbox(sqlite::Db& db, std::int64_t after, int limit) {
  auto stmt = db.prepare("SELECT seq, kind, ref FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, after).bind(2, static_cast<std::int64_t>(limit));
  std::vector<OutboxRow> rows;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    const auto kind = outbox_kind_from_name(stmt->text(1));
    if (!kind) {
      stmt->reset();
      return make_error(ErrorKind::ledger, "outbox row " + std::to_string(stmt->int64(0)) +
                                               " has an unknown kind; this ledger was written by a newer "
                                               "Régua: install that version");
    }
    rows.push_back(OutboxRow{stmt->int64(0), *kind, stmt->int64(2)});
  }
  return rows;
}

Result<std::int64_t> acknowledge_outbox(sqlite::Db& db, std::int64_t seq, Seconds now) {
  // An ack is not read again: it reaches the disk before the rows it frees are reused.
  if (auto s = db.exec("PRAGMA synchronous = FULL"); !s) return s.error();
  struct NormalAgain {
    sqlite::Db* db;
    ~NormalAgain() { (void)db->exec("PRAGMA synchronous = NORMAL"); }
  } normal_again{&db};
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  auto recorded = read_ledger_info_int(db, kAckedKey);
  if (!recorded) return recorded.error();
  const auto before = recorded->value_or(0);
  if (seq <= before) return before;
  auto drop = db.prepare("DELETE FROM outbox WHERE seq <= ?1 AND seq < (SELECT max(seq) FROM outbox)");
  if (!drop) return drop.error();
  drop->bind(1, seq);
  if (auto s = drop->run(); !s) return s.error().within("outbox: deleting what the hub acknowledged");
  if (auto s = write_ledger_info(db, kAckedKey, std::to_string(seq)); !s) return s.error();
  if (auto s = write_ledger_info(db, kAckedAtKey, std::to_string(now.time_since_epoch().count())); !s)
    return s.error();
  if (auto s = txn->commit(); !s) return s.error();
  return seq;
}

Result<OutboxTrim> enforce_outbox_bounds(sqlite::Db& db, std::int64_t max_rows) {
  OutboxTrim trim;
  auto ack = outbox_ack(db);
  if (!ack) return ack.error();
  auto waiting = count_waiting(db, ack->seq);
  if (!waiting) return waiting.error();
  trim.waiting = *waiting;
  if (trim.waiting <= max_rows) return trim;

  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  // 1. Lossless: a state whose newer row waits too needs no older one (records carry the whole
  //    state). The table's newest row stays whatever it is: it keeps the sequence.
  auto coalesced = run_counted(db, R"sql(
    DELETE FROM outbox WHERE seq IN (
      SELECT seq FROM (
        SELECT seq, row_number() OVER (PARTITION BY kind, ref ORDER BY seq DESC) AS newer
        FROM outbox WHERE seq > ?1
          AND kind IN ('customer', 'task', 'message', 'kpi_day', 'heartbeat'))
      WHERE newer > 1)
    AND seq < (SELECT max(seq) FROM outbox))sql",
                               ack->seq);
  if (!coalesced) return coalesced.error().within("outbox: keeping only the newest row of each state");
  trim.coalesced = *coalesced;
  trim.waiting -= trim.coalesced;
  // 2. Lossy, oldest first, least valuable kind first: the hub can live without these.
  for (const char* kind : {"heartbeat", "message", "segment", "kpi_day"}) {
    if (trim.waiting <= max_rows) break;
    auto stmt = db.prepare(
        "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE seq > ?1 AND kind = ?3 "
        "AND seq < (SELECT max(seq) FROM outbox) ORDER BY seq LIMIT ?2)");
    if (!stmt) return stmt.error();
    stmt->bind(1, ack->seq).bind(2, trim.waiting - max_rows).bind(3, std::string_view(kind));
    if (auto s = stmt->run(); !s) return s.error().within(std::string("outbox: dropping ") + kind + " rows");
    trim.dropped += db.changes();
    trim.waiting -= db.changes();
  }
  if (auto s = txn->commit(); !s) return s.error();
  trim.over_limit = trim.waiting > max_rows;
  return trim;
}

}  // namespace regua
