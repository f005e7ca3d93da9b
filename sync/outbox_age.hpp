#pragma once
// How long the oldest record still waiting for the hub's ack has waited (issue 8's sync lag, in
// seconds). Outbox rows carry no time (migration 10 keeps them three integers, written by triggers
// in every sale's transaction), so the sync thread keeps marks instead: now and then, "by this
// store-clock time the outbox had reached this sequence" (ledger_info `sync.outbox_marks`). The
// oldest waiting record was written at or before the first mark that reaches its sequence, so its
// age is known to within the marking interval, across restarts. A ledger that had records waiting
// before its first mark counts them from that mark (an agent upgraded with a backlog).

#include <cstdint>
#include <optional>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua::sync {

// Notes the outbox's newest sequence at `now` (when it grew since the last mark), and forgets marks
// the hub has acknowledged. At most kMaxOutboxMarks are kept: beyond, every other one goes (the
// resolution of a long backlog halves; its start stays exact).
inline constexpr std::size_t kMaxOutboxMarks = 256;
Status mark_outbox_progress(sqlite::Db& db, Seconds now);

// The store-clock time by which the oldest record still waiting (sequence above the hub's ack and
// below `before`) was written; empty when none waits. `now` stands for records newer than every mark.
Result<std::optional<std::int64_t>> oldest_waiting_at(sqlite::Db& db, std::int64_t before, Seconds now);

}  // namespace regua::sync
