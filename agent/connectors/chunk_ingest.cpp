#include "agent/connectors/chunk_ingest.hpp"

namespace regua {

std::string oversized_reason(std::int64_t bytes) {
  return "the line is " + std::to_string(bytes) +
         " bytes long, more than the 1 MiB a POS event may take (only its start is kept here)";
}

Status apply_line(Ingestor& ingestor, const InputPosition& at, std::string_view text,
                  const Result<std::optional<Event>>& decoded, RefusedLines& refused) {
  // Almost always empty: the key (a string) is only built when some line was refused.
  if (!refused.empty()) {
    if (auto r = refused.find(std::make_pair(std::string(at.origin), at.byte_offset)); r != refused.end())
      return ingestor.quarantine(at, text, r->second);
  }
  if (!decoded) return ingestor.quarantine(at, text, decoded.error().message);
  if (!*decoded) return {};  // a blank line
  auto applied = ingestor.apply(**decoded, at.source);
  if (!applied && applied.error().kind == ErrorKind::input) {
    refused.emplace(std::make_pair(std::string(at.origin), at.byte_offset),
                    "the ledger refused it: " + applied.error().message);
    return applied.error().within(std::string(at.file) + " line " + std::to_string(at.line) +
                                  " (it will be quarantined when read again)");
  }
  return applied;
}

Status ingest_chunk(Ingestor& ingestor, LineDecoder& decoder, const LineChunk& chunk, std::string_view source,
                    RefusedLines& refused) {
  InputPosition at{source, chunk.file, chunk.origin, chunk.first_line + 1, chunk.first_offset};
  Status lines =
      chunk.oversized_bytes > 0
          ? ingestor.quarantine(at, chunk.data, oversized_reason(chunk.oversized_bytes))
          : for_each_line(chunk, [&](const Line& line) {
              at.line = line.number;
              at.byte_offset = line.offset;
              return apply_line(ingestor, at, line.text, decoder.decode_at(line.text, line.number), refused);
            });
  if (!lines) return lines;
  return chunk.after ? ingestor.save_checkpoint(*chunk.after) : Status{};
}

Status BatchedIngest::operator()(const LineChunk& chunk) {
  if (!ingestor_.in_transaction()) {
    if (auto s = ingestor_.begin(); !s) return s;
    bytes_ = 0;
  }
  if (auto s = ingest_chunk(ingestor_, decoder_, chunk, source_, refused_); !s) return s;
  bytes_ += static_cast<std::int64_t>(chunk.data.size());
  return {};
}

Status BatchedIngest::commit() {
  bytes_ = 0;
  return ingestor_.in_transaction() ? ingestor_.commit() : Status{};
}

void BatchedIngest::rollback() {
  bytes_ = 0;
  ingestor_.rollback();
}

}  // namespace regua
