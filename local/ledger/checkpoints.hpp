#pragma once
// Where each source stopped reading. A checkpoint is saved in the same transaction as the rows
// read up to it, so after a crash a source resumes exactly after the last committed row.

#include <cstdint>
#include <optional>
#include <string>

#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct FileCheckpoint {
  std::string source;        // the source's name in the configuration
  std::uint64_t device = 0;  // identity of the file being read...
  std::uint64_t inode = 0;
  std::int64_t byte_offset = 0;      // ...how far it was read (always at a line start)...
  std::int64_t line = 0;             // ...how many lines that is...
  std::int64_t fingerprint_len = 0;  // ...and a hash of its first bytes, to recognise it after a rename
  std::uint64_t fingerprint = 0;

  bool operator==(const FileCheckpoint&) const = default;
};

Result<std::optional<FileCheckpoint>> load_checkpoint(sqlite::Db& db, const std::string& source);
Status save_checkpoint(sqlite::Db& db, const FileCheckpoint& checkpoint, std::int64_t now);

}  // namespace regua
