#pragma once
// The outbox: what must leave the machine for the hub, in the store's own gapless sequence. The
// ledger's triggers (migration 10) append a (kind, ref) row in the transaction of every change; the
// record is built from the row as it is when it is published (sync/record_builder.hpp). A row
// leaves only when the hub acknowledges its sequence end to end (acknowledge()).
//
// The sequence is the table's rowid (max + 1): acknowledging deletes everything up to the hub's
// ack except the newest row of the table, so a number is never given twice. Bounded on disk by a
// per-kind policy (enforce_outbox_bounds, docs/sync.md): sales, erasures and orders are never
// dropped; heartbeats only the latest is kept; customers, tasks, messages and KPI days keep only
// their newest row (their records carry the whole state); then heartbeats, messages, segment
// events and KPI days are dropped oldest first.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

enum class OutboxKind { customer, sale, segment, task, message, kpi_day, heartbeat, erasure, order };
std::string_view outbox_kind_name(OutboxKind kind);
std::optional<OutboxKind> outbox_kind_from_name(std::string_view name);

struct OutboxRow {
  std::int64_t seq = 0;
  OutboxKind kind = OutboxKind::sale;
  std::int64_t ref = 0;
};

// Appends a row (for what no trigger sees: heartbeats, KPI days, erasures). Call it inside the
// transaction of the change. A heartbeat replaces the heartbeats still waiting.
Status enqueue_outbox(sqlite::Db& db, OutboxKind kind, std::int64_t ref);

struct OutboxDepth {
  std::int64_t acked = 0;    // the hub's end-to-end ack (highest contiguous sequence it committed)
  std::int64_t waiting = 0;  // rows after it
  std::int64_t newest = 0;   // the highest sequence given (0: none yet)
};
Result<OutboxDepth> outbox_depth(sqlite::Db& db);

// The hub's ack as last recorded (0: none yet), and when.
struct OutboxAck {
  std::int64_t seq = 0;
  std::optional<Seconds> at;
};
Result<OutboxAck> outbox_ack(sqlite::Db& db);

// Up to `limit` rows after `after`, in sequence order.
Result<std::vector<OutboxRow>> read_outbox(sqlite::Db& db, std::int64_t after, int limit);

// Records the hub's ack of everything up to `seq` and deletes those rows (keeping the table's
// newest row), in one transaction committed with a full sync: an ack is not read again. An ack at
// or below the one recorded changes nothing. Returns the ack in force.
Result<std::int64_t> acknowledge_outbox(sqlite::Db& db, std::int64_t seq, Seconds now);

struct OutboxTrim {
  std::int64_t coalesced = 0;  // older rows of a state whose newer row waits too
  std::int64_t dropped = 0;    // droppable rows removed oldest first
  std::int64_t waiting = 0;    // rows waiting after the trim
  bool over_limit = false;     // still over `max_rows`: only never-dropped kinds are left (the alarm)
};
// Brings the rows waiting under `max_rows` by the policy above. Cheap when under the limit.
Result<OutboxTrim> enforce_outbox_bounds(sqlite::Db& db, std::int64_t max_rows);

}  // namespace regua
