#include "cloud/api/api_tokens.hpp"

#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sync/protocol/topics.hpp"

namespace regua::hub {
namespace {

std::string token_hex_of_bytes(const unsigned char* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

std::optional<std::string> token_random_hex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) return std::nullopt;
  return token_hex_of_bytes(buf.data(), buf.size());
}

}  // namespace

std::string_view api_role_name(ApiRole role) {
  switch (role) {
    case ApiRole::network_admin:
      return "network_admin";
    case ApiRole::store_manager:
      return "store_manager";
    case ApiRole::analyst:
      return "analyst";
  }
  return "";
}

std::optional<ApiRole> api_role_from_name(std::string_view name) {
  for (auto role : {ApiRole::network_admin, ApiRole::store_manager, ApiRole::analyst}) {
    if (api_role_name(role) == name) return role;
  }
  return std::nullopt;
}

Result<NewApiToken> make_api_token(ApiRole role, const std::string& store, const std::string& name,
                                   Seconds now) {
  if (role == ApiRole::store_manager && !sync::is_sync_id(store)) {
    return make_error(ErrorKind::usage, "a store_manager token needs --store with the store's id");
  }
  if (role != ApiRole::store_manager && !store.empty()) {
    return make_error(ErrorKind::usage, "--store is only for a store_manager token (" +
                                            std::string(api_role_name(role)) + " sees the whole network)");
  }
  if (name.empty() || name.size() > 200) {
    return make_error(ErrorKind::usage, "--name: say who or what holds the token (1 to 200 characters)");
  }
  auto secret = token_random_hex(32);
  auto id = token_random_hex(6);
  if (!secret || !id)
    return make_error(ErrorKind::io, "the system's random generator failed (OpenSSL RAND_bytes)");
  NewApiToken t;
  t.secret = "rgh_" + *secret;
  t.stored = ApiToken{*id,
                      name,
                      std::string(api_role_name(role)),
                      store,
                      api_token_hash(t.secret),
                      now.time_since_epoch().count(),
                      std::nullopt};
  return t;
}

Result<std::string> random_api_id() {
  auto id = token_random_hex(6);
  if (!id) return make_error(ErrorKind::io, "the system's random generator failed (OpenSSL RAND_bytes)");
  return *id;
}

std::string api_token_hash(std::string_view token) {
  std::array<unsigned char, 32> digest{};
  unsigned int n = 0;
  EVP_Digest(token.data(), token.size(), digest.data(), &n, EVP_sha256(), nullptr);
  return token_hex_of_bytes(digest.data(), n);
}

std::string_view bearer_of(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) return {};
  }
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ')
    token.remove_suffix(1);
  return token;
}

std::optional<ApiCaller> find_api_caller(const std::vector<ApiToken>& tokens, std::string_view presented) {
  if (presented.empty()) return std::nullopt;
  const auto hash = api_token_hash(presented);
  const ApiToken* found = nullptr;
  // Every live token is compared in full, whether an earlier one matched or not.
  for (const auto& t : tokens) {
    if (t.revoked_at || t.hash.size() != hash.size()) continue;
    if (CRYPTO_memcmp(t.hash.data(), hash.data(), hash.size()) == 0) found = &t;
  }
  if (found == nullptr) return std::nullopt;
  auto role = api_role_from_name(found->role);
  if (!role) return std::nullopt;
  return ApiCaller{found->id, found->name, *role, found->store};
}

}  // namespace regua::hub
