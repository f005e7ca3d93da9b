#pragma once
// Since when the oldest record waiting for the hub has waited. Outbox rows carry no time (they are
// kept small, and a column would cost every sale's transaction), so the sync thread notes, at most
// once a minute, the newest sequence and the time (ledger_info "sync.outbox_marks": [[seq, unix],
// ...]): a record existed at the first mark whose sequence reaches it, so it has waited at least
// since then. The marks the hub's ack passed are dropped; past 256 marks every other one goes (the
// first stays), so a store offline for months keeps a few KB. `doctor` turns this into a warning.

#include <cstdint>
#include <optional>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua::sync {

// Called by the sync thread's housekeeping (every 30 s); writes only when something changed.
Status mark_outbox_time(sqlite::Db& db, Seconds now);

struct OutboxAge {
  std::int64_t waiting = 0;             // records the hub has not acknowledged
  std::optional<Seconds> oldest_since;  // the oldest of them has waited at least since then
};
Result<OutboxAge> read_outbox_age(sqlite::Db& db);

}  // namespace regua::sync
