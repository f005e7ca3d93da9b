#include "local/identity/name.hpp"

#include <array>

#include "local/identity/text.hpp"

namespace regua {
namespace {

constexpr std::array<std::string_view, 6> kParticles{"de", "da", "do", "dos", "das", "e"};

// Case is changed byte-wise: ASCII letters, and the Latin-1 letters, which UTF-8 writes as 0xC3
// followed by 0x80..0x9E (upper case) or 0xA0..0xBE (lower case), 0x20 apart; × (0x97), ÷ (0xB7) and
// ß (0x9F) have no other case. Any other byte is copied as it is, so nothing of the input is lost.
constexpr char kLatin1Lead = '\xC3';

std::string lower_word(std::string_view word) {
  std::string out(word);
  for (std::size_t i = 0; i < out.size(); ++i) {
    char& c = out[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c + 0x20);
    } else if (c == kLatin1Lead && i + 1 < out.size()) {
      const auto b = static_cast<unsigned char>(out[i + 1]);
      if (b >= 0x80 && b <= 0x9E && b != 0x97) out[i + 1] = static_cast<char>(b + 0x20);
      ++i;
    }
  }
  return out;
}

// Upper-cases the character that starts at `i`.
void upper_at(std::string& s, std::size_t i) {
  char& c = s[i];
  if (c >= 'a' && c <= 'z') {
    c = static_cast<char>(c - 0x20);
  } else if (c == kLatin1Lead && i + 1 < s.size()) {
    const auto b = static_cast<unsigned char>(s[i + 1]);
    if (b >= 0xA0 && b <= 0xBE && b != 0xB7) s[i + 1] = static_cast<char>(b - 0x20);
  }
}

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u;
}

bool is_space(std::string_view s, std::size_t i) {
  const char c = s[i];
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' ||
         (c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0');
}

std::string capitalise_word(std::string_view word, bool particle_allowed) {
  std::string out = lower_word(word);
  if (particle_allowed) {
    for (const auto p : kParticles) {
      if (out == p) return out;
    }
  }
  constexpr std::string_view kRightQuote = "\xE2\x80\x99";  // ’, the typographic apostrophe
  bool start = true;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (is_continuation(out[i])) continue;
    if (start) upper_at(out, i);
    start = out[i] == '-' || out[i] == '\'' || std::string_view(out).substr(i).starts_with(kRightQuote);
  }
  return out;
}

}  // namespace

std::optional<std::string> normalise_name(std::string_view raw) {
  const std::string_view text = trim_space(raw);
  std::string out;
  std::size_t i = 0;
  bool first = true;
  while (i < text.size()) {
    while (i < text.size() && is_space(text, i))
      i += text[i] == '\xC2' ? 2 : 1;
    const std::size_t start = i;
    while (i < text.size() && !is_space(text, i))
      ++i;
    if (i == start) break;
    if (!first) out += ' ';
    out += capitalise_word(text.substr(start, i - start), !first);
    first = false;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string_view first_name(std::string_view normalised) {
  return normalised.substr(0, normalised.find(' '));
}

}  // namespace regua
