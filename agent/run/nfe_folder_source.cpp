#include "agent/run/nfe_folder_source.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "agent/connectors/fiscal_ingest.hpp"
#include "agent/platform/file_move.hpp"

namespace regua {
namespace {

// Files per transaction: a backlog is read fast, and signals and other sources still get a turn
// within a fraction of a second.
constexpr std::size_t kFilesPerPump = 256;
constexpr std::int64_t kBytesPerPump = 16 << 20;
// A full look at the folder at least this often, in case a notification was missed.
constexpr std::chrono::seconds kRescanEvery{30};

}  // namespace

NfeFolderSource::NfeFolderSource(SourceConfig config, const StoreConfig& store, Ledger& ledger)
    : config_(std::move(config)),
      store_(store),
      ledger_(ledger),
      folder_(config_.path, std::chrono::milliseconds(config_.nfe.settle_ms)) {}

void NfeFolderSource::move_away(const std::filesystem::path& file) {
  if (config_.nfe.processed_dir.empty()) return;
  auto moved = move_into(file, config_.nfe.processed_dir);
  if (moved) {
    move_failed_.erase(file.string());
    spdlog::debug("source {}: moved {} to {}", config_.name, file.string(), moved->string());
  } else if (move_failed_.insert(file.string()).second) {
    // Its documents are in the ledger already: the move is tried again at every look at the folder.
    spdlog::warn("source {}: {}", config_.name, moved.error().message);
  }
}

Status NfeFolderSource::scan() {
  const auto files = folder_.list();
  last_scan_ = std::chrono::steady_clock::now();
  scanned_ = true;
  std::error_code ec;
  if (files.empty() && !std::filesystem::is_directory(config_.path, ec)) {
    if (!announced_missing_)
      spdlog::info("source {}: waiting for the folder {} to appear", config_.name, config_.path.string());
    announced_missing_ = true;
    return {};
  }
  announced_missing_ = false;
  folder_.keep_only(files);
  queue_.clear();
  std::vector<std::filesystem::path> to_move;
  for (const FolderFile& f : files) {
    const Identity id = identity_of(f.facts);
    bool done = done_.count(id) != 0;
    if (!done) {
      auto known = processed_->has_identity(f.facts.identity.device, f.facts.identity.inode, f.facts.size,
                                            f.facts.modified_ns);
      if (!known) return known.error();
      done = *known;
      if (done) done_.insert(id);
    }
    if (done) {
      folder_.forget(f.path);
      to_move.push_back(f.path);  // read before a crash or a restart, not moved yet
    } else if (folder_.settled(f)) {
      queue_.push_back(f);
    }
  }
  // Oldest first: the order in which the POS wrote them.
  std::stable_sort(queue_.begin(), queue_.end(), [](const FolderFile& a, const FolderFile& b) {
    return a.facts.modified_ns < b.facts.modified_ns;
  });
  for (const auto& file : to_move)
    move_away(file);
  return {};
}

Result<bool> NfeFolderSource::pump(Ingestor& ingestor) {
  if (!processed_) {
    auto p = ProcessedFiles::create(ledger_.db());
    if (!p) return p.error();
    processed_.emplace(std::move(*p));
  }
  const auto now = std::chrono::steady_clock::now();
  if (queue_.empty() && (changed_ || folder_.waiting() || !scanned_ || now - last_scan_ >= kRescanEvery)) {
    changed_ = false;
    if (auto s = scan(); !s) return s.error();
  }
  if (queue_.empty()) return false;

  if (auto s = ingestor.begin(); !s) return s.error();
  std::vector<FolderFile> handled;
  std::size_t taken = 0;
  std::int64_t bytes = 0;
  for (; taken < queue_.size() && taken < kFilesPerPump && bytes < kBytesPerPump; ++taken) {
    const FolderFile& candidate = queue_[taken];
    auto file = read_fiscal_file(candidate.path);
    if (!file) {
      spdlog::warn("source {}: {}; trying again later", config_.name, file.error().message);
      changed_ = true;
      continue;
    }
    if (file->facts.size != candidate.facts.size || file->facts.modified_ns != candidate.facts.modified_ns) {
      changed_ = true;  // written to since it was looked at: not complete after all
      continue;
    }
    bytes += file->facts.size;
    auto known = processed_->has_content(file->content_hash, static_cast<std::int64_t>(file->bytes.size()));
    if (!known) {
      ingestor.rollback();
      return known.error();
    }
    if (!*known) {
      auto outcome = ingest_fiscal_file(ledger_.db(), ingestor, *processed_, *file, config_.name,
                                        *store_.zone, ledger_.clock().now().time_since_epoch().count());
      if (!outcome) {
        ingestor.rollback();
        return outcome.error();
      }
      for (const auto& note : outcome->notes)
        spdlog::info("source {}: {}: {}", config_.name, candidate.path.filename().string(), note);
    }
    handled.push_back({candidate.path, file->facts});
  }
  if (auto s = ingestor.commit(); !s) return s.error();
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(taken));
  for (const FolderFile& f : handled) {
    done_.insert(identity_of(f.facts));
    folder_.forget(f.path);
    move_away(f.path);
  }
  return !queue_.empty();
}

}  // namespace regua
