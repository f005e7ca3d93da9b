#pragma once
// Fiscal XML files already read (table processed_files, migration 3). A file is recorded in the
// same transaction as what it produced, so "recorded" means "its sales, cancellations and
// quarantine entries are in the ledger": a crash before the commit leaves it unread, after it read.

#include <cstdint>
#include <string>

#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct ProcessedFile {
  std::string source;
  std::string file;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t modified_ns = 0;
  std::uint64_t content_hash = 0;
  std::int64_t sales = 0;
  std::int64_t cancellations = 0;
  std::int64_t ignored = 0;
  std::int64_t quarantined = 0;
  std::string access_keys;  // separated by spaces
  std::string note;
};

class ProcessedFiles {
 public:
  // Prepares the statements once; must not outlive `db`.
  static Result<ProcessedFiles> create(sqlite::Db& db);

  // Whether a file with exactly this identity, size and modification time was read.
  Result<bool> has_identity(std::uint64_t device, std::uint64_t inode, std::int64_t size,
                            std::int64_t modified_ns);
  // Whether a file with these bytes was read (wherever it was).
  Result<bool> has_content(std::uint64_t content_hash, std::int64_t size);
  // Records a file inside the caller's open transaction; a file with the same content already
  // recorded is left as it was.
  Status record(const ProcessedFile& file, std::int64_t now);

 private:
  ProcessedFiles() = default;
  sqlite::Stmt by_identity_, by_content_, insert_;
};

// How many files were recorded, in all.
Result<std::int64_t> count_processed_files(sqlite::Db& db);

}  // namespace regua
