#include "sync/enrolment_token.hpp"

#include <array>
#include <vector>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace regua::sync {
namespace {

constexpr std::size_t kTokenIdDigits = 12;
constexpr std::size_t kTokenSecretDigits = 48;
constexpr std::size_t kTokenPinDigits = 64;

std::string token_hex_of(const unsigned char* bytes, std::size_t size) {
  static constexpr char kTokenHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kTokenHex[bytes[i] >> 4];
    out += kTokenHex[bytes[i] & 0xf];
  }
  return out;
}

bool is_token_hex(std::string_view text, std::size_t digits) {
  if (text.size() != digits) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::string> token_random_hex(std::size_t digits) {
  std::vector<unsigned char> bytes(digits / 2);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return make_error(ErrorKind::internal, "the system's random generator failed: no token made");
  }
  return token_hex_of(bytes.data(), bytes.size());
}

}  // namespace

Result<EnrolmentToken> new_enrolment_token(std::string_view ca_sha256) {
  if (!is_token_hex(ca_sha256, kTokenPinDigits)) {
    return make_error(ErrorKind::internal, "a token pins a SHA-256 (64 lowercase hex digits)");
  }
  auto id = token_random_hex(kTokenIdDigits);
  if (!id) return id.error();
  auto secret = token_random_hex(kTokenSecretDigits);
  if (!secret) return secret.error();
  return EnrolmentToken{std::move(*id), std::move(*secret), std::string(ca_sha256)};
}

Result<EnrolmentToken> parse_enrolment_token(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  const auto first = text.find('.');
  const auto last = text.rfind('.');
  if (first == std::string_view::npos || first == last) {
    return make_error(
        ErrorKind::usage,
        "--token: not an enrolment token: expected ID.SECRET.CA_SHA256 as `regua-hub enrol token` "
        "printed it (copy the whole line)");
  }
  EnrolmentToken t{std::string(text.substr(0, first)), std::string(text.substr(first + 1, last - first - 1)),
                   std::string(text.substr(last + 1))};
  if (!is_token_hex(t.id, kTokenIdDigits) || !is_token_hex(t.secret, kTokenSecretDigits)) {
    return make_error(
        ErrorKind::usage,
        "--token: the token's ID or SECRET part is not what `regua-hub enrol token` prints (12 and "
        "48 hex digits): copy the whole line");
  }
  if (!is_token_hex(t.ca_sha256, kTokenPinDigits)) {
    return make_error(
        ErrorKind::usage,
        "--token: the token's last part is not the CA's SHA-256 (64 hex digits): copy the whole "
        "line `regua-hub enrol token` printed");
  }
  return t;
}

Result<EnrolmentToken> parse_enrolment_bearer(std::string_view bearer) {
  const auto dot = bearer.find('.');
  if (dot == std::string_view::npos || !is_token_hex(bearer.substr(0, dot), kTokenIdDigits) ||
      !is_token_hex(bearer.substr(dot + 1), kTokenSecretDigits)) {
    return make_error(ErrorKind::input, "the Bearer token is not ID.SECRET of an enrolment token");
  }
  return EnrolmentToken{std::string(bearer.substr(0, dot)), std::string(bearer.substr(dot + 1)), {}};
}

std::string enrolment_secret_hash(std::string_view secret) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(secret.data(), secret.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) return {};
  return token_hex_of(digest.data(), size);
}

}  // namespace regua::sync
