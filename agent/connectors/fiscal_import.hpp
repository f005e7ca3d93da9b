#pragma once
// Imports fiscal XML files (`regua-agent import` of .xml files or of a folder of them): every file
// is read whole, without waiting for it to settle (the user says it is complete), and applied as
// the nfe folder source applies it; many files share a transaction. Importing again adds nothing:
// sales are keyed by access key, quarantine entries by the file's content.

#include <filesystem>
#include <vector>

#include "agent/connectors/file_import.hpp"
#include "local/ledger/ingest.hpp"
#include "local/ledger/ledger.hpp"

namespace date {
class time_zone;
}

namespace regua {

struct FiscalImportCounts {
  IngestCounts ingest;  // what the ledger gained (committed)
  std::int64_t files = 0;
  std::int64_t documents = 0;
  std::int64_t ignored = 0;  // documents that are not sales nor cancellations
};

// The *.xml files of a folder (not its subfolders), by name.
std::vector<std::filesystem::path> fiscal_files_in(const std::filesystem::path& folder);

// `hooks.progress` gets the bytes and the documents read so far.
Result<FiscalImportCounts> import_fiscal_files(Ledger& ledger, Ingestor& ingestor,
                                               const std::vector<std::filesystem::path>& files,
                                               const date::time_zone& zone, const ImportHooks& hooks);

}  // namespace regua
