#pragma once
// Locale-free ASCII character tests. The POS's files, the filter language and the rule names are
// matched byte by byte: <cctype> depends on the process locale and is undefined for negative chars.

#include <algorithm>
#include <string_view>

namespace regua::ascii {

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

constexpr char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Equal ignoring ASCII case ("Campeões" and "CAMPEõES" are equal; accented letters must match).
constexpr bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
}

}  // namespace regua::ascii
