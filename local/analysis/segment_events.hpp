#pragma once
// Segment changes as events in the ledger (table segment_events): "customer C entered cell X on
// day D", because rules trigger on them. A customer's cell changes when its figures change (a sale,
// a cancellation, a merge: recorded by ingest in the same transaction, see customer_stats.hpp) and
// with the passing of time (its last purchase ages past a bucket limit with no ingest at all):
// refresh_segments() records those, looking only at the customers whose last purchase crossed a
// limit since its previous run, plus those whose figures changed without a cell being evaluated.
//
// Each event keeps the cell entered, the cell left, the store-local day from which the customer is
// in the new cell, and the figures that put it there, so a customer's cell on any day can be read
// back from the events alone. docs/segments.md describes the table and the causes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

enum class SegmentCause { sale, cancel, merge, time, thresholds, migration, rebuild };
std::string_view segment_cause_name(SegmentCause cause);
std::optional<SegmentCause> segment_cause_from_name(std::string_view name);

struct CellChange {
  std::int64_t customer_id = 0;
  std::optional<Cell> cell;             // empty: the customer left the matrix (no purchase left)
  std::optional<std::string> previous;  // the code of the cell left; empty: had none
  std::int64_t day = 0;                 // store-local day from which the customer is in `cell`
  Seconds at{};                         // when it was recorded
  std::int64_t purchases = 0;
  std::optional<std::int64_t> last_at;  // UTC seconds of the last purchase
  SegmentCause cause = SegmentCause::sale;
};

// Writes changes: the event row, and the customer's current cell in customer_stats. Statements are
// prepared once; the writer must not outlive the connection.
class SegmentEventWriter {
 public:
  static Result<SegmentEventWriter> create(sqlite::Db& db);
  Status write(const CellChange& change);

 private:
  SegmentEventWriter() = default;
  sqlite::Stmt set_cell_, insert_event_;
};

// The cell a customer with these figures is in on `today`; empty without purchases.
std::optional<Cell> current_cell(std::int64_t purchases, std::optional<std::int64_t> last_at,
                                 std::int64_t today, const SegmentPolicy& policy);

struct RefreshReport {
  std::int64_t today = 0;
  std::int64_t evaluated = 0;  // customers looked at
  std::int64_t recorded = 0;   // events written
  bool full = false;           // every customer was looked at (first run, new limits, clock set back)
};

// Records the cell changes since the previous run, in one transaction of its own (call it outside
// one). Looks at every customer on its first run, when the limits changed, and when the store-local
// day went backwards; otherwise only at customers whose last purchase crossed a limit between the
// previous run's day and today, and those whose figures changed without a cell being evaluated
// (ingest without a policy, merges, the migration). Recording is idempotent: a customer whose cell
// did not change gets no event, however often this runs.
Result<RefreshReport> refresh_segments(sqlite::Db& db, const SegmentPolicy& policy, const Clock& clock);

}  // namespace regua
