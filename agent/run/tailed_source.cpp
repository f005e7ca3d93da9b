#include "agent/run/tailed_source.hpp"

#include <spdlog/spdlog.h>

#include "agent/connectors/csv_decoder.hpp"
#include "agent/connectors/jsonl_decoder.hpp"
#include "local/ledger/checkpoints.hpp"

namespace regua {
namespace {

// Bytes read per pump (and per transaction) before other work gets a turn: large enough that a
// backlog is read fast, small enough that signals and other sources wait only milliseconds.
constexpr std::size_t kPumpBudget = 8 << 20;

}  // namespace

TailedSource::TailedSource(SourceConfig config, std::unique_ptr<LineDecoder> decoder, Ledger& ledger)
    : config_(std::move(config)), decoder_(std::move(decoder)), ledger_(ledger) {}

Status TailedSource::resume_from_ledger() {
  auto cp = load_checkpoint(ledger_.db(), config_.name);
  if (!cp) return cp.error();
  follower_ = std::make_unique<FileFollower>(config_.name, config_.path, *cp);
  return {};
}

Result<bool> TailedSource::pump(Ingestor& ingestor) {
  if (!follower_) {
    if (auto s = resume_from_ledger(); !s) return s.error();
  }
  BatchedIngest batch(ingestor, *decoder_, config_.name, refused_);
  auto more = follower_->poll([&](const LineChunk& chunk) { return batch(chunk); }, kPumpBudget);
  if (more) {
    if (auto s = batch.commit(); !s) more = s.error();
  }
  if (more) return more;
  batch.rollback();
  follower_.reset();  // what it read was not committed: start again from the ledger's checkpoint
  if (more.error().kind == ErrorKind::input) {
    // The ledger refused a line; read again at once, and that line goes to the quarantine.
    spdlog::warn("source {}: {}", config_.name, more.error().message);
    return true;
  }
  return more;
}

std::unique_ptr<LineDecoder> make_decoder(const SourceConfig& source, const StoreConfig& store,
                                          const Clock& clock) {
  switch (source.kind) {
    case SourceKind::jsonl:
    case SourceKind::nfe:  // not line-based: its own source (make_source)
      return std::make_unique<JsonlDecoder>(store, clock);
    case SourceKind::csv: {
      auto csv = std::make_unique<CsvDecoder>(source.csv, store);
      // Resuming in the middle of a file: its header line, read long ago, says where the columns are.
      csv->learn_header_from(source.path);
      return csv;
    }
  }
  return std::make_unique<JsonlDecoder>(store, clock);
}

}  // namespace regua
