#pragma once
// What every route of the HQ API works with (docs/hub-api.md): the API's own database session, the
// hub's configuration and clock, and the lookups several resources share (the stores' health, a
// store's tasks). One request at a time uses it (HubApiServer serialises them).

#include <string>
#include <vector>

#include <httplib.h>

#include "cloud/api/api_tokens.hpp"
#include "cloud/hub_config.hpp"
#include "cloud/network/store_health.hpp"
#include "cloud/network/task_backlog.hpp"
#include "cloud/storage/hub_store.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace regua::hub {

struct ApiContext {
  const HubConfig& config;
  HubStore& store;
  const Clock& clock;

  // Every store the hub knows, with its health now.
  Result<std::vector<StoreHealth>> health();
  // The stores the caller may see.
  Result<std::vector<StoreHealth>> visible_stores(const ApiCaller& caller);
  // The newest state of each task the store sent.
  Result<std::vector<HubTask>> tasks_of(const std::string& store_id);
};

const StoreHealth* find_store_health(const std::vector<StoreHealth>& stores, const std::string& id);
// 404 for a store the hub does not know.
void reply_unknown_store(httplib::Response& res, const std::string& id);
// A query parameter, or `fallback` when absent.
std::string api_param_or(const httplib::Request& req, const char* name, std::string fallback);

}  // namespace regua::hub
