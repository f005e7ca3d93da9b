#pragma once
// Small text helpers the identity rules share.

#include <string>
#include <string_view>

namespace regua {

// `text` without leading and trailing ASCII white space (space, tab, CR, LF, VT, FF) and
// non-breaking spaces (U+00A0), which spreadsheets and POS forms leave around values.
std::string_view trim_space(std::string_view text);

// ASCII letters in lower case; other bytes (UTF-8 included) unchanged.
std::string ascii_lower(std::string_view text);

}  // namespace regua
