#pragma once
// Birthdays as POS systems write them, read into one form (YYYY-MM-DD) so that birthday rules can
// find them. A date that cannot be read or cannot be a birthday is kept as written and flagged.

#include <optional>
#include <string>
#include <string_view>

namespace regua {

// The birthday as "YYYY-MM-DD", or nothing. Accepted (D and M may have one digit; separators '-',
// '/' or '.'):
//   YYYY-MM-DD, YYYY/MM/DD        year first
//   DD/MM/YYYY, DD-MM-YYYY        day first, the Brazilian way; month-first (US) dates are not read
//   DD/MM/YY                      a two-digit year is the latest year ending in those digits that is
//                                 not after `reference_year` (so "05" in 2026 is 2005, "90" is 1990)
//   YYYYMMDD, DDMMYYYY            eight digits: the two readings never both give a date
// optionally followed by a time after 'T' or a space ("1990-05-17T00:00:00"), which is ignored.
// Refused: dates that do not exist (31/02), years before 1900 or after `reference_year` (the year the
// information was given), and anything else.
std::optional<std::string> parse_birthday(std::string_view raw, int reference_year);

}  // namespace regua
