#pragma once
// Enumerations that the ledger stores and the configuration writes as text: each has one array of
// names in the order of its values, and these two functions are the only way between the two.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace regua {

template <typename E, typename T, std::size_t N>
constexpr std::optional<E> enum_from_name(const std::array<T, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (std::string_view(names[i]) == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace regua
