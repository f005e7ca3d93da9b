#include "cloud/api/hub_api_server.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cloud/api/api_json.hpp"
#include "cloud/api/api_reply.hpp"
#include "cloud/api/api_tokens.hpp"
#include "cloud/api/dashboard_pages.hpp"
#include "cloud/api/rule_pack_routes.hpp"
#include "cloud/network/network_data.hpp"
#include "cloud/network/store_health.hpp"
#include "local/core/prometheus_text.hpp"

namespace regua::hub {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxApiBody = 64 * 1024;
constexpr std::int64_t kMaxPeriods = 400;  // a range split finer than this is refused (by=day over years)

std::string api_param_or(const httplib::Request& req, const char* name, std::string fallback) {
  return req.has_param(name) ? req.get_param_value(name) : std::move(fallback);
}

std::int64_t api_unix_day(Seconds now) {
  return std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
}

// A date range and how to split it, from ?from=&to=&by= (defaults: the 30 days up to the hub's
// UTC today, whole).
struct ApiRange {
  std::int64_t first = 0, last = 0;
  KpiGrouping by = KpiGrouping::none;
  std::string by_name = "none";
};

}  // namespace

struct HubApiServer::Impl {
  Impl(const HubConfig& c, std::unique_ptr<HubStore> s, const Clock& k, const HubCounters* n)
      : config(c),
        store(std::move(s)),
        clock(k),
        counters(n),
        server(c.api.cert.c_str(), c.api.key.c_str()) {}

  HubConfig config;
  std::unique_ptr<HubStore> store;
  const Clock& clock;
  const HubCounters* counters;
  RulePackRoutes packs{*store, config, clock};
  DashboardPages dashboard{config.api, clock};
  httplib::SSLServer server;
  std::mutex db_mutex;  // one request at a time on the API's connection
  std::mutex status_mutex;
  std::map<int, std::int64_t> requests_by_status;
  std::thread thread;
  std::atomic<bool> finished{false};

  using Route = void (Impl::*)(const httplib::Request&, httplib::Response&, const ApiCaller&);
  using PackRoute = void (RulePackRoutes::*)(const httplib::Request&, httplib::Response&, const ApiCaller&);

  void routes() {
    auto guarded = [this](Route route) {
      return [this, route](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(db_mutex);
        if (auto caller = authenticate(req, res)) (this->*route)(req, res, *caller);
      };
    };
    auto pack_route = [this](PackRoute route) {
      return [this, route](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(db_mutex);
        if (auto caller = authenticate(req, res)) (packs.*route)(req, res, *caller);
      };
    };
    server.set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { return dashboard.gate(req, res); });
    // The same headers on pages and answers: no inline script or style, no framing, no sniffing.
    server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
      for (const auto& h : security_headers())
        res.set_header(h.name, h.value);
    });
    server.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(db_mutex);
      healthz(res);
    });
    server.Get("/metrics", guarded(&Impl::metrics));
    server.Get("/api/v1/stores", guarded(&Impl::list_stores));
    server.Get(R"(/api/v1/stores/([A-Za-z0-9_-]+))", guarded(&Impl::one_store));
    server.Get(R"(/api/v1/stores/([A-Za-z0-9_-]+)/tasks)", guarded(&Impl::store_tasks));
    server.Post(R"(/api/v1/stores/([A-Za-z0-9_-]+)/tasks/([0-9]{1,18})/(close|reassign))",
                guarded(&Impl::task_order));
    server.Get("/api/v1/tasks", guarded(&Impl::backlogs));
    server.Get("/api/v1/kpis", guarded(&Impl::kpis));
    server.Get("/api/v1/matrix", guarded(&Impl::matrix));
    server.Get("/api/v1/rankings", guarded(&Impl::rankings));
    server.Get("/api/v1/customers/cross-store", guarded(&Impl::cross_store));
    server.Get("/api/v1/customers/cross-store/list", guarded(&Impl::cross_store_list));
    server.Get("/api/v1/rule-packs", pack_route(&RulePackRoutes::list));
    server.Get("/api/v1/rule-packs/adoption", pack_route(&RulePackRoutes::adoption));
    server.Get(R"(/api/v1/rule-packs/([0-9]{1,18}))", pack_route(&RulePackRoutes::one));
    server.Post("/api/v1/rule-packs", pack_route(&RulePackRoutes::publish));
    server.Post("/api/v1/rule-packs/validate", pack_route(&RulePackRoutes::validate));
    server.Get("/api/v1/me", guarded(&Impl::me));
    // Last: every other path outside /api/ is a page or an asset of the dashboard.
    server.Get(R"(/(?!api/).*)",
               [](const httplib::Request& req, httplib::Response& res) { DashboardPages::serve(req, res); });
    // Unknown routes and httplib's own refusals get the API's JSON error too; an answer that has its
    // body already is left alone.
    server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                     httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      if (res.status == 404) {
        reply_hub_error(
            res, 404, "no such endpoint: " + req.method + " " + req.path,
            "see docs/hub-api.md for the endpoints (all under /api/v1/, plus /metrics and /healthz)");
      } else {
        reply_hub_error(res, res.status, "the request was refused (HTTP " + std::to_string(res.status) + ")",
                        "see docs/hub-api.md");
      }
      return httplib::Server::HandlerResponse::Handled;
    }));
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      spdlog::error("api: a request failed: {}", what);
      reply_hub_error(res, 500, "the hub failed to answer: " + what, "see the hub's log; retry");
    });
    // Counts answers by status for /metrics; logs no header and no token.
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      {
        std::lock_guard lock(status_mutex);
        ++requests_by_status[res.status];
      }
      spdlog::debug("api: {} {} {}", req.method, req.path, res.status);
    });
  }

  std::optional<ApiCaller> authenticate(const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    const auto header = req.get_header_value("Authorization");
    const auto presented = bearer_of(header);
    if (presented.empty()) {
      res.set_header("WWW-Authenticate", "Bearer");
      reply_hub_error(res, 401, "no token: this endpoint needs `Authorization: Bearer <token>`",
                      "ask the network's admin for a token (regua-hub token create --role ...)");
      return std::nullopt;
    }
    auto tokens = store->api_tokens();
    if (!tokens) {
      reply_database_failed(res, tokens.error());
      return std::nullopt;
    }
    auto caller = find_api_caller(*tokens, presented);
    if (!caller) {
      res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      reply_hub_error(res, 401, "the token is not one of this hub's live tokens (unknown or revoked)",
                      "check the token you send; `regua-hub token list` on the hub shows the live ones");
      return std::nullopt;
    }
    return caller;
  }

  Result<std::vector<StoreHealth>> health() {
    return network_health(*store, clock.now(), config.silent_after);
  }

  // The stores the caller may see.
  Result<std::vector<StoreHealth>> visible_stores(const ApiCaller& caller) {
    auto all = health();
    if (!all) return all.error();
    std::erase_if(*all, [&](const StoreHealth& h) { return !caller.sees_store(h.store); });
    return all;
  }

  const StoreHealth* find_store(const std::vector<StoreHealth>& stores, const std::string& id) {
    for (const auto& s : stores) {
      if (s.store == id) return &s;
    }
    return nullptr;
  }

  void healthz(httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    if (auto rows = store->stores(); !rows) {
      reply_api_json(
          res, {{"status", "failing"}, {"problems", {"the hub database: " + rows.error().message}}}, 503);
      return;
    }
    reply_api_json(res, {{"status", "ok"}, {"network", config.network}});
  }

  void metrics(const httplib::Request&, httplib::Response& res, const ApiCaller&) {
    auto stores = health();
    if (!stores) return reply_database_failed(res, stores.error());
    auto parked = store->parked_count();
    if (!parked) return reply_database_failed(res, parked.error());
    std::int64_t records = 0, silent = 0, behind = 0;
    for (const auto& s : *stores) {
      records += s.records;
      silent += s.silent ? 1 : 0;
      behind += s.behind ? 1 : 0;
    }
    PrometheusText t;
    t.family("regua_hub_stores", "gauge", "Stores the hub knows (seen or profiled).");
    t.sample("regua_hub_stores", static_cast<std::int64_t>(stores->size()));
    t.family("regua_hub_stores_silent", "gauge", "Stores not heard from for longer than their threshold.");
    t.sample("regua_hub_stores_silent", silent);
    t.family("regua_hub_stores_behind", "gauge",
             "Stores whose records before their newest heartbeat are missing.");
    t.sample("regua_hub_stores_behind", behind);
    // Per store, from its newest heartbeat (absent until one came): what HQ alerts on.
    t.family("regua_hub_store_sync_lag_seconds", "gauge",
             "How long the store's oldest record not yet acknowledged by the hub has waited.");
    for (const auto& s : *stores) {
      if (s.sync_lag_s) t.sample("regua_hub_store_sync_lag_seconds", *s.sync_lag_s, {{"store", s.store}});
    }
    t.family("regua_hub_store_outbox_records", "gauge", "Records waiting at the store for the hub's ack.");
    for (const auto& s : *stores) {
      if (s.outbox_depth) t.sample("regua_hub_store_outbox_records", *s.outbox_depth, {{"store", s.store}});
    }
    t.family("regua_hub_records", "gauge", "Records stored in the hub database, every store.");
    t.sample("regua_hub_records", records);
    t.family("regua_hub_parked_messages", "gauge", "Messages the hub could not take, kept with the reason.");
    t.sample("regua_hub_parked_messages", *parked);
    if (counters != nullptr) {
      const auto c = counters->snapshot();
      t.family("regua_hub_ingest_batches_total", "counter", "Batches this hub process stored.");
      t.sample("regua_hub_ingest_batches_total", c.batches);
      t.family("regua_hub_ingest_records_total", "counter", "Records new to the hub this process stored.");
      t.sample("regua_hub_ingest_records_total", c.records);
      t.family("regua_hub_ingest_duplicates_total", "counter", "Records this process received again.");
      t.sample("regua_hub_ingest_duplicates_total", c.duplicates);
      t.family("regua_hub_ingest_parked_total", "counter", "Messages this process parked.");
      t.sample("regua_hub_ingest_parked_total", c.parked);
      t.family("regua_hub_ingest_resend_requests_total", "counter",
               "Resend requests this process sent stores.");
      t.sample("regua_hub_ingest_resend_requests_total", c.resends);
    }
    t.family("regua_hub_api_requests_total", "counter",
             "HQ API answers by HTTP status (this one not yet counted).");
    {
      std::lock_guard lock(status_mutex);
      for (const auto& [status, n] : requests_by_status) {
        const auto code = std::to_string(status);
        t.sample("regua_hub_api_requests_total", n, {{"code", code}});
      }
    }
    res.set_content(t.text(), std::string(kPrometheusContentType));
  }

  // Who the token is: the dashboard shows what the role may do.
  void me(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
    reply_api_json(res, {{"name", caller.name},
                         {"role", api_role_name(caller.role)},
                         {"store", caller.role == ApiRole::store_manager ? json(caller.store) : json()},
                         {"network", config.network}});
  }

  void list_stores(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
    auto stores = visible_stores(caller);
    if (!stores) return reply_database_failed(res, stores.error());
    json out{{"network", config.network}, {"stores", json::array()}};
    for (const auto& h : *stores)
      out["stores"].push_back(health_json(h));
    reply_api_json(res, out);
  }

  void one_store(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
    const std::string id = req.matches[1];
    if (!api_store_allowed(caller, res, id)) return;
    auto stores = health();
    if (!stores) return reply_database_failed(res, stores.error());
    const auto* found = find_store(*stores, id);
    if (found == nullptr) return unknown_store(res, id);
    reply_api_json(res, health_json(*found));
  }

  static void unknown_store(httplib::Response& res, const std::string& id) {
    reply_hub_error(res, 404, "the hub knows no store " + id,
                    "GET /api/v1/stores lists the stores; a store appears when it first connects or when HQ "
                    "profiles it (regua-hub store set)");
  }

  Result<std::vector<HubTask>> tasks_of(const std::string& id) {
    auto records = store->entities(id, "task");
    if (!records) return records.error();
    return tasks_from_records(*records);
  }

  void store_tasks(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
    const std::string id = req.matches[1];
    if (!api_store_allowed(caller, res, id)) return;
    const auto state = api_param_or(req, "state", "open");
    if (state != "open" && state != "all") {
      return reply_hub_error(res, 400, "state: \"" + state + "\" is not a task filter",
                             "use state=open or state=all");
    }
    auto stores = health();
    if (!stores) return reply_database_failed(res, stores.error());
    if (find_store(*stores, id) == nullptr) return unknown_store(res, id);
    auto tasks = tasks_of(id);
    if (!tasks) return reply_database_failed(res, tasks.error());
    const auto now = clock.now().time_since_epoch().count();
    json list = json::array();
    for (const auto& t : *tasks) {
      if (state == "all" || t.open()) list.push_back(task_json(t, now));
    }
    json out = backlog_json(backlog_of(id, *tasks, now));
    out["tasks"] = std::move(list);
    reply_api_json(res, out);
  }

  void backlogs(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
    auto stores = visible_stores(caller);
    if (!stores) return reply_database_failed(res, stores.error());
    const auto now = clock.now().time_since_epoch().count();
    json list = json::array();
    std::int64_t open = 0, overdue = 0;
    for (const auto& s : *stores) {
      auto tasks = tasks_of(s.store);
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
  void task_order(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
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
    auto stores = health();
    if (!stores) return reply_database_failed(res, stores.error());
    if (find_store(*stores, id) == nullptr) return unknown_store(res, id);
    auto tasks = tasks_of(id);
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
          res, 409,
          "task " + std::to_string(task_id) + " of store " + id + " is " + task->state + ", not open",
          "only an open task can be closed or reassigned");
    }
    auto suffix = random_api_id();
    if (!suffix) return reply_database_failed(res, suffix.error());
    const auto order_id = "api-" + *suffix;
    if (auto s = store->add_order(id, order_id, order, clock.now()); !s)
      return reply_database_failed(res, s.error());
    spdlog::info("api: {} (token {}) queued order {} for store {}: {} task {}", caller.name, caller.token_id,
                 order_id, id, order["order"].get<std::string>(), task_id);
    reply_api_json(res,
                   {{"order", order_id},
                    {"store", id},
                    {"task", task_id},
                    {"kind", order["order"]},
                    {"status", "queued"}},
                   202);
  }

  std::optional<ApiRange> range_of(const httplib::Request& req, httplib::Response& res) {
    ApiRange r;
    const auto today = api_unix_day(clock.now());
    const auto day_param = [&](const char* name, std::int64_t fallback) -> std::optional<std::int64_t> {
      if (!req.has_param(name)) return fallback;
      auto day = day_from_text(req.get_param_value(name));
      if (!day) {
        reply_hub_error(res, 400, std::string(name) + ": \"" + req.get_param_value(name) + "\" is not a date",
                        "write it as YYYY-MM-DD (a store-local calendar day)");
      }
      return day;
    };
    auto last = day_param("to", today);
    if (!last) return std::nullopt;
    auto first = day_param("from", *last - 29);
    if (!first) return std::nullopt;
    if (*first > *last) {
      reply_hub_error(res, 400, "from is after to", "give from <= to");
      return std::nullopt;
    }
    r.first = *first;
    r.last = *last;
    r.by_name = api_param_or(req, "by", "none");
    if (r.by_name == "day") {
      r.by = KpiGrouping::day;
    } else if (r.by_name == "week") {
      r.by = KpiGrouping::week;
    } else if (r.by_name == "month") {
      r.by = KpiGrouping::month;
    } else if (r.by_name != "none") {
      reply_hub_error(res, 400, "by: \"" + r.by_name + "\" is not a period",
                      "use by=day, week, month or none");
      return std::nullopt;
    }
    const auto span = r.last - r.first + 1;
    const auto periods = r.by == KpiGrouping::day    ? span
                         : r.by == KpiGrouping::week ? span / 7 + 2
                                                     : span / 28 + 2;
    if (r.by != KpiGrouping::none && periods > kMaxPeriods) {
      reply_hub_error(
          res, 400, "the range has too many periods for by=" + r.by_name,
          "ask at most " + std::to_string(kMaxPeriods) + " periods: a shorter range, or a longer by");
      return std::nullopt;
    }
    return r;
  }

  // ?group=network|region|format|store and ?store=S: the stores and the grouping a figure is for.
  // A store manager sees its own store only: group=store (its default), and no other store.
  struct Scope {
    GroupBy by = GroupBy::network;
    std::string by_name;
    std::vector<StoreHealth> stores;
  };

  std::optional<Scope> scope_of(const httplib::Request& req, httplib::Response& res,
                                const ApiCaller& caller) {
    Scope scope;
    const bool manager = caller.role == ApiRole::store_manager;
    scope.by_name = api_param_or(req, "group", manager || req.has_param("store") ? "store" : "network");
    auto by = group_by_from_name(scope.by_name);
    if (!by) {
      reply_hub_error(res, 400, "group: \"" + scope.by_name + "\" is not a grouping",
                      "use group=network, region, format or store");
      return std::nullopt;
    }
    scope.by = *by;
    if (manager && scope.by != GroupBy::store) {
      reply_hub_error(res, 403, "the store_manager role may not see figures of a " + scope.by_name,
                      "use group=store (its own store), or a network_admin or analyst token");
      return std::nullopt;
    }
    const auto only = api_param_or(req, "store", manager ? caller.store : "");
    if (!only.empty() && !api_store_allowed(caller, res, only)) return std::nullopt;
    auto stores = visible_stores(caller);
    if (!stores) {
      reply_database_failed(res, stores.error());
      return std::nullopt;
    }
    if (!only.empty()) {
      std::erase_if(*stores, [&](const StoreHealth& h) { return h.store != only; });
      if (stores->empty()) {
        unknown_store(res, only);
        return std::nullopt;
      }
    }
    scope.stores = std::move(*stores);
    return scope;
  }

  void kpis(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
    auto range = range_of(req, res);
    if (!range) return;
    auto scope = scope_of(req, res, caller);
    if (!scope) return;
    auto figures = load_store_figures(*store, scope->stores);
    if (!figures) return reply_database_failed(res, figures.error());
    json groups = json::array();
    for (const auto& g : network_kpis(figures->stores, scope->by, range->first, range->last, range->by))
      groups.push_back(group_kpis_json(g));
    reply_api_json(res, {{"from", day_text(range->first)},
                         {"to", day_text(range->last)},
                         {"by", range->by_name},
                         {"group", scope->by_name},
                         {"groups", groups},
                         {"unreadable_records", figures->unreadable}});
  }

  void matrix(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
    auto day = api_unix_day(clock.now());
    if (req.has_param("day")) {
      auto d = day_from_text(req.get_param_value("day"));
      if (!d) {
        return reply_hub_error(res, 400, "day: \"" + req.get_param_value("day") + "\" is not a date",
                               "write it as YYYY-MM-DD");
      }
      day = *d;
    }
    auto scope = scope_of(req, res, caller);
    if (!scope) return;
    auto figures = load_store_figures(*store, scope->stores);
    if (!figures) return reply_database_failed(res, figures.error());
    json groups = json::array();
    for (const auto& g : network_matrix(figures->stores, scope->by, day))
      groups.push_back(group_matrix_json(g));
    reply_api_json(res, {{"day", day_text(day)},
                         {"group", scope->by_name},
                         {"groups", groups},
                         {"unreadable_records", figures->unreadable}});
  }

  void rankings(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
    if (!api_role_allowed(caller, res, {ApiRole::network_admin, ApiRole::analyst},
                          "rank the network's stores"))
      return;
    auto range = range_of(req, res);
    if (!range) return;
    const auto sort_name = api_param_or(req, "sort", "retention");
    auto by = rank_by_from_name(sort_name);
    if (!by) {
      return reply_hub_error(res, 400, "sort: \"" + sort_name + "\" is not a ranking",
                             "use sort=retention, active_base, open_tasks or overdue_tasks");
    }
    auto stores = health();
    if (!stores) return reply_database_failed(res, stores.error());
    auto figures = load_store_figures(*store, *stores);
    if (!figures) return reply_database_failed(res, figures.error());
    const auto now = clock.now().time_since_epoch().count();
    std::vector<StoreRanking> list;
    for (auto& g :
         network_kpis(figures->stores, GroupBy::store, range->first, range->last, KpiGrouping::none)) {
      auto tasks = tasks_of(g.group);
      if (!tasks) return reply_database_failed(res, tasks.error());
      list.push_back(StoreRanking{0, g.group, g.total, backlog_of(g.group, *tasks, now)});
    }
    json out = json::array();
    for (const auto& r : rank_stores(std::move(list), *by))
      out.push_back(ranking_json(r));
    reply_api_json(res, {{"from", day_text(range->first)},
                         {"to", day_text(range->last)},
                         {"sort", sort_name},
                         {"stores", out}});
  }

  void cross_store_report(httplib::Response& res, bool with_people) {
    auto stores = health();
    if (!stores) return reply_database_failed(res, stores.error());
    auto input = load_cross_store_input(*store, *stores);
    if (!input) return reply_database_failed(res, input.error());
    reply_api_json(res, cross_store_json(cross_store_customers(*input), with_people));
  }

  void cross_store(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
    if (!api_role_allowed(caller, res, {ApiRole::network_admin, ApiRole::analyst},
                          "see network-wide customers"))
      return;
    cross_store_report(res, false);
  }

  void cross_store_list(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
    if (!api_role_allowed(caller, res, {ApiRole::network_admin}, "list the network's shared customers"))
      return;
    cross_store_report(res, true);
  }
};

HubApiServer::HubApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HubApiServer::~HubApiServer() {
  // httplib's stop() only closes the socket once the listen thread runs (see agent/http/local_server.cpp).
  while (!impl_->finished.load()) {
    impl_->server.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

int HubApiServer::port() const {
  return impl_->config.api.port;
}

Result<std::unique_ptr<HubApiServer>> HubApiServer::start(const HubConfig& config,
                                                          std::unique_ptr<HubStore> store, const Clock& clock,
                                                          const HubCounters* counters) {
  const auto where = config.file.string() + ": [api]";
  for (const auto& [key, path] : {std::pair{"cert", config.api.cert}, std::pair{"key", config.api.key}}) {
    if (!std::ifstream(path)) {
      return make_error(ErrorKind::config, where + " " + key + " = " + path.string() +
                                               ": cannot read it (a PEM file; relative paths are relative to "
                                               "the configuration file)");
    }
  }
  auto impl = std::make_unique<Impl>(config, std::move(store), clock, counters);
  if (!impl->server.is_valid()) {
    return make_error(ErrorKind::config,
                      where + " cert = " + config.api.cert.string() + ", key = " + config.api.key.string() +
                          ": OpenSSL cannot load them as a certificate and its private key "
                          "(PEM; the key must match the certificate)");
  }
  auto& server = impl->server;
  server.set_tcp_nodelay(true);
  server.set_payload_max_length(kMaxApiBody);
  server.set_read_timeout(30, 0);
  server.new_task_queue = [] { return new httplib::ThreadPool(4); };
  // httplib's default adds SO_REUSEPORT, with which a second hub on the same port would bind too and
  // take half the requests: a taken port must be an error.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  impl->routes();
  if (!server.bind_to_port(config.api.host.c_str(), config.api.port)) {
    return make_error(ErrorKind::io,
                      where + " listen = " + config.api.host + ":" + std::to_string(config.api.port) +
                          ": cannot listen there: the port is in use or the address is not this "
                          "machine's");
  }
  impl->thread = std::thread([s = &server, finished = &impl->finished] {
    s->listen_after_bind();
    finished->store(true);
  });
  spdlog::info("HQ API on https://{}:{}/api/v1/", config.api.host, config.api.port);
  return std::unique_ptr<HubApiServer>(new HubApiServer(std::move(impl)));
}

}  // namespace regua::hub
