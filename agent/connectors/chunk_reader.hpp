#pragma once
// Reads a file in large blocks and cuts them at the last end of line, so that callers only ever
// see whole lines. A line longer than the block is measured and reported as oversized, never split.

#include <cstdint>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"

namespace regua {

struct ReadLines {
  std::string_view data;       // whole lines (or the start of an oversized one)
  std::int64_t consumed = 0;   // bytes of the file they cover; 0: no whole line yet
  std::int64_t lines = 0;      // how many lines
  std::int64_t oversized = 0;  // >0: one line of this many bytes, too long to hold
};

class ChunkReader {
 public:
  static constexpr std::size_t kBlockBytes = 1 << 20;  // also the longest line kept whole
  static constexpr std::size_t kOversizedKeep = 4096;  // what the quarantine keeps of a longer line

  ChunkReader();

  // Reads whole lines from `fd` at `offset`. With `final`, bytes after the last end of line at
  // the end of the file count as a last line (the file is complete); otherwise they wait.
  // `want`: how many bytes to read when they hold an end of line (a smaller block keeps less
  // decoded input in memory); a longer line is still read whole, up to kBlockBytes.
  Result<ReadLines> read(int fd, std::int64_t offset, bool final, std::string_view path_for_errors,
                         std::size_t want = kBlockBytes);

 private:
  // Grows to the largest block read (at most kBlockBytes) plus padding for decoders that read
  // past a line.
  std::vector<char> buffer_;
  Result<std::size_t> read_block(int fd, std::int64_t offset, std::size_t bytes, std::string_view path);
};

}  // namespace regua
