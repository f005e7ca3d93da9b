#include "local/identity/email.hpp"

#include <algorithm>

#include "local/identity/text.hpp"

namespace regua {
namespace {

constexpr std::size_t kMaxAddress = 254;  // RFC 5321's limit on a forward path, minus the brackets
constexpr std::size_t kMaxLocal = 64;
constexpr std::size_t kMaxLabel = 63;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The "atext" characters of RFC 5322, plus the dot between them. Quoted local parts ("a b"@x) are
// refused: no provider hands them out and on a POS form they are a typo.
bool local_part_ok(std::string_view local) {
  if (local.empty() || local.size() > kMaxLocal) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  constexpr std::string_view kSpecials = "!#$%&'*+/=?^_`{|}~.-";
  return std::all_of(local.begin(), local.end(),
                     [&](char c) { return is_alnum(c) || kSpecials.find(c) != std::string_view::npos; });
}

// Host names of two or more labels; the last one (the top-level domain) of letters only, at least
// two: "ana@gmail" and "ana@gmail.c" are typos, not addresses.
bool domain_ok(std::string_view domain) {
  std::size_t labels = 0;
  std::string_view last;
  while (true) {
    const auto dot = domain.find('.');
    const std::string_view label = domain.substr(0, dot);
    if (label.empty() || label.size() > kMaxLabel) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; }))
      return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  return labels >= 2 && last.size() >= 2 && std::all_of(last.begin(), last.end(), is_alpha);
}

}  // namespace

std::optional<std::string> valid_email(std::string_view raw) {
  const std::string_view text = trim_space(raw);
  if (text.size() > kMaxAddress) return std::nullopt;
  const auto at = text.find('@');
  if (at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) return std::nullopt;
  if (!local_part_ok(text.substr(0, at)) || !domain_ok(text.substr(at + 1))) return std::nullopt;
  return ascii_lower(text);
}

}  // namespace regua
