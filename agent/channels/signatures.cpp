#include "agent/channels/signatures.hpp"

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace regua {
namespace {

std::string hmac_bytes(const EVP_MD* digest, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(digest, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             std::vector<std::pair<std::string, std::string>> post_params) {
  std::stable_sort(post_params.begin(), post_params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string data(url);
  for (const auto& [name, value] : post_params) {
    data += name;
    data += value;
  }
  return base64(hmac_bytes(EVP_sha1(), auth_token, data));
}

std::string sha256_signature(std::string_view secret, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string mac = hmac_bytes(EVP_sha256(), secret, body);
  std::string out = "sha256=";
  for (const unsigned char c : mac) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

bool same_secret(std::string_view given, std::string_view expected) {
  // The length of a signature is public; its bytes are compared in constant time.
  return given.size() == expected.size() && CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace regua
