#pragma once
// Puts lines into the ledger: each line decoded into an event and applied, or quarantined with its
// position and reason; then the chunk's checkpoint. Callers choose how many chunks share a
// transaction (BatchedIngest) and roll it back as a whole when something fails.

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "agent/connectors/line_chunk.hpp"
#include "agent/connectors/line_decoder.hpp"
#include "local/ledger/ingest.hpp"

namespace regua {

// Lines the ledger itself refused (a constraint the decoder did not foresee), by file identity and
// byte offset, with the ledger's reason. They are quarantined when read again.
using RefusedLines = std::map<std::pair<std::string, std::int64_t>, std::string, std::less<>>;

// Applies one decoded line (or quarantines it) inside the ingestor's open transaction. When the
// ledger refuses the line, it is added to `refused` and an ErrorKind::input error comes back: the
// caller rolls the transaction back and reads again from its last commit, and this time the line
// is quarantined. Any other error is a ledger failure (a full disk, say).
Status apply_line(Ingestor& ingestor, const InputPosition& at, std::string_view text,
                  const Result<std::optional<Event>>& decoded, RefusedLines& refused);

// Decodes and applies every line of a chunk, then saves its checkpoint, inside the open transaction.
Status ingest_chunk(Ingestor& ingestor, LineDecoder& decoder, const LineChunk& chunk, std::string_view source,
                    RefusedLines& refused);

// The reason an oversized line is quarantined.
std::string oversized_reason(std::int64_t bytes);

// A ChunkConsumer that opens a transaction at its first chunk and leaves committing to its owner.
class BatchedIngest {
 public:
  BatchedIngest(Ingestor& ingestor, LineDecoder& decoder, std::string source, RefusedLines& refused)
      : ingestor_(ingestor), decoder_(decoder), source_(std::move(source)), refused_(refused) {}

  Status operator()(const LineChunk& chunk);
  // Commits what was ingested since the first chunk (nothing to do when no chunk came).
  Status commit();
  void rollback();
  // Input bytes in the open transaction.
  [[nodiscard]] std::int64_t bytes() const { return bytes_; }

 private:
  Ingestor& ingestor_;
  LineDecoder& decoder_;
  std::string source_;
  RefusedLines& refused_;
  std::int64_t bytes_ = 0;
};

}  // namespace regua
