#pragma once
// The CPF (Cadastro de Pessoas Físicas), Brazil's personal taxpayer number: 11 digits, the last two
// check digits of the first nine. A CPF that passes its check is the strongest sign that two records
// are one person; one that does not is kept as written, flagged, and never used to match.

#include <optional>
#include <string>
#include <string_view>

namespace regua {

// The 11 digits of `raw` when it is a valid CPF, else nothing. Accepts the usual ways of writing it:
// "529.982.247-25", "52998224725", with spaces around or between groups. A CPF written as a bare
// number of 9 or 10 digits is taken as having lost its leading zeros (spreadsheets drop them).
// Refused: wrong check digits, the eleven-equal-digits numbers ("111.111.111-11", which pass the
// check but are never issued), letters, and any other length.
std::optional<std::string> valid_cpf(std::string_view raw);

// "52998224725" -> "529.982.247-25"; anything that is not 11 digits is returned as it is.
std::string format_cpf(std::string_view digits);

}  // namespace regua
