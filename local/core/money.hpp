#pragma once
// Money is integer cents everywhere. Amounts arrive as decimal text ("129.90", "1.299,90") and are
// converted exactly, never through floating point.

#include <cstdint>
#include <string>
#include <string_view>

#include "local/core/result.hpp"

namespace regua {

using Cents = std::int64_t;

struct AmountFormat {
  char decimal_separator = '.';
  char thousands_separator = '\0';  // '\0': none allowed
};

// Parses a non-negative amount with at most two significant decimal places ("129.9", "129.90",
// "129.900" are all 12990 cents). The error message says what is wrong with the text.
Result<Cents> parse_amount(std::string_view text, AmountFormat format = {});

// "12990" -> "129.90"; negative amounts keep their sign.
std::string format_cents(Cents cents);

}  // namespace regua
