#include "local/identity/phone.hpp"

#include <array>
#include <utility>

namespace regua {
namespace {

constexpr std::array<std::pair<PhoneKind, std::string_view>, 4> kNames{{
    {PhoneKind::mobile, "mobile"},
    {PhoneKind::fixed_line, "fixed_line"},
    {PhoneKind::other, "other"},
    {PhoneKind::invalid, "invalid"},
}};

}  // namespace

std::string_view phone_kind_name(PhoneKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "invalid";
}

std::optional<PhoneKind> phone_kind_from_name(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

}  // namespace regua
