#include "agent/connectors/file_import.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/connectors/chunk_ingest.hpp"
#include "agent/connectors/chunk_reader.hpp"
#include "agent/platform/file_identity.hpp"
#include "local/ledger/bulk_import.hpp"

namespace regua {
namespace {

// Input per transaction: each index page is then written once per 64 MiB instead of once per line,
// and each customer's stats row and info_at once per transaction (about 200,000 sales): with 16 MiB
// those writes were a third of an import's work. What is kept until commit grows with the customers
// a transaction touches, not its sales (customer_stats.hpp). A transaction holds the ledger's write
// lock for a couple of seconds, well within the 10 s other writers wait (ledger.cpp).
constexpr std::int64_t kTransactionBytes = 64 << 20;
// Decoded chunks waiting for the writer; bounds the memory the decoding thread can run ahead with.
// One keeps the decoder busy while the writer works.
constexpr std::size_t kQueueDepth = 1;
// Input per chunk. A decoded line takes about 2.5 times its text, and three chunks are alive at
// once (being decoded, queued, being written): 1 MiB chunks held about 13 MiB in the decoding
// thread's heap at the peak, 256 KiB ones hold about 3 MiB and cost no measurable speed. A longer
// line is still read whole (ChunkReader::kBlockBytes).
constexpr std::size_t kChunkBytes = 256 << 10;

struct DecodedLine {
  Line line;
  Result<std::optional<Event>> event;
};

// A chunk of lines, decoded on the reading thread. Owns its bytes (lines are views into them).
struct DecodedChunk {
  std::vector<char> bytes;
  std::int64_t first_offset = 0;
  std::int64_t first_line = 0;
  std::int64_t consumed = 0;
  std::int64_t lines = 0;
  std::int64_t oversized = 0;
  std::vector<DecodedLine> decoded;
  std::optional<Error> read_error;
  bool end = false;

  [[nodiscard]] std::string_view text() const { return {bytes.data(), bytes.size() - kLinePadding}; }
};

class ChunkQueue {
 public:
  bool push(DecodedChunk chunk) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || chunks_.size() < kQueueDepth; });
    if (closed_) return false;
    chunks_.push_back(std::move(chunk));
    changed_.notify_all();
    return true;
  }
  DecodedChunk pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !chunks_.empty(); });
    DecodedChunk chunk = std::move(chunks_.front());
    chunks_.pop_front();
    changed_.notify_all();
    return chunk;
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    chunks_.clear();
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<DecodedChunk> chunks_;
  bool closed_ = false;
};

// Reads and decodes from `offset` to the end of the file, one chunk at a time, into `queue`.
void read_and_decode(int fd, const std::string& path, LineDecoder& decoder, std::int64_t offset,
                     std::int64_t line, ChunkQueue& queue) {
  ChunkReader reader;
  for (;;) {
    DecodedChunk chunk;
    auto lines = reader.read(fd, offset, true, path, kChunkBytes);
    if (!lines) {
      chunk.read_error = lines.error();
      queue.push(std::move(chunk));
      return;
    }
    if (lines->consumed == 0) {
      chunk.end = true;
      queue.push(std::move(chunk));
      return;
    }
    chunk.bytes.reserve(lines->data.size() + kLinePadding);
    chunk.bytes.assign(lines->data.begin(), lines->data.end());
    chunk.bytes.resize(lines->data.size() + kLinePadding, '\0');
    chunk.first_offset = offset;
    chunk.first_line = line;
    chunk.consumed = lines->consumed;
    chunk.lines = lines->lines;
    chunk.oversized = lines->oversized;
    if (chunk.oversized == 0) {
      chunk.decoded.reserve(static_cast<std::size_t>(chunk.lines));
      LineChunk view{chunk.text(), line, offset, path, "", 0, std::nullopt};
      (void)for_each_line(view, [&](const Line& l) -> Status {
        chunk.decoded.push_back({l, decoder.decode_at(l.text, l.number)});
        return {};
      });
    }
    offset += chunk.consumed;
    line += chunk.lines;
    if (!queue.push(std::move(chunk))) return;  // the writer gave up
  }
}

// The decoding thread with its queue; stopping it discards what it decoded ahead.
class Reader {
 public:
  Reader(int fd, const std::string& path, LineDecoder& decoder, std::int64_t offset, std::int64_t line)
      : thread_([this, fd, &path, &decoder, offset, line] {
          read_and_decode(fd, path, decoder, offset, line, queue_);
        }) {}
  ~Reader() {
    queue_.close();
    thread_.join();
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  DecodedChunk next() { return queue_.pop(); }

 private:
  ChunkQueue queue_;
  std::thread thread_;
};

}  // namespace

Result<IngestCounts> import_file(Ingestor& ingestor, LineDecoder& decoder, const std::filesystem::path& file,
                                 const ImportHooks& hooks) {
  auto fd = open_for_reading(file);
  if (!fd) return fd.error();
  auto facts = stat_fd(fd->get(), file);
  if (!facts) return facts.error();
  const std::string path = file.string();
  const std::string origin = origin_of(facts->identity);
  if (ingestor.in_transaction()) return make_error(ErrorKind::internal, "import_file inside a transaction");
  auto settings = BulkImportSettings::apply(ingestor.db());
  if (!settings) return settings.error();
  const IngestCounts before = ingestor.committed();
  RefusedLines refused;
  std::int64_t committed_offset = 0, committed_line = 0;

  for (;;) {  // once, plus once more per line the ledger refuses
    Reader reader(fd->get(), path, decoder, committed_offset, committed_line);
    std::int64_t offset = committed_offset, line = committed_line, in_transaction = 0;
    Status failed;
    for (;;) {
      DecodedChunk chunk = reader.next();
      if (chunk.read_error) {
        failed = *chunk.read_error;
        break;
      }
      if (chunk.end) break;
      if (!ingestor.in_transaction()) {
        if (auto s = ingestor.begin(); !s) return s.error();
      }
      InputPosition at{"import", path, origin, chunk.first_line + 1, chunk.first_offset};
      if (chunk.oversized > 0) {
        failed = ingestor.quarantine(at, chunk.text().substr(0, ChunkReader::kOversizedKeep),
                                     oversized_reason(chunk.oversized));
      } else {
        for (DecodedLine& d : chunk.decoded) {
          at.line = d.line.number;
          at.byte_offset = d.line.offset;
          failed = apply_line(ingestor, at, d.line.text, d.event, refused);
          if (!failed) break;
        }
      }
      if (!failed) break;
      offset += chunk.consumed;
      line += chunk.lines;
      in_transaction += chunk.consumed;
      const bool stop = hooks.should_stop && hooks.should_stop();
      if (in_transaction >= kTransactionBytes || stop) {
        if (auto s = ingestor.commit(); !s) return s.error();
        committed_offset = offset;
        committed_line = line;
        in_transaction = 0;
      }
      if (hooks.progress) hooks.progress(offset, line);
      if (stop) {
        return make_error(ErrorKind::io, "stopped by a signal after line " + std::to_string(line) + " of " +
                                             path +
                                             "; everything before it is in the ledger. Run the same import "
                                             "again to finish: what is already there is skipped.");
      }
    }
    if (failed) {  // the end of the file
      if (ingestor.in_transaction()) {
        if (auto s = ingestor.commit(); !s) return s.error();
      }
      if (hooks.progress) hooks.progress(offset, line);
      return ingestor.committed() - before;
    }
    ingestor.rollback();
    if (failed.error().kind != ErrorKind::input) return failed.error();
    // A refused line: read again from the last commit; it is quarantined this time.
  }
}

}  // namespace regua
