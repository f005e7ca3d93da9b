#pragma once
// A run of whole lines read from a POS file, with where it came from and the checkpoint that is
// committed together with whatever the lines produce.

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "local/core/result.hpp"
#include "local/ledger/checkpoints.hpp"

namespace regua {

struct LineChunk {
  std::string_view data;                // whole lines, each ending in '\n' but perhaps a final one
  std::int64_t first_line = 0;          // lines before `data` in its file
  std::int64_t first_offset = 0;        // byte offset of `data` in its file
  std::string_view file;                // the file's path when read
  std::string_view origin;              // the file's identity
  std::int64_t oversized_bytes = 0;     // >0: `data` is only the start of one line this long
  std::optional<FileCheckpoint> after;  // the position after these lines (empty for `import`)
};

using ChunkConsumer = std::function<Status(const LineChunk&)>;

struct Line {
  std::string_view text;  // without its end of line (and without a byte-order mark at the file's start)
  std::int64_t offset;    // in its file
  std::int64_t number;    // 1-based
};

// Calls `f(line)` for each line of the chunk, in order, until it fails.
template <class F>
Status for_each_line(const LineChunk& chunk, F&& f) {
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  std::size_t start = 0;
  std::int64_t number = chunk.first_line;
  while (start < chunk.data.size()) {
    auto end = chunk.data.find('\n', start);
    if (end == std::string_view::npos) end = chunk.data.size();
    Line line{chunk.data.substr(start, end - start), chunk.first_offset + static_cast<std::int64_t>(start),
              ++number};
    if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
    if (line.offset == 0 && line.text.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
      line.text.remove_prefix(kByteOrderMark.size());
    }
    if (auto s = f(line); !s) return s;
    start = end + 1;
  }
  return {};
}

}  // namespace regua
