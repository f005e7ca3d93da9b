#include "local/ledger/bulk_import.hpp"

#include <string>

namespace regua {

Result<BulkImportSettings> BulkImportSettings::apply(sqlite::Db& db) {
  auto foreign_keys = db.query_int("PRAGMA foreign_keys");
  if (!foreign_keys) return foreign_keys.error();
  auto cache_size = db.query_int("PRAGMA cache_size");
  if (!cache_size) return cache_size.error();
  if (auto s = db.exec("PRAGMA foreign_keys = OFF"); !s) return s.error();
  BulkImportSettings settings(db, *foreign_keys != 0, *cache_size);
  if (auto s = db.exec("PRAGMA cache_size = -" + std::to_string(kImportCacheKiB)); !s) return s.error();
  return settings;
}

BulkImportSettings::BulkImportSettings(BulkImportSettings&& other) noexcept
    : db_(other.db_), foreign_keys_(other.foreign_keys_), cache_size_(other.cache_size_) {
  other.db_ = nullptr;
}

BulkImportSettings::~BulkImportSettings() {
  if (db_ == nullptr) return;
  // Best effort: the connection is the import's own and closes soon after.
  (void)db_->exec(foreign_keys_ ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF");
  (void)db_->exec("PRAGMA cache_size = " + std::to_string(cache_size_));
}

}  // namespace regua
