#pragma once
// What happened with one customer, from the ledger's own rows: sales (and their cancellations),
// messages, staff tasks and moves between lifecycle cells. The web app's customer page shows it
// beside the rule decisions (scheduler/decisions.hpp, which `why` prints), so that staff see in
// one place what the customer did and what the store did about it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

enum class TimelineKind { sale, cancellation, message, task, segment };
std::string_view timeline_kind_name(TimelineKind kind);  // "sale", "cancellation", ...

struct TimelineEntry {
  Seconds at{};
  TimelineKind kind = TimelineKind::sale;
  std::int64_t ref = 0;  // the row: sales.id, messages.id, tasks.id, segment_events.id
  // sale, cancellation: the POS sale id; message, task: the rule; segment: the cell entered
  // (empty: left the matrix)
  std::string name;
  // message, task: its state; segment: the cell it left (empty: none)
  std::string state;
  std::string channel;                // message, task
  std::string text;                   // message: its body; task: its title
  std::optional<std::string> detail;  // message: why it failed or was cancelled; task: its outcome
  std::optional<std::int64_t> cents;  // sale, cancellation: its total
};

// Newest first (ties: the order the rows were written), at most `limit` entries.
Result<std::vector<TimelineEntry>> customer_timeline(sqlite::Db& db, std::int64_t customer_id,
                                                     std::int64_t limit);

}  // namespace regua
