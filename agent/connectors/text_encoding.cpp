#include "agent/connectors/text_encoding.hpp"

#include <array>
#include <cstdint>
#include <cstdio>

namespace regua {
namespace {

// Windows-1252 bytes 0x80..0x9F (from the code page's published mapping); 0 marks the five bytes
// the code page leaves undefined. Bytes 0xA0..0xFF are the same code points as in ISO-8859-1.
constexpr std::array<char32_t, 32> kWindows1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string hex_byte(unsigned char b) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", b);
  return text;
}

bool is_ascii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::string_view text_encoding_name(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::utf8:
      return "utf-8";
    case TextEncoding::windows1252:
      return "windows-1252";
    case TextEncoding::iso88591:
      return "iso-8859-1";
  }
  return "utf-8";
}

std::optional<TextEncoding> text_encoding_from_name(std::string_view name) {
  for (const auto e : {TextEncoding::utf8, TextEncoding::windows1252, TextEncoding::iso88591}) {
    if (name == text_encoding_name(e)) return e;
  }
  return std::nullopt;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    char32_t min = 0;
    char32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      length = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, min = 0x10000, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + length > n) return i;
    for (std::size_t k = 1; k < length; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;
    i += length;
  }
  return std::nullopt;
}

Result<std::string_view> to_utf8(std::string_view text, TextEncoding encoding, std::string& buffer) {
  if (is_ascii(text)) return text;
  if (encoding == TextEncoding::utf8) {
    if (const auto bad = first_invalid_utf8(text)) {
      return make_error(ErrorKind::input,
                        "byte " + std::to_string(*bad + 1) + " (" +
                            hex_byte(static_cast<unsigned char>(text[*bad])) +
                            ") is not valid UTF-8 text; if the POS writes Windows-1252 (accents as single "
                            "bytes), set encoding = \"windows-1252\"");
    }
    return text;
  }
  buffer.clear();
  buffer.reserve(text.size() + text.size() / 4);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80 || b >= 0xA0) {
      append_utf8(buffer, b);
      continue;
    }
    if (encoding == TextEncoding::iso88591) {
      // 0x80..0x9F are invisible control characters in ISO-8859-1 and never appear in a POS export;
      // a file that has them is Windows-1252, which puts € and typographic quotes there.
      return make_error(ErrorKind::input, "byte " + std::to_string(i + 1) + " (" + hex_byte(b) +
                                              ") is a control character in ISO-8859-1; the file is "
                                              "probably Windows-1252: set encoding = \"windows-1252\"");
    }
    const char32_t c = kWindows1252High[b - 0x80];
    if (c == 0) {
      return make_error(ErrorKind::input, "byte " + std::to_string(i + 1) + " (" + hex_byte(b) +
                                              ") is not a Windows-1252 character; is the file in another "
                                              "encoding (utf-8)?");
    }
    append_utf8(buffer, c);
  }
  return std::string_view(buffer);
}

}  // namespace regua
