#pragma once
// Turns one line of a POS file into an event. Every line-based input format (JSON Lines, CSV)
// implements this; the file follower and `import` feed it lines and do the rest the same way.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "local/core/result.hpp"
#include "local/model/events.hpp"

namespace regua {

// Bytes that must stay readable after the end of a line handed to a decoder, so that parsers
// using SIMD loads can read past it without copying (simdjson needs 64).
inline constexpr std::size_t kLinePadding = 64;

class LineDecoder {
 public:
  virtual ~LineDecoder() = default;

  // `line` has no end-of-line characters; at least kLinePadding bytes after it are readable.
  // Returns the event, nothing for a line that carries none (a blank line), or an error whose
  // message is the plain-words reason the line is quarantined.
  virtual Result<std::optional<Event>> decode(std::string_view line) = 0;

  // The same, knowing the line's 1-based number in its file. Formats whose files start with a
  // header line (CSV) override it; the others ignore the number.
  virtual Result<std::optional<Event>> decode_at(std::string_view line, std::int64_t number) {
    (void)number;
    return decode(line);
  }
};

}  // namespace regua
