#pragma once
// The HQ API's tokens and roles (docs/hub-api.md). A token is 256 random bits shown once when made
// (`regua-hub token create`); the hub database keeps only its SHA-256, so a copy of the database
// does not let anyone in. A request's token is hashed and compared in constant time with every
// live token's hash.
//
// Roles: network_admin (everything in the network), store_manager (one store: read it and act on
// its tasks), analyst (read-only, the whole network).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/storage/hub_store.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace regua::hub {

enum class ApiRole { network_admin, store_manager, analyst };
std::string_view api_role_name(ApiRole role);
std::optional<ApiRole> api_role_from_name(std::string_view name);

struct NewApiToken {
  ApiToken stored;     // what the database keeps
  std::string secret;  // the token itself: printed once, never stored
};

// `store` is required for store_manager and refused for the other roles.
Result<NewApiToken> make_api_token(ApiRole role, const std::string& store, const std::string& name,
                                   Seconds now);

// 48 random bits in hex: a token's public id, an order's id.
Result<std::string> random_api_id();

// SHA-256 of a token, 64 lower-case hex digits.
std::string api_token_hash(std::string_view token);

// Who is calling.
struct ApiCaller {
  std::string token_id;
  std::string name;
  ApiRole role = ApiRole::analyst;
  std::string store;  // store_manager's store

  [[nodiscard]] bool sees_store(std::string_view s) const {
    return role != ApiRole::store_manager || s == store;
  }
};

// The token in an `Authorization: Bearer <token>` header; empty when the header is not that.
std::string_view bearer_of(std::string_view authorization);

// The live (not revoked) token whose hash is the presented token's, compared in constant time.
std::optional<ApiCaller> find_api_caller(const std::vector<ApiToken>& tokens, std::string_view presented);

}  // namespace regua::hub
