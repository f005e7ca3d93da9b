#include "local/rules/durations.hpp"

#include <charconv>
#include <cstdio>

#include "local/core/clock.hpp"

namespace regua {
namespace {

constexpr std::int64_t kMinute = 60;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kWeek = 7 * kSecondsPerDay;

}  // namespace

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::seconds{0};
  if (text.size() < 2 || text.size() > 8) return std::nullopt;
  const char unit = text.back();
  const std::string_view digits = text.substr(0, text.size() - 1);
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || end != digits.data() + digits.size() || n < 0) return std::nullopt;
  switch (unit) {
    case 'm':
      return std::chrono::seconds{n * kMinute};
    case 'h':
      return std::chrono::seconds{n * kHour};
    case 'd':
      return std::chrono::seconds{n * kSecondsPerDay};
    case 'w':
      return std::chrono::seconds{n * kWeek};
    default:
      return std::nullopt;
  }
}

std::string format_duration(std::chrono::seconds d) {
  const auto s = d.count();
  if (s == 0) return "0";
  if (s % kWeek == 0) return std::to_string(s / kWeek) + "w";
  if (s % kSecondsPerDay == 0) return std::to_string(s / kSecondsPerDay) + "d";
  if (s % kHour == 0) return std::to_string(s / kHour) + "h";
  if (s % kMinute == 0) return std::to_string(s / kMinute) + "m";
  return std::to_string(s) + "s";
}

std::string describe_duration(std::chrono::seconds d) {
  std::int64_t s = d.count();
  const bool negative = s < 0;
  if (negative) s = -s;
  const auto days = s / kSecondsPerDay;
  const auto hours = (s % kSecondsPerDay) / kHour;
  const auto minutes = (s % kHour) / kMinute;
  std::string out;
  if (days > 0) out += std::to_string(days) + " d";
  if (hours > 0) out += (out.empty() ? "" : " ") + std::to_string(hours) + " h";
  if (minutes > 0 && days == 0) out += (out.empty() ? "" : " ") + std::to_string(minutes) + " min";
  if (out.empty()) out = std::to_string(s) + " s";
  return negative ? "-" + out : out;
}

bool whole_days(std::chrono::seconds d) {
  return d.count() % kSecondsPerDay == 0;
}

std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (!digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return std::chrono::minutes{h * 60 + m};
}

std::string format_time_of_day(std::chrono::minutes t) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(t.count() / 60),
                static_cast<int>(t.count() % 60));
  return buf;
}

}  // namespace regua
