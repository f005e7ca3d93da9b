#pragma once
// The ledger's schema, as numbered migrations. PRAGMA user_version holds the number of the last
// migration applied; an upgrade runs every pending migration in one transaction together with that
// number, so a failure or a crash during an upgrade leaves the ledger at its old version, intact.

#include <span>

#include "local/ledger/sqlite.hpp"

namespace regua {

struct Migration {
  int version;
  const char* summary;
  const char* sql;
};

// Every migration, oldest first; versions are 1, 2, 3, ... without gaps.
std::span<const Migration> ledger_migrations();

// The schema version this build writes.
int latest_ledger_version();

// Brings the ledger from its current user_version to the latest. Refuses (ErrorKind::incompatible)
// a ledger written by a newer version of Régua.
Status migrate_ledger(sqlite::Db& db);
// The same with a given list (tests upgrade through lists of their own, e.g. one that fails).
Status migrate_ledger(sqlite::Db& db, std::span<const Migration> migrations);

}  // namespace regua
