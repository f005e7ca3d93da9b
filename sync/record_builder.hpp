#pragma once
// Builds the record of an outbox row from the ledger as it is now (docs/protocol.md lists each
// kind's fields). Records are state-based upserts: a sale's record carries whether it is cancelled,
// a task's its current state; a row whose source is gone (a customer merged away or erased) gives
// a record saying so. Personal data follows the PII policy (sync/pii.hpp).
//
// Reads only, on the sync thread's own connection; never fails on odd data (text that is not
// UTF-8 is replaced), so one strange row cannot stop the stream.

#include <memory>
#include <string>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/outbox.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/rules/store_zone.hpp"
#include "sync/pii.hpp"

namespace regua::sync {

class RecordBuilder {
 public:
  // `zone` (not owned) turns KPI days into instants; the statements are prepared once.
  static Result<std::unique_ptr<RecordBuilder>> create(sqlite::Db& db, PiiSettings pii,
                                                       const StoreZone& zone);
  virtual ~RecordBuilder() = default;

  // One JSON object (no newline). `now` is the heartbeat's clock.
  virtual Result<std::string> build(const OutboxRow& row, Seconds now) = 0;
};

// The store-local day number of a KPI day row's ref as "YYYY-MM-DD".
std::string kpi_day_text(std::int64_t day);

}  // namespace regua::sync
