#pragma once
// People's names, written one way whatever the POS operator typed: "  ANA   DE SOUZA " and
// "ana de souza" are both "Ana de Souza". So lists, messages and duplicate checks read the same.

#include <optional>
#include <string>
#include <string_view>

namespace regua {

// Trims, collapses inner white space to one space and capitalises each word: its first letter and
// the first letter after a hyphen or an apostrophe upper case, the rest lower case ("MARIA-JOSÉ
// D'ÁVILA" -> "Maria-José D'Ávila"). The Portuguese particles de, da, do, dos, das and e stay lower
// case except as the first word. Case is changed for ASCII and Latin-1 letters (all of
// Portuguese); other letters are kept as written. Nothing when no name is left.
std::optional<std::string> normalise_name(std::string_view raw);

// The first word of a normalised name ("Ana de Souza" -> "Ana").
std::string_view first_name(std::string_view normalised);

}  // namespace regua
