#include "cloud/api/api_context.hpp"

#include "cloud/api/api_reply.hpp"

namespace regua::hub {

Result<std::vector<StoreHealth>> ApiContext::health() {
  return network_health(store, clock.now(), config.silent_after);
}

Result<std::vector<StoreHealth>> ApiContext::visible_stores(const ApiCaller& caller) {
  auto all = health();
  if (!all) return all.error();
  std::erase_if(*all, [&](const StoreHealth& h) { return !caller.sees_store(h.store); });
  return all;
}

Result<std::vector<HubTask>> ApiContext::tasks_of(const std::string& store_id) {
  auto records = store.entities(store_id, "task");
  if (!records) return records.error();
  return tasks_from_records(*records);
}

const StoreHealth* find_store_health(const std::vector<StoreHealth>& stores, const std::string& id) {
  for (const auto& s : stores) {
    if (s.store == id) return &s;
  }
  return nullptr;
}

void reply_unknown_store(httplib::Response& res, const std::string& id) {
  reply_hub_error(res, 404, "the hub knows no store " + id,
                  "GET /api/v1/stores lists the stores; a store appears when it first connects or when HQ "
                  "profiles it (regua-hub store set)");
}

std::string api_param_or(const httplib::Request& req, const char* name, std::string fallback) {
  return req.has_param(name) ? req.get_param_value(name) : std::move(fallback);
}

}  // namespace regua::hub
