#pragma once
// Durations and times of day as rules write them: "90m", "1h", "3d", "2w" and "10:00". One unit
// per duration keeps them readable; docs/rules.md says how each one counts across DST changes.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace regua {

// "0", "45m", "1h", "36h", "3d", "2w"; nothing when `text` is not one.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);
// The shortest form in one unit: "90m", "1h", "3d", "2w".
std::string format_duration(std::chrono::seconds d);
// A duration for people: "2 h 30 min", "3 d 4 h".
std::string describe_duration(std::chrono::seconds d);
// True for a whole number of days (calendar-day delays).
bool whole_days(std::chrono::seconds d);

// "HH:MM", 00:00 to 23:59.
std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text);
std::string format_time_of_day(std::chrono::minutes t);

}  // namespace regua
