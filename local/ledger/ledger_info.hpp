#pragma once
// The ledger's own key-value facts (table ledger_info): the store it belongs to, where the sync's
// acknowledgements and the segment refresh left off, the scheduler's bookkeeping. Read and written
// inside the caller's transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

Result<std::optional<std::string>> read_ledger_info(sqlite::Db& db, std::string_view key);
// The value read as an integer (SQLite's CAST: text that is not a number reads as 0).
Result<std::optional<std::int64_t>> read_ledger_info_int(sqlite::Db& db, std::string_view key);
Status write_ledger_info(sqlite::Db& db, std::string_view key, std::string_view value);

}  // namespace regua
