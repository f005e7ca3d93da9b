#pragma once
// A small, stable, non-cryptographic hash (FNV-1a, 64 bits) for content fingerprints and
// de-duplication keys that are stored in the ledger and so must never change between versions.

#include <cstdint>
#include <string_view>

namespace regua {

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

constexpr std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t state = kFnvOffset) {
  for (const char c : bytes) {
    state ^= static_cast<unsigned char>(c);
    state *= 0x100000001b3ULL;
  }
  return state;
}

// SQLite integers are signed: store the same 64 bits.
constexpr std::int64_t as_sql_int(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

}  // namespace regua
