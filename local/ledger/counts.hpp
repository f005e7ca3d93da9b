#pragma once
// How much the ledger holds, for `status` and for checks: answered from the ledger alone, so it
// works while the agent is writing.

#include <cstdint>
#include <vector>

#include "local/core/result.hpp"
#include "local/ledger/checkpoints.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct LedgerCounts {
  std::int64_t sales = 0;  // distinct sales, cancelled included
  std::int64_t cancelled = 0;
  std::int64_t anonymous_sales = 0;  // sales without a customer
  std::int64_t pending_cancels = 0;  // cancellations whose sale has not arrived
  std::int64_t customers = 0;
  std::int64_t quarantined = 0;
  std::int64_t outbox_depth = 0;
};

Result<LedgerCounts> count_ledger(sqlite::Db& db);
Result<std::vector<FileCheckpoint>> list_checkpoints(sqlite::Db& db);

}  // namespace regua
