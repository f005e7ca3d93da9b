#pragma once
// One store's ledger: a SQLite file in WAL mode holding its customers, sales, source checkpoints,
// quarantined inputs and outbox. Opening it creates or upgrades the schema, checks its integrity,
// and refuses a file that belongs to another store or to a newer version of Régua.

#include <filesystem>
#include <string>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct LedgerOptions {
  std::filesystem::path path;
  std::string store_id;         // the store this ledger belongs to; a ledger of another store is refused
  bool read_only = false;       // for readers such as `status`: never creates, upgrades or writes
  bool check_integrity = true;  // PRAGMA quick_check at open (writers)
};

class Ledger {
 public:
  static Result<Ledger> open(const LedgerOptions& options, const Clock& clock);

  [[nodiscard]] sqlite::Db& db() { return db_; }
  [[nodiscard]] const Clock& clock() const { return *clock_; }
  [[nodiscard]] const std::filesystem::path& path() const { return db_.path(); }
  [[nodiscard]] int schema_version() const { return schema_version_; }
  [[nodiscard]] const std::string& store_id() const { return store_id_; }
  // The copy made before this open upgraded the schema (local/ledger/backup.hpp); empty otherwise.
  [[nodiscard]] const std::filesystem::path& upgrade_backup() const { return upgrade_backup_; }

 private:
  Ledger(sqlite::Db db, const Clock& clock) : db_(std::move(db)), clock_(&clock) {}

  sqlite::Db db_;
  const Clock* clock_;
  int schema_version_ = 0;
  std::string store_id_;
  std::filesystem::path upgrade_backup_;
};

}  // namespace regua
