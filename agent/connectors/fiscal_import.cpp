#include "agent/connectors/fiscal_import.hpp"

#include <algorithm>

#include "agent/connectors/fiscal_folder.hpp"
#include "agent/connectors/fiscal_ingest.hpp"

namespace regua {
namespace {

// Per transaction: large enough that commits cost little, small enough that a stop is quick.
constexpr std::int64_t kFilesPerTransaction = 512;
constexpr std::int64_t kBytesPerTransaction = 32 << 20;

}  // namespace

std::vector<std::filesystem::path> fiscal_files_in(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    if (is_fiscal_file_name(it->path().filename().string()) && it->is_regular_file(ec))
      out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<FiscalImportCounts> import_fiscal_files(Ledger& ledger, Ingestor& ingestor,
                                               const std::vector<std::filesystem::path>& files,
                                               const date::time_zone& zone, const ImportHooks& hooks) {
  auto processed = ProcessedFiles::create(ledger.db());
  if (!processed) return processed.error();
  FiscalImportCounts counts;
  const IngestCounts before = ingestor.committed();
  std::int64_t bytes = 0, in_transaction_files = 0, in_transaction_bytes = 0;
  for (const auto& path : files) {
    auto file = read_fiscal_file(path);
    if (!file) {
      ingestor.rollback();
      return file.error();
    }
    if (!ingestor.in_transaction()) {
      if (auto s = ingestor.begin(); !s) return s.error();
    }
    auto outcome = ingest_fiscal_file(ledger.db(), ingestor, *processed, *file, "import", zone,
                                      ledger.clock().now().time_since_epoch().count());
    if (!outcome) {
      ingestor.rollback();
      return outcome.error();
    }
    ++counts.files;
    counts.documents += outcome->documents;
    counts.ignored += outcome->ignored;
    bytes += static_cast<std::int64_t>(file->bytes.size());
    ++in_transaction_files;
    in_transaction_bytes += static_cast<std::int64_t>(file->bytes.size());
    const bool stop = hooks.should_stop && hooks.should_stop();
    if (in_transaction_files >= kFilesPerTransaction || in_transaction_bytes >= kBytesPerTransaction ||
        stop) {
      if (auto s = ingestor.commit(); !s) return s.error();
      in_transaction_files = in_transaction_bytes = 0;
    }
    if (hooks.progress) hooks.progress(bytes, counts.documents);
    if (stop) {
      return make_error(ErrorKind::io, "stopped by a signal after " + path.string() +
                                           "; everything before it is in the ledger. Run the same import "
                                           "again to finish: what is already there is skipped.");
    }
  }
  if (ingestor.in_transaction()) {
    if (auto s = ingestor.commit(); !s) return s.error();
  }
  counts.ingest = ingestor.committed() - before;
  return counts;
}

}  // namespace regua
