#pragma once
// One configured POS source being followed: its file follower and its decoder, feeding the ledger.
// A pump reads what is waiting into one transaction; if anything fails, the transaction is rolled
// back and the follower starts again from the checkpoint the ledger holds, so memory and ledger
// never disagree about where the source stands.

#include <memory>

#include "agent/config/config.hpp"
#include "agent/connectors/chunk_ingest.hpp"
#include "agent/connectors/file_follower.hpp"
#include "agent/connectors/line_decoder.hpp"
#include "agent/run/source.hpp"
#include "local/ledger/ingest.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {

class TailedSource final : public Source {
 public:
  TailedSource(SourceConfig config, std::unique_ptr<LineDecoder> decoder, Ledger& ledger);

  // Reads and commits what is waiting, up to a budget; true when more is waiting.
  Result<bool> pump(Ingestor& ingestor) override;

  [[nodiscard]] const SourceConfig& config() const override { return config_; }
  [[nodiscard]] bool caught_up() const override { return follower_ && follower_->caught_up(); }
  [[nodiscard]] std::filesystem::path watched_folder() const override { return config_.path.parent_path(); }

 private:
  Status resume_from_ledger();

  SourceConfig config_;
  std::unique_ptr<LineDecoder> decoder_;
  Ledger& ledger_;
  std::unique_ptr<FileFollower> follower_;
  RefusedLines refused_;
};

// The decoder for a line-based source's format (jsonl, csv).
std::unique_ptr<LineDecoder> make_decoder(const SourceConfig& source, const StoreConfig& store,
                                          const Clock& clock);

}  // namespace regua
