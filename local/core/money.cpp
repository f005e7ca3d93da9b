#include "local/core/money.hpp"

#include <limits>

#include "local/core/ascii.hpp"

namespace regua {
namespace {

Error bad_amount(std::string_view text, std::string_view why) {
  return make_error(ErrorKind::input, "\"" + std::string(text) + "\" is not an amount: " + std::string(why));
}

}  // namespace

Result<Cents> parse_amount(std::string_view text, AmountFormat format) {
  if (text.empty()) return bad_amount(text, "it is empty");
  if (text.front() == '-') return bad_amount(text, "amounts cannot be negative");
  if (text.front() == '+') text.remove_prefix(1);

  constexpr Cents kMax = std::numeric_limits<Cents>::max() / 100 - 1;
  Cents units = 0;
  std::size_t i = 0;
  std::size_t digits = 0;
  std::size_t digits_since_separator = 0;
  bool saw_thousands = false;
  for (; i < text.size() && text[i] != format.decimal_separator; ++i) {
    const char c = text[i];
    if (format.thousands_separator != '\0' && c == format.thousands_separator) {
      if (digits == 0 || (saw_thousands && digits_since_separator != 3)) {
        return bad_amount(text, "misplaced thousands separator");
      }
      saw_thousands = true;
      digits_since_separator = 0;
      continue;
    }
    if (!ascii::is_digit(c)) {
      return bad_amount(text, std::string("unexpected character '") + c + "' (expected digits and '" +
                                  format.decimal_separator + "')");
    }
    if (units > kMax / 10) return bad_amount(text, "too large");
    units = units * 10 + (c - '0');
    ++digits;
    ++digits_since_separator;
  }
  if (saw_thousands && digits_since_separator != 3) return bad_amount(text, "misplaced thousands separator");

  Cents fraction = 0;
  std::size_t fraction_digits = 0;
  if (i < text.size()) {  // at the decimal separator
    ++i;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (!ascii::is_digit(c)) {
        return bad_amount(text, std::string("unexpected character '") + c + "' after the decimal separator");
      }
      if (fraction_digits < 2) {
        fraction = fraction * 10 + (c - '0');
      } else if (c != '0') {
        return bad_amount(text, "more than two decimal places");
      }
      ++fraction_digits;
    }
    if (fraction_digits == 0 && digits == 0) return bad_amount(text, "no digits");
  }
  if (digits == 0 && fraction_digits == 0) return bad_amount(text, "no digits");
  if (fraction_digits == 1) fraction *= 10;
  return units * 100 + fraction;
}

std::string format_cents(Cents cents) {
  const bool negative = cents < 0;
  // Work in unsigned so that the most negative value does not overflow.
  auto magnitude = negative ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
  std::string units = std::to_string(magnitude / 100);
  const auto rest = magnitude % 100;
  std::string out = negative ? "-" : "";
  out += units;
  out += '.';
  out += static_cast<char>('0' + rest / 10);
  out += static_cast<char>('0' + rest % 10);
  return out;
}

}  // namespace regua
