#pragma once
// Reading back the inputs that were quarantined: where each came from and why, for `status` and
// for the people who fix the POS side.

#include <cstdint>
#include <string>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct QuarantinedInput {
  std::int64_t id = 0;
  std::string source;
  std::string file;
  std::int64_t line = 0;
  std::int64_t byte_offset = 0;
  std::string raw;
  std::string reason;
  Seconds at{};
};

// The newest `limit` entries, newest first.
Result<std::vector<QuarantinedInput>> recent_quarantine(sqlite::Db& db, int limit);

}  // namespace regua
