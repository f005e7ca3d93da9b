#pragma once
// Puts one fiscal XML file into the ledger: each of its documents becomes a sale or a cancellation,
// is ignored (not a sale to a customer) or is quarantined with its line and reason; then the file
// is recorded as processed. All of it inside the caller's open transaction, so a file is either
// wholly in the ledger, recorded, or not at all. Shared by the nfe folder source and `import`.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/platform/file_identity.hpp"
#include "local/ledger/ingest.hpp"
#include "local/ledger/processed_files.hpp"

namespace date {
class time_zone;
}

namespace regua {

struct FiscalFileBytes {
  std::filesystem::path path;
  FileFacts facts;  // of the bytes read (taken from the same open file)
  std::string bytes;
  std::uint64_t content_hash = 0;
};

// Reads a whole file (up to a little more than kMaxFiscalXmlBytes: a longer one is quarantined as
// too long). An ErrorKind::io error when it cannot be read.
Result<FiscalFileBytes> read_fiscal_file(const std::filesystem::path& path);

struct FiscalFileOutcome {
  std::int64_t documents = 0;
  std::int64_t sales = 0;
  std::int64_t cancellations = 0;
  std::int64_t ignored = 0;
  std::int64_t quarantined = 0;
  std::vector<std::string> notes;  // what was ignored or quarantined, and why
};

// Applies the file inside the ingestor's open transaction on `db` (the ledger's connection) and
// records it in `processed`. Errors are ledger failures only (bad input is quarantined).
Result<FiscalFileOutcome> ingest_fiscal_file(sqlite::Db& db, Ingestor& ingestor, ProcessedFiles& processed,
                                             const FiscalFileBytes& file, std::string_view source,
                                             const date::time_zone& zone, std::int64_t now);

// "xml:0123456789abcdef": how the quarantine remembers a fiscal file, by its content, so that a copy
// of a quarantined file is not quarantined again.
std::string fiscal_origin(std::uint64_t content_hash);

}  // namespace regua
