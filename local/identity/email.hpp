#pragma once
// E-mail addresses: a pragmatic syntax check, not RFC 5322 in full. It accepts what real mail
// providers hand out and refuses what POS forms typically get wrong (a missing domain or
// top-level domain, spaces, doubled dots, two '@'). docs/identity.md lists the rules.

#include <optional>
#include <string>
#include <string_view>

namespace regua {

// The address trimmed and in lower case when its syntax is plausible, else nothing. Lower case
// because providers treat addresses case-insensitively in practice, and duplicates are found by it.
std::optional<std::string> valid_email(std::string_view raw);

}  // namespace regua
