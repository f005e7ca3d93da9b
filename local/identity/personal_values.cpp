#include "local/identity/personal_values.hpp"

#include <algorithm>

namespace regua {
namespace {

// A byte that continues a word: an ASCII letter or digit, or any byte of a multi-byte UTF-8
// character (accented letters are all outside ASCII).
bool word_byte(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b >= 0x80 || (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
}

// Whether `value` found at `pos` of `text` stands apart: a value that begins (ends) with a word
// character must not be glued to another one before (after) it.
bool stands_apart(std::string_view text, std::size_t pos, std::string_view value) {
  if (word_byte(value.front()) && pos > 0 && word_byte(text[pos - 1])) return false;
  const std::size_t end = pos + value.size();
  if (word_byte(value.back()) && end < text.size() && word_byte(text[end])) return false;
  return true;
}

std::string_view trimmed_value(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  return v;
}

}  // namespace

void PersonalValues::add(std::string_view value) {
  value = trimmed_value(value);
  if (value.size() < 2 || std::find(values_.begin(), values_.end(), value) != values_.end()) return;
  values_.emplace_back(value);
  std::stable_sort(values_.begin(), values_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::optional<std::string> PersonalValues::scrub(std::string_view text) const {
  std::string out(text);
  bool changed = false;
  for (const std::string& value : values_) {
    std::size_t pos = 0;
    while ((pos = out.find(value, pos)) != std::string::npos) {
      if (stands_apart(out, pos, value)) {
        out.replace(pos, value.size(), kErasedMark);
        pos += kErasedMark.size();
        changed = true;
      } else {
        ++pos;
      }
    }
  }
  if (!changed) return std::nullopt;
  return out;
}

}  // namespace regua
