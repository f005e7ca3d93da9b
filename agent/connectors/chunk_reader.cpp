#include "agent/connectors/chunk_reader.hpp"

#include <algorithm>
#include <cstring>

#include "agent/connectors/line_decoder.hpp"
#include "agent/platform/file_identity.hpp"

namespace regua {

ChunkReader::ChunkReader() : buffer_(kBlockBytes + kLinePadding, '\0') {}

Result<ReadLines> ChunkReader::read(int fd, std::int64_t offset, bool final, std::string_view path) {
  auto n = read_at(fd, buffer_.data(), kBlockBytes, offset, path);
  if (!n) return n.error();
  if (*n == 0) return ReadLines{};
  // Padding after the data must not look like more input to a decoder.
  std::fill_n(buffer_.data() + *n, kLinePadding, '\0');

  const char* begin = buffer_.data();
  const auto* last_newline = static_cast<const char*>(::memrchr(begin, '\n', *n));
  if (last_newline != nullptr) {
    const auto length = static_cast<std::size_t>(last_newline - begin + 1);
    ReadLines out;
    out.data = {begin, length};
    out.consumed = static_cast<std::int64_t>(length);
    out.lines = std::count(begin, begin + length, '\n');
    return out;
  }
  if (*n < kBlockBytes) {  // the start of a line still being written, or the file's unterminated last line
    if (!final) return ReadLines{};
    return ReadLines{{begin, *n}, static_cast<std::int64_t>(*n), 1, 0};
  }

  // One line longer than a block: find where it ends without holding it.
  std::vector<char> scan(kBlockBytes);
  std::int64_t at = offset + static_cast<std::int64_t>(kBlockBytes);
  for (;;) {
    auto m = read_at(fd, scan.data(), scan.size(), at, path);
    if (!m) return m.error();
    if (*m == 0) {
      if (!final) return ReadLines{};
      break;
    }
    if (const void* nl = std::memchr(scan.data(), '\n', *m)) {
      at += static_cast<const char*>(nl) - scan.data() + 1;
      break;
    }
    at += static_cast<std::int64_t>(*m);
  }
  ReadLines out;
  out.consumed = at - offset;
  out.oversized = out.consumed;
  out.lines = 1;
  out.data = {begin, kOversizedKeep};
  return out;
}

}  // namespace regua
