#include "agent/connectors/wall_time_format.hpp"

#include <string>

namespace regua {
namespace {

using namespace std::chrono;

struct Fields {
  int year = -1, month = -1, day = -1;
  int hour = -1, minute = -1, second = 0;
  std::optional<minutes> offset;
};

struct Cursor {
  std::string_view text;
  std::size_t pos = 0;
  std::string error;  // what did not match, when something did not

  bool fail(std::string why) {
    error = std::move(why);
    return false;
  }
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads `min` to `max` digits.
bool read_number(Cursor& c, int min, int max, int& out, std::string_view what) {
  const std::size_t start = c.pos;
  int n = 0;
  int v = 0;
  while (n < max && c.pos < c.text.size() && is_digit(c.text[c.pos])) {
    v = v * 10 + (c.text[c.pos] - '0');
    ++c.pos;
    ++n;
  }
  if (n < min) {
    return c.fail("expected " +
                  (min == max ? std::to_string(min) : std::to_string(min) + " or " + std::to_string(max)) +
                  " digits for the " + std::string(what) + " at character " + std::to_string(start + 1));
  }
  out = v;
  return true;
}

bool read_offset(Cursor& c, Fields& f) {
  if (c.pos < c.text.size() && (c.text[c.pos] == 'Z' || c.text[c.pos] == 'z')) {
    ++c.pos;
    f.offset = minutes{0};
    return true;
  }
  if (c.pos >= c.text.size() || (c.text[c.pos] != '+' && c.text[c.pos] != '-')) {
    return c.fail("expected a UTC offset such as -03:00 at character " + std::to_string(c.pos + 1));
  }
  const bool negative = c.text[c.pos++] == '-';
  int h = 0, m = 0;
  if (!read_number(c, 2, 2, h, "offset hours")) return false;
  if (c.pos < c.text.size() && c.text[c.pos] == ':') ++c.pos;
  if (!read_number(c, 2, 2, m, "offset minutes")) return false;
  if (h > 14 || m > 59) return c.fail("the UTC offset is out of range");
  f.offset = negative ? -(hours{h} + minutes{m}) : hours{h} + minutes{m};
  return true;
}

bool match(Cursor& c, std::string_view format, Fields& f) {
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char ch = format[i];
    if (ch == '%' && i + 1 < format.size()) {
      const char d = format[++i];
      bool ok = true;
      switch (d) {
        case 'd':
          ok = read_number(c, 1, 2, f.day, "day");
          break;
        case 'm':
          ok = read_number(c, 1, 2, f.month, "month");
          break;
        case 'Y':
          ok = read_number(c, 4, 4, f.year, "year");
          break;
        case 'y':
          // POSIX's pivot: 69-99 are 1969-1999, 00-68 are 2000-2068 (birthdays and sales both fit).
          ok = read_number(c, 2, 2, f.year, "year");
          if (ok) f.year += f.year >= 69 ? 1900 : 2000;
          break;
        case 'H':
          ok = read_number(c, 1, 2, f.hour, "hour");
          break;
        case 'M':
          ok = read_number(c, 1, 2, f.minute, "minutes");
          break;
        case 'S':
          ok = read_number(c, 1, 2, f.second, "seconds");
          break;
        case 'z':
          ok = read_offset(c, f);
          break;
        case 'F':
          ok = match(c, "%Y-%m-%d", f);
          break;
        case 'T':
          ok = match(c, "%H:%M:%S", f);
          break;
        case '%':
          if (c.pos >= c.text.size() || c.text[c.pos] != '%') return c.fail("expected '%'");
          ++c.pos;
          break;
        default:
          return c.fail(std::string("the format has an unknown directive %") + d);
      }
      if (!ok) return false;
    } else if (ch == ' ') {
      if (c.pos >= c.text.size() || c.text[c.pos] != ' ') {
        return c.fail("expected a space at character " + std::to_string(c.pos + 1));
      }
      while (c.pos < c.text.size() && c.text[c.pos] == ' ')
        ++c.pos;
    } else {
      if (c.pos >= c.text.size() || c.text[c.pos] != ch) {
        return c.fail(std::string("expected '") + ch + "' at character " + std::to_string(c.pos + 1));
      }
      ++c.pos;
    }
  }
  return true;
}

Error not_matching(std::string_view text, std::string_view format, std::string_view why) {
  return make_error(ErrorKind::input, "\"" + std::string(text) + "\" does not match the format \"" +
                                          std::string(format) + "\": " + std::string(why));
}

}  // namespace

Status check_wall_time_format(std::string_view format, WallTimeParts needs) {
  bool day = false, month = false, year = false, hour = false, minute = false;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 >= format.size()) return make_error(ErrorKind::config, "the format ends with a lone '%'");
    switch (format[++i]) {
      case 'd':
        day = true;
        break;
      case 'm':
        month = true;
        break;
      case 'Y':
      case 'y':
        year = true;
        break;
      case 'F':
        day = month = year = true;
        break;
      case 'H':
        hour = true;
        break;
      case 'M':
        minute = true;
        break;
      case 'T':
        hour = minute = true;
        break;
      case 'S':
      case 'z':
      case '%':
        break;
      default:
        return make_error(ErrorKind::config, std::string("unknown directive %") + format[i] +
                                                 " (allowed: %d %m %Y %y %H %M %S %z %F %T %%)");
    }
  }
  const bool has_date = day && month && year;
  const bool has_time = hour && minute;
  if (needs != WallTimeParts::time && !has_date) {
    return make_error(ErrorKind::config,
                      "\"" + std::string(format) + "\" needs a day, a month and a year (%d, %m, %Y)");
  }
  if (needs != WallTimeParts::date && !has_time) {
    return make_error(ErrorKind::config, "\"" + std::string(format) + "\" needs hours and minutes (%H, %M)");
  }
  return {};
}

Result<WallTime> parse_wall_time(std::string_view text, std::string_view format) {
  Cursor c{text, 0, {}};
  Fields f;
  if (!match(c, format, f)) return not_matching(text, format, c.error);
  if (c.pos != text.size()) {
    return not_matching(text, format, "unexpected text after character " + std::to_string(c.pos));
  }
  WallTime out;
  out.offset = f.offset;
  if (f.year >= 0 || f.month >= 0 || f.day >= 0) {
    if (f.year < 1900 || f.year > 2199)
      return not_matching(text, format, "year " + std::to_string(f.year) + " is out of range");
    const year_month_day ymd{year{f.year}, month{static_cast<unsigned>(std::max(f.month, 0))},
                             day{static_cast<unsigned>(std::max(f.day, 0))}};
    if (!ymd.ok()) return not_matching(text, format, "there is no such day");
    out.date = ymd;
  }
  if (f.hour >= 0 || f.minute >= 0) {
    if (f.hour > 23 || f.minute > 59 || f.second > 60 || f.hour < 0 || f.minute < 0) {
      return not_matching(text, format, "the time of day is out of range");
    }
    // A leap second keeps its sale, one second early (as ISO timestamps do).
    out.time_of_day = hours{f.hour} + minutes{f.minute} + seconds{std::min(f.second, 59)};
  }
  return out;
}

}  // namespace regua
