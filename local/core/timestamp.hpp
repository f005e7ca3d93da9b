#pragma once
// Timestamps as the POS writes them (ISO 8601) and as the ledger stores them (UTC seconds).
//
// A POS timestamp may carry its UTC offset ("2026-03-01T14:05:00-03:00", "...Z") or not
// ("2026-03-01 14:05:00", the store's wall clock). Parsing keeps the two cases apart; turning a
// wall-clock time into UTC needs the store's time zone and is done by the caller that knows it.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace regua {

using LocalSeconds = std::chrono::local_seconds;

struct ParsedTimestamp {
  LocalSeconds wall;                           // the date and time as written
  std::optional<std::chrono::minutes> offset;  // UTC offset when written; empty for wall-clock time

  // The UTC instant; only meaningful when `offset` is set.
  [[nodiscard]] Seconds utc() const {
    return Seconds{wall.time_since_epoch()} - offset.value_or(std::chrono::minutes{0});
  }
};

// Accepts "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM|±HHMM]" with 'T' or a space between date and time.
// Fractions of a second are dropped. Years outside 1900..2199 are refused as typos.
Result<ParsedTimestamp> parse_timestamp(std::string_view text);

// Accepts "YYYY-MM-DD" and returns it normalised, or an error naming what is wrong.
Result<std::chrono::year_month_day> parse_date(std::string_view text);

// "2026-03-01T17:05:00Z"
std::string format_utc(Seconds t);
// "2026-03-01"
std::string format_date(std::chrono::year_month_day d);

}  // namespace regua
