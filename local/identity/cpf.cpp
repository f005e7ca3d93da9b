#include "local/identity/cpf.hpp"

#include <algorithm>

#include "local/core/ascii.hpp"

namespace regua {
namespace {

// The check digit of the first `n` digits: weights n+1 down to 2, remainder mod 11, 0 or 1 -> 0.
int check_digit(std::string_view digits, int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) {
    sum += (digits[static_cast<std::size_t>(i)] - '0') * (n + 1 - i);
  }
  const int r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

}  // namespace

std::optional<std::string> valid_cpf(std::string_view raw) {
  while (!raw.empty() && raw.front() == ' ')
    raw.remove_prefix(1);
  while (!raw.empty() && raw.back() == ' ')
    raw.remove_suffix(1);
  std::string digits;
  bool punctuated = false;
  for (const char c : raw) {
    if (ascii::is_digit(c)) {
      digits += c;
    } else if (c == '.' || c == '-' || c == ' ' || c == '/') {
      punctuated = true;
    } else {
      return std::nullopt;
    }
  }
  if (!punctuated && (digits.size() == 9 || digits.size() == 10)) digits.insert(0, 11 - digits.size(), '0');
  if (digits.size() != 11) return std::nullopt;
  if (std::all_of(digits.begin(), digits.end(), [&](char c) { return c == digits[0]; })) return std::nullopt;
  if (check_digit(digits, 9) != digits[9] - '0' || check_digit(digits, 10) != digits[10] - '0') {
    return std::nullopt;
  }
  return digits;
}

std::string format_cpf(std::string_view d) {
  if (d.size() != 11 || !std::all_of(d.begin(), d.end(), ascii::is_digit)) return std::string(d);
  return std::string(d.substr(0, 3)) + "." + std::string(d.substr(3, 3)) + "." + std::string(d.substr(6, 3)) +
         "-" + std::string(d.substr(9, 2));
}

}  // namespace regua
