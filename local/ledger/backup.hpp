#pragma once
// Copies of a ledger made with SQLite's online backup API: consistent while the agent keeps
// writing (the copy is a snapshot of one moment), and checked before anyone relies on it.
//
// `regua-agent backup` / `restore` use them, and opening a ledger that needs a schema upgrade makes
// one first, so that an upgrade that goes wrong in a way SQLite cannot roll back (a bug in a
// migration, a disk that lies) still leaves the old ledger recoverable. Copies are created 0600:
// they hold the same personal data as the ledger.

#include <filesystem>
#include <optional>
#include <string>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

// What a ledger file says about itself, read without changing it.
struct LedgerIdentity {
  std::string store_id;  // empty when no writer ever claimed it
  int schema_version = 0;
};

// Reads a ledger file's store and schema version; refuses files that are not Régua ledgers or fail
// SQLite's integrity check.
Result<LedgerIdentity> inspect_ledger(const std::filesystem::path& path);

// Copies the open ledger `db` to `target` (which must not exist), page by page while other
// connections keep writing, then checks the copy. On any failure no partial file is left.
Status backup_ledger(sqlite::Db& db, const std::filesystem::path& target);

// Replaces the ledger at `ledger_path` with the backup `source` after checking that the backup is a
// sound ledger of store `store_id` (a backup of another store is refused). The current ledger, if
// any, is kept beside it as `<ledger>.before-restore-<UTC time>` unless it is empty. The agent must
// not be running: the caller checks that no other connection holds the ledger.
Status restore_ledger(const std::filesystem::path& source, const std::filesystem::path& ledger_path,
                      const std::string& store_id, Seconds now);

// Where the automatic copy before a schema upgrade goes: `<ledger>.v<from>.backup`.
std::filesystem::path upgrade_backup_path(const std::filesystem::path& ledger_path, int from_version);

}  // namespace regua
