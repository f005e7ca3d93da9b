#include "local/core/timestamp.hpp"

#include <cstdio>

namespace regua {
namespace {

using namespace std::chrono;

Error bad_time(std::string_view text, std::string_view why) {
  return make_error(ErrorKind::input, "\"" + std::string(text) +
                                          "\" is not a date-time: " + std::string(why) +
                                          " (expected ISO 8601, e.g. 2026-03-01T14:05:00-03:00)");
}

// Reads exactly `n` digits at `pos`.
bool read_digits(std::string_view s, std::size_t& pos, int n, int& out) {
  if (pos + static_cast<std::size_t>(n) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// Parses YYYY-MM-DD at the start of `s`; `error` says what went wrong.
std::optional<year_month_day> read_date(std::string_view s, std::size_t& pos, std::string& error) {
  int y = 0, m = 0, d = 0;
  if (!read_digits(s, pos, 4, y) || !expect(s, pos, '-') || !read_digits(s, pos, 2, m) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, d)) {
    error = "the date is not YYYY-MM-DD";
    return std::nullopt;
  }
  if (y < 1900 || y > 2199) {
    error = "year " + std::to_string(y) + " is out of range";
    return std::nullopt;
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) {
    error = "there is no such day";
    return std::nullopt;
  }
  return ymd;
}

}  // namespace

Result<ParsedTimestamp> parse_timestamp(std::string_view text) {
  std::size_t pos = 0;
  std::string why;
  const auto ymd = read_date(text, pos, why);
  if (!ymd) return bad_time(text, why);
  if (pos >= text.size()) return bad_time(text, "the time of day is missing");
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')
    return bad_time(text, "expected 'T' after the date");
  ++pos;
  int hh = 0, mm = 0, ss = 0;
  if (!read_digits(text, pos, 2, hh) || !expect(text, pos, ':') || !read_digits(text, pos, 2, mm)) {
    return bad_time(text, "the time is not HH:MM[:SS]");
  }
  if (expect(text, pos, ':') && !read_digits(text, pos, 2, ss))
    return bad_time(text, "the seconds are not SS");
  if (hh > 23 || mm > 59 || ss > 60) return bad_time(text, "the time of day is out of range");
  if (ss == 60) ss = 59;  // a leap second: keep the sale, one second early
  if (expect(text, pos, '.') || expect(text, pos, ',')) {
    const auto start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      ++pos;
    if (pos == start) return bad_time(text, "a fraction of a second has no digits");
  }

  ParsedTimestamp out;
  out.wall = local_days{*ymd} + hours{hh} + minutes{mm} + seconds{ss};
  if (pos == text.size()) return out;

  const char sign = text[pos];
  if (sign == 'Z' || sign == 'z') {
    ++pos;
    out.offset = minutes{0};
  } else if (sign == '+' || sign == '-') {
    ++pos;
    int oh = 0, om = 0;
    if (!read_digits(text, pos, 2, oh)) return bad_time(text, "the UTC offset is not ±HH:MM");
    expect(text, pos, ':');
    if (!read_digits(text, pos, 2, om)) return bad_time(text, "the UTC offset is not ±HH:MM");
    if (oh > 14 || om > 59) return bad_time(text, "the UTC offset is out of range");
    const minutes offset = hours{oh} + minutes{om};
    out.offset = sign == '-' ? -offset : offset;
  } else {
    return bad_time(text, std::string("unexpected '") + sign + "' after the time");
  }
  if (pos != text.size()) return bad_time(text, "unexpected text after the UTC offset");
  return out;
}

Result<year_month_day> parse_date(std::string_view text) {
  std::size_t pos = 0;
  std::string why;
  const auto ymd = read_date(text, pos, why);
  if (!ymd || pos != text.size()) {
    if (why.empty()) why = "unexpected text after the date";
    return make_error(ErrorKind::input,
                      "\"" + std::string(text) + "\" is not a date: " + why + " (expected YYYY-MM-DD)");
  }
  return *ymd;
}

std::string format_utc(Seconds t) {
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> tod{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()));
  return buf;
}

std::string format_date(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

}  // namespace regua
