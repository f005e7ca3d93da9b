#include "cloud/api/store_routes.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cloud/api/api_json.hpp"
#include "cloud/api/api_reply.hpp"

namespace regua::hub {

using nlohmann::json;

// Who the token is: the dashboard shows what the role may do.
void StoreRoutes::me(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
  reply_api_json(res, {{"name", caller.name},
                       {"role", api_role_name(caller.role)},
                       {"store", caller.role == ApiRole::store_manager ? json(caller.store) : json()},
                       {"network", api.config.network}});
}

void StoreRoutes::list(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
  auto stores = api.visible_stores(caller);
  if (!stores) return reply_database_failed(res, stores.error());
  json out{{"network", api.config.network}, {"stores", json::array()}};
  for (const auto& h : *stores)
    out["stores"].push_back(health_json(h));
  reply_api_json(res, out);
}

void StoreRoutes::one(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
  const std::string id = req.matches[1];
  if (!api_store_allowed(caller, res, id)) return;
  auto stores = api.health();
  if (!stores) return reply_database_failed(res, stores.error());
  const auto* found = find_store_health(*stores, id);
  if (found == nullptr) return reply_unknown_store(res, id);
  reply_api_json(res, health_json(*found));
}

void StoreRoutes::tasks(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
  const std::string id = req.matches[1];
  if (!api_store_allowed(caller, res, id)) return;
  const auto state = api_param_or(req, "state", "open");
  if (state != "open" && state != "all") {
    return reply_hub_error(res, 400, "state: \"" + state + "\" is not a task filter",
                           "use state=open or state=all");
  }
  auto stores = api.health();
  if (!stores) return reply_database_failed(res, stores.error());
  if (find_store_health(*stores, id) == nullptr) return reply_unknown_store(res, id);
  auto tasks = api.tasks_of(id);
  if (!tasks) return reply_database_failed(res, tasks.error());
  const auto now = api.clock.now().time_since_epoch().count();
  json list = json::array();
  for (const auto& t : *tasks) {
    if (state == "all" || t.open()) list.push_back(task_json(t, now));
  }
  json out = backlog_json(backlog_of(id, *tasks, now));
  out["tasks"] = std::move(list);
  reply_api_json(res, out);
}

void StoreRoutes::backlogs(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
  auto stores = api.visible_stores(caller);
  if (!stores) return reply_database_failed(res, stores.error());
  const auto now = api.clock.now().time_since_epoch().count();
  json list = json::array();
  std::int64_t open = 0, overdue = 0;
  for (const auto& s : *stores) {
    auto tasks = api.tasks_of(s.store);
    if (!tasks) return reply_database_failed(res, tasks.error());
    const auto b = backlog_of(s.store, *tasks, now);
    open += b.open;
    overdue += b.overdue;
    list.push_back(backlog_json(b));
  }
  reply_api_json(res, {{"open", open}, {"overdue", overdue}, {"stores", list}});
}

// POST .../tasks/{id}/close {"reason": "..."} or .../reassign {"to": "..."}: an HQ order to the
// store, sent by the running hub until the store confirms it (docs/protocol.md).
void StoreRoutes::task_order(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
  const std::string id = req.matches[1];
  const std::string action = req.matches[3];
  if (!api_role_allowed(caller, res, {ApiRole::network_admin, ApiRole::store_manager}, action + " a task"))
    return;
  if (!api_store_allowed(caller, res, id)) return;
  const auto task_id = std::stoll(std::string(req.matches[2]));
  json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    return reply_hub_error(res, 400, "the body is not a JSON object",
                           action == "close" ? R"(send {"reason": "..."} (optional) or nothing)"
                                             : R"(send {"to": "who takes the task"})");
  }
  json order{{"order", action == "close" ? "task_close" : "task_reassign"}, {"task", task_id}};
  if (action == "close") {
    auto reason = body.find("reason");
    if (reason != body.end() &&
        (!reason->is_string() || reason->get_ref<const std::string&>().size() > 200)) {
      return reply_hub_error(res, 400, "reason must be a string of at most 200 characters",
                             R"(send {"reason": "why HQ closes it"})");
    }
    order["reason"] = reason != body.end() ? reason->get<std::string>() : std::string("closed by HQ");
  } else {
    auto to = body.find("to");
    if (to == body.end() || !to->is_string() || to->get_ref<const std::string&>().empty() ||
        to->get_ref<const std::string&>().size() > 100) {
      return reply_hub_error(res, 400, "to is required: a string of 1 to 100 characters",
                             R"(send {"to": "who takes the task"})");
    }
    order["to"] = to->get<std::string>();
  }
  auto stores = api.health();
  if (!stores) return reply_database_failed(res, stores.error());
  if (find_store_health(*stores, id) == nullptr) return reply_unknown_store(res, id);
  auto tasks = api.tasks_of(id);
  if (!tasks) return reply_database_failed(res, tasks.error());
  const HubTask* task = nullptr;
  for (const auto& t : *tasks) {
    if (t.id == task_id) task = &t;
  }
  if (task == nullptr) {
    return reply_hub_error(res, 404, "store " + id + " has sent no task " + std::to_string(task_id),
                           "GET /api/v1/stores/" + id + "/tasks lists its open tasks");
  }
  if (!task->open()) {
    return reply_hub_error(
        res, 409, "task " + std::to_string(task_id) + " of store " + id + " is " + task->state + ", not open",
        "only an open task can be closed or reassigned");
  }
  auto suffix = random_api_id();
  if (!suffix) return reply_database_failed(res, suffix.error());
  const auto order_id = "api-" + *suffix;
  if (auto s = api.store.add_order(id, order_id, order, api.clock.now()); !s)
    return reply_database_failed(res, s.error());
  spdlog::info("api: {} (token {}) queued order {} for store {}: {} task {}", caller.name, caller.token_id,
               order_id, id, order["order"].get<std::string>(), task_id);
  reply_api_json(
      res,
      {{"order", order_id}, {"store", id}, {"task", task_id}, {"kind", order["order"]}, {"status", "queued"}},
      202);
}

}  // namespace regua::hub
