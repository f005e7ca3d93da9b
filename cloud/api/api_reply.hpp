#pragma once
// How the HQ API answers (docs/hub-api.md), shared by its route files: JSON bodies, errors as
// {"error": ..., "what_to_do": ...}, and the role and store checks every route makes.

#include <initializer_list>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cloud/api/api_tokens.hpp"
#include "local/core/result.hpp"

namespace regua::hub {

inline constexpr const char* kHubJson = "application/json";

void reply_hub_error(httplib::Response& res, int status, const std::string& error,
                     const std::string& what_to_do);
void reply_api_json(httplib::Response& res, const nlohmann::json& body, int status = 200);
// 503: the hub database failed (logged; the caller may retry).
void reply_database_failed(httplib::Response& res, const Error& error);

// 403 (answered) unless the caller's role is one of `allowed`; `what` finishes "the R role may not ...".
bool api_role_allowed(const ApiCaller& caller, httplib::Response& res, std::initializer_list<ApiRole> allowed,
                      const std::string& what);
// 403 (answered) when a store manager asks about another store.
bool api_store_allowed(const ApiCaller& caller, httplib::Response& res, const std::string& store);

}  // namespace regua::hub
