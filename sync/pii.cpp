#include "sync/pii.hpp"

#include <array>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace regua::sync {

std::string_view pii_policy_name(PiiPolicy policy) {
  switch (policy) {
    case PiiPolicy::full:
      return "full";
    case PiiPolicy::hashed:
      return "hashed";
    case PiiPolicy::none:
      return "none";
  }
  return "none";
}

std::optional<PiiPolicy> pii_policy_from_name(std::string_view name) {
  for (const auto p : {PiiPolicy::full, PiiPolicy::hashed, PiiPolicy::none}) {
    if (pii_policy_name(p) == name) return p;
  }
  return std::nullopt;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view value) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac.data(), &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xF];
  }
  return out;
}

}  // namespace regua::sync
