#pragma once
// Text from POS files converted to UTF-8, the ledger's only encoding. Brazilian POS exports are
// often Windows-1252 (or labelled ISO-8859-1); both are single-byte encodings, converted here with
// a table rather than iconv so that a bad byte is reported with its column, no locale or gconv
// module is needed at run time, and the conversion costs one table look-up per byte.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "local/core/result.hpp"

namespace regua {

enum class TextEncoding { utf8, windows1252, iso88591 };

// "utf-8", "windows-1252", "iso-8859-1": the names the configuration uses.
std::string_view text_encoding_name(TextEncoding encoding);
std::optional<TextEncoding> text_encoding_from_name(std::string_view name);

// Converts `text` to UTF-8. Returns a view of `text` itself when it needs no conversion (UTF-8 or
// plain ASCII), else of `buffer`, which then holds the converted text. An error (ErrorKind::input)
// names the byte and its 1-based position and suggests the encoding the text is probably in.
Result<std::string_view> to_utf8(std::string_view text, TextEncoding encoding, std::string& buffer);

// The position (0-based) of the first byte that is not part of valid UTF-8, if any.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace regua
