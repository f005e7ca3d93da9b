#include "cloud/api/figure_routes.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

#include "cloud/api/api_json.hpp"
#include "cloud/api/api_reply.hpp"
#include "cloud/network/network_data.hpp"

namespace regua::hub {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxPeriods = 400;  // a range split finer than this is refused (by=day over years)

std::int64_t figure_unix_day(Seconds now) {
  return std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
}

// A date range and how to split it, from ?from=&to=&by= (defaults: the 30 days up to the hub's
// UTC today, whole).
struct ApiRange {
  std::int64_t first = 0, last = 0;
  KpiGrouping by = KpiGrouping::none;
  std::string by_name = "none";
};

std::optional<ApiRange> figure_range_of(ApiContext& api, const httplib::Request& req,
                                        httplib::Response& res) {
  ApiRange r;
  const auto today = figure_unix_day(api.clock.now());
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
    reply_hub_error(res, 400, "by: \"" + r.by_name + "\" is not a period", "use by=day, week, month or none");
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
struct FigureScope {
  GroupBy by = GroupBy::network;
  std::string by_name;
  std::vector<StoreHealth> stores;
};

std::optional<FigureScope> figure_scope_of(ApiContext& api, const httplib::Request& req,
                                           httplib::Response& res, const ApiCaller& caller) {
  FigureScope scope;
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
  auto stores = api.visible_stores(caller);
  if (!stores) {
    reply_database_failed(res, stores.error());
    return std::nullopt;
  }
  if (!only.empty()) {
    std::erase_if(*stores, [&](const StoreHealth& h) { return h.store != only; });
    if (stores->empty()) {
      reply_unknown_store(res, only);
      return std::nullopt;
    }
  }
  scope.stores = std::move(*stores);
  return scope;
}

void reply_cross_store(ApiContext& api, httplib::Response& res, bool with_people) {
  auto stores = api.health();
  if (!stores) return reply_database_failed(res, stores.error());
  auto input = load_cross_store_input(api.store, *stores);
  if (!input) return reply_database_failed(res, input.error());
  reply_api_json(res, cross_store_json(cross_store_customers(*input), with_people));
}

}  // namespace

void FigureRoutes::kpis(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
  auto range = figure_range_of(api, req, res);
  if (!range) return;
  auto scope = figure_scope_of(api, req, res, caller);
  if (!scope) return;
  auto figures = load_store_figures(api.store, scope->stores);
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

void FigureRoutes::matrix(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
  auto day = figure_unix_day(api.clock.now());
  if (req.has_param("day")) {
    auto d = day_from_text(req.get_param_value("day"));
    if (!d) {
      return reply_hub_error(res, 400, "day: \"" + req.get_param_value("day") + "\" is not a date",
                             "write it as YYYY-MM-DD");
    }
    day = *d;
  }
  auto scope = figure_scope_of(api, req, res, caller);
  if (!scope) return;
  auto figures = load_store_figures(api.store, scope->stores);
  if (!figures) return reply_database_failed(res, figures.error());
  json groups = json::array();
  for (const auto& g : network_matrix(figures->stores, scope->by, day))
    groups.push_back(group_matrix_json(g));
  reply_api_json(res, {{"day", day_text(day)},
                       {"group", scope->by_name},
                       {"groups", groups},
                       {"unreadable_records", figures->unreadable}});
}

void FigureRoutes::rankings(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
  if (!api_role_allowed(caller, res, {ApiRole::network_admin, ApiRole::analyst}, "rank the network's stores"))
    return;
  auto range = figure_range_of(api, req, res);
  if (!range) return;
  const auto sort_name = api_param_or(req, "sort", "retention");
  auto by = rank_by_from_name(sort_name);
  if (!by) {
    return reply_hub_error(res, 400, "sort: \"" + sort_name + "\" is not a ranking",
                           "use sort=retention, active_base, open_tasks or overdue_tasks");
  }
  auto stores = api.health();
  if (!stores) return reply_database_failed(res, stores.error());
  auto figures = load_store_figures(api.store, *stores);
  if (!figures) return reply_database_failed(res, figures.error());
  const auto now = api.clock.now().time_since_epoch().count();
  std::vector<StoreRanking> list;
  for (auto& g :
       network_kpis(figures->stores, GroupBy::store, range->first, range->last, KpiGrouping::none)) {
    auto tasks = api.tasks_of(g.group);
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

void FigureRoutes::cross_store(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
  if (!api_role_allowed(caller, res, {ApiRole::network_admin, ApiRole::analyst},
                        "see network-wide customers"))
    return;
  reply_cross_store(api, res, false);
}

void FigureRoutes::cross_store_list(const httplib::Request&, httplib::Response& res,
                                    const ApiCaller& caller) {
  if (!api_role_allowed(caller, res, {ApiRole::network_admin}, "list the network's shared customers")) return;
  reply_cross_store(api, res, true);
}

}  // namespace regua::hub
