#include "cloud/api/api_reply.hpp"

#include <spdlog/spdlog.h>

namespace regua::hub {

void reply_hub_error(httplib::Response& res, int status, const std::string& error,
                     const std::string& what_to_do) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", error}, {"what_to_do", what_to_do}}.dump(), kHubJson);
}

void reply_api_json(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  res.set_content(body.dump(), kHubJson);
}

void reply_database_failed(httplib::Response& res, const Error& error) {
  spdlog::error("api: {}", error.message);
  reply_hub_error(res, 503, "the hub database failed: " + error.message,
                  "retry; if it lasts, check the hub's database (regua-hub status)");
}

bool api_role_allowed(const ApiCaller& caller, httplib::Response& res, std::initializer_list<ApiRole> allowed,
                      const std::string& what) {
  for (auto role : allowed) {
    if (caller.role == role) return true;
  }
  reply_hub_error(res, 403, "the " + std::string(api_role_name(caller.role)) + " role may not " + what,
                  "use a token of a role that may (docs/hub-api.md lists the roles of each endpoint)");
  return false;
}

bool api_store_allowed(const ApiCaller& caller, httplib::Response& res, const std::string& store) {
  if (caller.sees_store(store)) return true;
  reply_hub_error(res, 403, "this store_manager token is for store " + caller.store + ", not " + store,
                  "ask for store " + caller.store + ", or use a network_admin or analyst token");
  return false;
}

}  // namespace regua::hub
