#include <fmt/format.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/cli/progress.hpp"
#include "agent/connectors/file_import.hpp"
#include "agent/platform/stop_signals.hpp"
#include "agent/run/tailed_source.hpp"

namespace regua {
namespace {

Result<SourceKind> format_of(const std::filesystem::path& file, const std::optional<std::string>& format) {
  const std::string name = format ? *format : file.extension().string();
  if (name == "jsonl" || name == ".jsonl" || name == ".ndjson" || name == ".json") return SourceKind::jsonl;
  if (format) {
    return make_error(ErrorKind::usage, "unknown --format \"" + *format + "\" (allowed: jsonl)");
  }
  return make_error(ErrorKind::usage, "cannot tell the format of " + file.string() +
                                          " from its extension (.jsonl is JSON Lines): pass --format jsonl");
}

Result<IngestCounts> import_one(const AgentConfig& config, Ledger& ledger, const Clock& clock,
                                const std::filesystem::path& file, SourceKind kind) {
  auto ingestor = Ingestor::create(ledger);
  if (!ingestor) return ingestor.error();
  SourceConfig source{"import", kind, file, 0};
  auto decoder = make_decoder(source, config.store, clock);
  std::error_code ec;
  const auto size = static_cast<std::int64_t>(std::filesystem::file_size(file, ec));
  Progress progress("import " + file.filename().string(), ec ? 0 : size);
  std::int64_t done_bytes = 0, done_lines = 0;
  ImportHooks hooks;
  hooks.progress = [&](std::int64_t bytes, std::int64_t lines) {
    done_bytes = bytes;
    done_lines = lines;
    progress.update(bytes, lines);
  };
  hooks.should_stop = [] { return stop_requested(); };
  auto counts = import_file(*ingestor, *decoder, file, hooks);
  progress.finish(done_bytes, done_lines);
  return counts;
}

}  // namespace

int import_command(const AgentConfig& config, const std::vector<std::filesystem::path>& files,
                   const std::optional<std::string>& format) {
  std::vector<SourceKind> kinds;
  for (const auto& file : files) {
    auto kind = format_of(file, format);
    if (!kind) return report_error(kind.error());
    kinds.push_back(*kind);
  }
  SystemClock clock;
  auto ledger = open_ledger_for_writing(config, clock);
  if (!ledger) return report_error(ledger.error());
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto counts = import_one(config, *ledger, clock, files[i], kinds[i]);
    if (!counts) return report_error(counts.error());
    const auto& c = *counts;
    fmt::print(
        "{}: {} sale(s) added, {} already in the ledger; {} cancellation(s) ({} waiting for their sale, {} "
        "already "
        "known); {} customer update(s); {} line(s) quarantined, {} already quarantined\n",
        files[i].string(), c.sales_added, c.sales_replayed, c.cancels_applied + c.cancels_pending,
        c.cancels_pending, c.cancels_replayed, c.customer_updates, c.quarantined, c.quarantine_replayed);
  }
  return kExitOk;
}

}  // namespace regua
