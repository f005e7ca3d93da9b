#include "local/identity/birthday.hpp"

#include <chrono>
#include <vector>

#include "local/core/ascii.hpp"
#include "local/identity/text.hpp"

namespace regua {
namespace {

constexpr int kFirstYear = 1900;

int number(std::string_view digits) {
  int n = 0;
  for (const char c : digits)
    n = n * 10 + (c - '0');
  return n;
}

std::optional<std::string> make_date(int y, int m, int d, int reference_year) {
  if (y < kFirstYear || y > reference_year) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (m < 1 || m > 12 || d < 1 || d > 31 || !ymd.ok()) return std::nullopt;
  // YYYY-MM-DD by hand: snprintf (format_date) costs more than all the checks above.
  std::string out = "0000-00-00";
  for (int i = 3, v = y; i >= 0; --i, v /= 10)
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[8] = static_cast<char>('0' + d / 10);
  out[9] = static_cast<char>('0' + d % 10);
  return out;
}

int widen_year(int yy, int reference_year) {
  const int century = reference_year - reference_year % 100;
  const int y = century + yy;
  return y > reference_year ? y - 100 : y;
}

// Splits "17/05/1990" into its digit groups; nothing when the separators are mixed or unknown.
std::optional<std::vector<std::string_view>> groups(std::string_view text) {
  std::vector<std::string_view> out;
  char separator = '\0';
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && ascii::is_digit(text[i])) continue;
    if (i < text.size()) {
      const char c = text[i];
      if (c != '-' && c != '/' && c != '.') return std::nullopt;
      if (separator != '\0' && c != separator) return std::nullopt;
      separator = c;
    }
    if (i == start) return std::nullopt;
    out.push_back(text.substr(start, i - start));
    start = i + 1;
  }
  return out;
}

}  // namespace

std::optional<std::string> parse_birthday(std::string_view raw, int reference_year) {
  std::string_view text = trim_space(raw);
  if (const auto cut = text.find_first_of("T "); cut != std::string_view::npos) text = text.substr(0, cut);
  const auto parts = groups(text);
  if (!parts) return std::nullopt;
  const auto& g = *parts;
  if (g.size() == 1 && g[0].size() == 8) {
    if (auto ymd = make_date(number(g[0].substr(0, 4)), number(g[0].substr(4, 2)), number(g[0].substr(6, 2)),
                             reference_year)) {
      return ymd;
    }
    return make_date(number(g[0].substr(4, 4)), number(g[0].substr(2, 2)), number(g[0].substr(0, 2)),
                     reference_year);
  }
  if (g.size() != 3 || g[1].size() > 2) return std::nullopt;
  if (g[0].size() == 4 && g[2].size() <= 2) {
    return make_date(number(g[0]), number(g[1]), number(g[2]), reference_year);
  }
  if (g[0].size() > 2) return std::nullopt;
  if (g[2].size() == 4) return make_date(number(g[2]), number(g[1]), number(g[0]), reference_year);
  if (g[2].size() == 2) {
    return make_date(widen_year(number(g[2]), reference_year), number(g[1]), number(g[0]), reference_year);
  }
  return std::nullopt;
}

}  // namespace regua
