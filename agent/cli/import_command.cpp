#include <algorithm>

#include <fmt/format.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/cli/progress.hpp"
#include "agent/connectors/file_import.hpp"
#include "agent/connectors/fiscal_import.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "agent/platform/stop_signals.hpp"
#include "agent/run/tailed_source.hpp"

namespace regua {
namespace {

// Which kind of input `name` (a --format value or a file extension) is.
std::optional<SourceKind> kind_named(std::string_view name) {
  if (name == "jsonl" || name == ".jsonl" || name == ".ndjson" || name == ".json") return SourceKind::jsonl;
  if (name == "csv" || name == ".csv") return SourceKind::csv;
  if (name == "nfe" || name == "xml" || name == ".xml") return SourceKind::nfe;
  return std::nullopt;
}

// How `file` is read: as the --source named, else by --format or its extension (a folder holds fiscal
// XML). A CSV file needs the columns of a configured csv source.
Result<SourceConfig> import_source_for(const AgentConfig& config, const std::filesystem::path& file,
                                       const std::optional<std::string>& format,
                                       const std::optional<std::string>& source_name) {
  std::error_code ec;
  const bool folder = std::filesystem::is_directory(file, ec);
  SourceConfig source;
  if (source_name) {
    const auto it = std::find_if(config.sources.begin(), config.sources.end(),
                                 [&](const SourceConfig& s) { return s.name == *source_name; });
    if (it == config.sources.end()) {
      std::string names;
      for (const auto& s : config.sources)
        names += (names.empty() ? "\"" : ", \"") + s.name + "\"";
      return make_error(ErrorKind::usage,
                        "--source \"" + *source_name +
                            "\" is not a [[source]] name of the configuration (its sources: " + names + ")");
    }
    source = *it;
    if (format && kind_named(*format) != source.kind) {
      return make_error(ErrorKind::usage, "--format " + *format + " contradicts --source " + *source_name +
                                              ", which is of kind " +
                                              std::string(source_kind_name(source.kind)));
    }
  } else {
    const auto kind = format   ? kind_named(*format)
                      : folder ? std::optional<SourceKind>{SourceKind::nfe}
                               : kind_named(file.extension().string());
    if (!kind && format) {
      return make_error(ErrorKind::usage, "unknown --format \"" + *format + "\" (allowed: jsonl, csv, nfe)");
    }
    if (!kind) {
      return make_error(
          ErrorKind::usage,
          "cannot tell the format of " + file.string() +
              " from its extension (.jsonl is JSON Lines, .csv is CSV, .xml is fiscal XML): pass "
              "--format jsonl, csv or nfe");
    }
    source.kind = *kind;
    if (*kind == SourceKind::csv) {
      const auto it = std::find_if(config.sources.begin(), config.sources.end(),
                                   [](const SourceConfig& s) { return s.kind == SourceKind::csv; });
      if (it == config.sources.end()) {
        return make_error(ErrorKind::usage,
                          "importing CSV needs its columns: add a [[source]] with kind = \"csv\" and its "
                          "[source.columns] to the configuration (docs/config.md), or pass --source NAME");
      }
      source.csv = it->csv;
    }
  }
  if (folder && source.kind != SourceKind::nfe) {
    return make_error(ErrorKind::usage,
                      file.string() +
                          " is a folder: only folders of fiscal XML documents (.xml) can be "
                          "imported; give the files themselves");
  }
  source.name = "import";
  source.path = file;
  return source;
}

Result<FiscalImportCounts> import_fiscal(const AgentConfig& config, Ledger& ledger,
                                         const std::filesystem::path& path) {
  auto phones = LibphonenumberNormaliser::create(config.store.country);
  if (!phones) return phones.error();
  auto ingestor = Ingestor::create(ledger, *phones);
  if (!ingestor) return ingestor.error();
  std::error_code ec;
  const auto files = std::filesystem::is_directory(path, ec) ? fiscal_files_in(path) : std::vector{path};
  std::int64_t total = 0;
  for (const auto& f : files)
    total += static_cast<std::int64_t>(std::filesystem::file_size(f, ec));
  Progress progress("import " + path.filename().string(), total, stderr, "documents");
  std::int64_t done_bytes = 0, done_documents = 0;
  ImportHooks hooks;
  hooks.progress = [&](std::int64_t bytes, std::int64_t documents) {
    done_bytes = bytes;
    done_documents = documents;
    progress.update(bytes, documents);
  };
  hooks.should_stop = [] { return stop_requested(); };
  auto counts = import_fiscal_files(ledger, *ingestor, files, *config.store.zone, hooks);
  progress.finish(done_bytes, done_documents);
  return counts;
}

Result<IngestCounts> import_one(const AgentConfig& config, Ledger& ledger, const Clock& clock,
                                const std::filesystem::path& file, const SourceConfig& source) {
  auto phones = LibphonenumberNormaliser::create(config.store.country);
  if (!phones) return phones.error();
  auto ingestor = Ingestor::create(ledger, *phones);
  if (!ingestor) return ingestor.error();
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
                   const std::optional<std::string>& format, const std::optional<std::string>& source) {
  std::vector<SourceConfig> sources;
  for (const auto& file : files) {
    auto how = import_source_for(config, file, format, source);
    if (!how) return report_error(how.error());
    sources.push_back(std::move(*how));
  }
  SystemClock clock;
  auto ledger = open_ledger_for_writing(config, clock);
  if (!ledger) return report_error(ledger.error());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (sources[i].kind == SourceKind::nfe) {
      auto counts = import_fiscal(config, *ledger, files[i]);
      if (!counts) return report_error(counts.error());
      const auto& c = counts->ingest;
      fmt::print(
          "{}: {} file(s), {} document(s): {} sale(s) added, {} already in the ledger; {} cancellation(s) "
          "({} "
          "waiting for their sale, {} already known); {} ignored (not sales nor cancellations); {} "
          "quarantined, "
          "{} already quarantined\n",
          files[i].string(), counts->files, counts->documents, c.sales_added, c.sales_replayed,
          c.cancels_applied + c.cancels_pending, c.cancels_pending, c.cancels_replayed, counts->ignored,
          c.quarantined, c.quarantine_replayed);
      continue;
    }
    auto counts = import_one(config, *ledger, clock, files[i], sources[i]);
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
