#include "agent/http/bearer_token.hpp"

#include <openssl/crypto.h>

namespace regua {

TokenCheck check_bearer(std::string_view header, std::string_view expected) {
  if (expected.empty()) return TokenCheck::not_configured;
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size() || header.substr(0, kScheme.size()) != kScheme)
    return TokenCheck::missing;
  const auto given = header.substr(kScheme.size());
  if (given.size() != expected.size()) return TokenCheck::wrong;
  return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0 ? TokenCheck::ok : TokenCheck::wrong;
}

}  // namespace regua
