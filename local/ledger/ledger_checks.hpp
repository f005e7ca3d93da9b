#pragma once
// The checks that tell whether a SQLite file is a sound Régua ledger and whose it is, shared by
// opening a ledger and by backups (local/ledger/backup.hpp).

#include <cstdint>
#include <optional>
#include <string>

#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

// PRAGMA application_id of every Régua ledger ("RGUA"), so that another SQLite file is never
// mistaken for one.
inline constexpr std::int64_t kLedgerApplicationId = 0x52475541;

// Refuses a file that is neither a Régua ledger nor new and empty.
Status check_is_ledger(sqlite::Db& db);

// PRAGMA quick_check; the error lists what SQLite found and says what to do.
Status check_integrity(sqlite::Db& db);

// The store the ledger was claimed for; nullopt when no writer claimed it yet.
Result<std::optional<std::string>> read_ledger_owner(sqlite::Db& db);

// Refuses a ledger claimed by another store.
Status check_owner(const std::filesystem::path& path, const std::string& owner, const std::string& store_id);

}  // namespace regua
