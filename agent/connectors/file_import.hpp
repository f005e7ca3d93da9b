#pragma once
// Imports one whole file (`regua-agent import`): a second thread reads and decodes the lines while
// this one writes them to the ledger, so that parsing and SQLite each get a core. Transactions
// hold many megabytes of input; a line the ledger refuses rolls the transaction back and the file
// is read again from the last commit, with that line quarantined.

#include <filesystem>
#include <functional>
#include <string>

#include "agent/connectors/line_decoder.hpp"
#include "local/ledger/ingest.hpp"

namespace regua {

struct ImportHooks {
  std::function<void(std::int64_t bytes, std::int64_t lines)> progress;  // after each commit and chunk
  std::function<bool()> should_stop;  // asked between chunks; true: commit and stop
};

// Returns the counts of what was committed. A stop asked by `should_stop` is an ErrorKind::io error
// saying where the import stopped (everything before it is committed).
Result<IngestCounts> import_file(Ingestor& ingestor, LineDecoder& decoder, const std::filesystem::path& file,
                                 const ImportHooks& hooks);

}  // namespace regua
