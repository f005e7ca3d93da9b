#pragma once
// A folder of fiscal XML documents (kind "nfe") as the agent follows it: files that have settled
// are read a batch at a time, each batch committed in one transaction together with the record of
// the files it read (table processed_files); then, when [source.nfe] processed_dir is set, the files
// are moved there. A crash before the commit leaves the files unread; after it, a file still in the
// folder is recognised as read and only moved. So each document is ingested once, across restarts.

#include <chrono>
#include <deque>
#include <optional>
#include <set>
#include <tuple>

#include "agent/connectors/fiscal_folder.hpp"
#include "agent/run/source.hpp"
#include "local/ledger/processed_files.hpp"

namespace regua {

class NfeFolderSource final : public Source {
 public:
  NfeFolderSource(SourceConfig config, const StoreConfig& store, Ledger& ledger);

  Result<bool> pump(Ingestor& ingestor) override;
  void changed() override { changed_ = true; }
  [[nodiscard]] const SourceConfig& config() const override { return config_; }
  [[nodiscard]] bool caught_up() const override { return scanned_ && queue_.empty() && !folder_.waiting(); }
  [[nodiscard]] std::filesystem::path watched_folder() const override { return config_.path; }

 private:
  using Identity = std::tuple<std::uint64_t, std::uint64_t, std::int64_t, std::int64_t>;
  static Identity identity_of(const FileFacts& f) {
    return {f.identity.device, f.identity.inode, f.size, f.modified_ns};
  }

  Status scan();
  void move_away(const std::filesystem::path& file);

  SourceConfig config_;
  const StoreConfig& store_;
  Ledger& ledger_;
  FiscalFolder folder_;
  std::optional<ProcessedFiles> processed_;
  std::deque<FolderFile> queue_;  // settled files not read yet, oldest first
  std::set<Identity> done_;       // files known to be read (in the ledger)
  std::set<std::string> move_failed_;
  bool changed_ = true;
  bool scanned_ = false;
  bool announced_missing_ = false;
  std::chrono::steady_clock::time_point last_scan_{};
};

}  // namespace regua
