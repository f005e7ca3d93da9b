#pragma once
// Connection settings for a bulk import (`regua-agent import`), on a connection that nothing but
// the Ingestor writes on while it lasts; the ledger's own settings (local/ledger/ledger.cpp) come
// back when the scope ends.
//
// - Foreign keys are not enforced. The Ingestor writes every parent before its children (a
//   customer before the sales, consents and POS id aliases that name it, a sale before its items)
//   and deletes nothing, so the checks can never fail; they cost a parent look-up for every child
//   row.
//   tests/agent/bulk_import_test.cpp runs `PRAGMA foreign_key_check` after imports that replay,
//   cancel before and after the sale, refuse a line and follow a merge. Every other writer (`run`,
//   the HTTP API, merges, erasures) keeps enforcement on.
// - A smaller page cache: an import appends, and what it reads again (the indexes' hot pages,
//   which the OS page cache holds anyway) fits in kImportCacheKiB; the memory is the agent's peak.

#include <cstdint>

#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

class BulkImportSettings {
 public:
  static constexpr std::int64_t kImportCacheKiB = 8 << 10;

  // Call outside a transaction (SQLite ignores a change of foreign_keys inside one).
  static Result<BulkImportSettings> apply(sqlite::Db& db);
  BulkImportSettings(BulkImportSettings&& other) noexcept;
  BulkImportSettings& operator=(BulkImportSettings&&) = delete;
  BulkImportSettings(const BulkImportSettings&) = delete;
  BulkImportSettings& operator=(const BulkImportSettings&) = delete;
  ~BulkImportSettings();

 private:
  BulkImportSettings(sqlite::Db& db, bool foreign_keys, std::int64_t cache_size)
      : db_(&db), foreign_keys_(foreign_keys), cache_size_(cache_size) {}

  sqlite::Db* db_;
  bool foreign_keys_;
  std::int64_t cache_size_;
};

}  // namespace regua
