#pragma once
// Dates and times written the way a POS export writes them, described by a strftime-like format
// ("%d/%m/%Y %H:%M"). Only what POS exports use is supported: %d %m %Y %y %H %M %S %z %F %T %%.
// Numbers may have one digit fewer than usual ("1/3/2026 9:05"); a space in the format matches one
// or more spaces. The result is a wall-clock time unless the format has %z.

#include <chrono>
#include <optional>
#include <string_view>

#include "local/core/result.hpp"

namespace regua {

enum class WallTimeParts { date, time, date_and_time };

// Checks a format from the configuration: known directives only, and the parts `needs` present
// (a date needs day, month and year; a time needs hours and minutes).
Status check_wall_time_format(std::string_view format, WallTimeParts needs);

struct WallTime {
  std::optional<std::chrono::year_month_day> date;
  std::optional<std::chrono::seconds> time_of_day;
  std::optional<std::chrono::minutes> offset;  // from %z
};

// Reads `text` as `format` describes it. The error (ErrorKind::input) quotes the text and the format
// and says what did not match.
Result<WallTime> parse_wall_time(std::string_view text, std::string_view format);

}  // namespace regua
