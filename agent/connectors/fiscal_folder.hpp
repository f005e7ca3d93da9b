#pragma once
// A folder into which the POS drops fiscal XML files (*.xml; hidden files are skipped), and which
// of them are complete. A file being written must not be read half-way, and a POS gives no sign of
// being done, so a file counts as complete once its size and modification time have stayed the same
// for the settle time: judged by its modification time, or, when that is in the future (a clock set
// wrong, a network share), by how long this agent has seen it unchanged.

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "agent/platform/file_identity.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct FolderFile {
  std::filesystem::path path;
  FileFacts facts;
};

class FiscalFolder {
 public:
  FiscalFolder(std::filesystem::path folder, std::chrono::milliseconds settle);

  // The *.xml regular files in the folder, by name; empty when the folder does not exist.
  [[nodiscard]] std::vector<FolderFile> list() const;

  // Notes the file as seen now; true when it has settled (is complete).
  bool settled(const FolderFile& file);
  // Stops tracking a file (read, or gone).
  void forget(const std::filesystem::path& path) { seen_.erase(path.filename().string()); }
  // Stops tracking every file not in `present`.
  void keep_only(const std::vector<FolderFile>& present);
  // True while some file is waiting to settle.
  [[nodiscard]] bool waiting() const { return !seen_.empty(); }

  [[nodiscard]] const std::filesystem::path& path() const { return folder_; }

 private:
  struct Seen {
    FileFacts facts;
    std::chrono::steady_clock::time_point since;
  };

  std::filesystem::path folder_;
  std::chrono::milliseconds settle_;
  std::map<std::string, Seen> seen_;  // files not settled yet, by name
};

// Whether `name` is one the folder source reads: "*.xml" (any case), not hidden, not a temporary.
bool is_fiscal_file_name(std::string_view name);

struct FolderBacklog {
  bool exists = false;     // the folder is there
  std::int64_t files = 0;  // *.xml files in it not recorded as read in the ledger
  std::int64_t bytes = 0;
};

// What the folder holds that the ledger has not read yet, for `status`. Files the ledger cannot
// say anything about (an old ledger without the table) count as unread.
FolderBacklog unread_fiscal_files(const std::filesystem::path& folder, sqlite::Db& db);

}  // namespace regua
