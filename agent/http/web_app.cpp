#include "agent/http/web_app.hpp"

#include <algorithm>
#include <functional>
#include <mutex>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "agent/cli/analysis_commands.hpp"
#include "agent/cli/segment_rows.hpp"
#include "agent/http/api_auth.hpp"
#include "agent/http/consents_route.hpp"
#include "agent/http/embedded_assets.hpp"
#include "agent/http/page_security.hpp"
#include "agent/http/web_api.hpp"
#include "agent/http/web_automations.hpp"
#include "agent/http/web_customers.hpp"
#include "agent/http/web_kpis.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "agent/rules/rule_switches.hpp"
#include "agent/rules/tz_store_zone.hpp"
#include "local/ledger/durable_commits.hpp"
#include "local/ledger/ledger.hpp"
#include "local/predict/predictions.hpp"

namespace regua {

class WebApp {
 public:
  WebApp(const AgentConfig& config, const Clock& clock, Ledger ledger, LibphonenumberNormaliser phones)
      : security_(security_options(config), clock),
        clock_(clock),
        zone_(*config.store.zone),
        config_(config),
        phones_(std::move(phones)),
        ledger_(std::move(ledger)) {}

  static PageSecurityOptions security_options(const AgentConfig& config) {
    PageSecurityOptions o;
    o.token = config.http.token;
    o.port = config.http.port;
    o.lan_allowed = !is_loopback_address(config.http.listen);
    return o;
  }

  PageSecurity security_;
  const Clock& clock_;
  TzStoreZone zone_;
  AgentConfig config_;
  LibphonenumberNormaliser phones_;
  std::function<void()> on_rules_switched_;
  std::mutex ledger_mutex_;  // one request at a time on the app's connection
  Ledger ledger_;
};

namespace {

template <typename Json>
void reply_json(httplib::Response& res, const Json& j) {
  res.status = 200;
  res.set_content(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), kJsonContentType);
}

int status_of_error(const Error& e) {
  switch (e.kind) {
    case ErrorKind::usage:
      return 404;
    case ErrorKind::input:
      return 409;
    default:
      return 503;
  }
}

// The machine APIs (POS events with their bearer token, providers' signed callbacks) are not for
// browsers and carry no cookie: POS scripts and reverse proxies may name the agent by any host
// name, so only the LAN check applies to them.
bool is_bearer_api(const std::string& path) {
  return path.starts_with("/api/v1/");
}

bool is_app_api(const std::string& path) {
  return path.starts_with("/app/api/");
}

void serve_asset(const EmbeddedAsset& asset, const httplib::Request& req, httplib::Response& res) {
  res.set_header("ETag", std::string(asset.etag));
  // Revalidate every time: a 304 costs nothing on loopback and an upgrade is seen at once.
  res.set_header("Cache-Control", "no-cache");
  if (etag_matches(req.get_header_value("If-None-Match"), asset.etag)) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(std::string(asset.body()), std::string(asset.content_type).c_str());
}

// The gate every request passes before its route: Host/Origin/LAN for all, and for the app's API a
// session, plus the CSRF token when it changes something.
httplib::Server::HandlerResponse gate(WebApp& app, const httplib::Request& req, httplib::Response& res) {
  // get_header_value answers a copy: keep it alive as long as the views into it.
  const std::string host = req.get_header_value("Host");
  const std::string origin = req.get_header_value("Origin");
  const RequestFacts facts{req.method, host, origin, req.remote_addr};
  auto refusal = app.security_.check_request(facts);
  if (refusal == Refusal::foreign_host && is_bearer_api(req.path)) refusal = Refusal::none;
  if (refusal == Refusal::foreign_origin && is_bearer_api(req.path)) refusal = Refusal::none;
  if (refusal == Refusal::none && is_app_api(req.path)) {
    auto session = app.security_.session(req.get_header_value("Cookie"));
    if (!session) {
      refusal = Refusal::no_session;
    } else if (is_state_changing(req.method)) {
      refusal = PageSecurity::check_csrf(*session, req.get_header_value("X-CSRF-Token"));
    }
  }
  if (refusal == Refusal::none) return httplib::Server::HandlerResponse::Unhandled;
  spdlog::warn("web: refused {} {} from {} (Host \"{}\", Origin \"{}\"): {}", req.method, req.path,
               req.remote_addr, facts.host, facts.origin, refusal_message(refusal));
  reply_api_error(res, refusal_status(refusal), refusal_message(refusal));
  return httplib::Server::HandlerResponse::Handled;
}

// The number a route's first group matched (\d+): a task's or a customer's.
std::optional<std::int64_t> task_id_of(const httplib::Request& req) {
  try {
    return std::stoll(req.matches[1].str());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void add_task_routes(httplib::Server& server, const std::shared_ptr<WebApp>& app) {
  server.Get("/app/api/tasks", [a = app.get()](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(a->ledger_mutex_);
    auto inbox = inbox_json(a->ledger_.db(), a->zone_, a->clock_.now());
    if (!inbox) return reply_api_error(res, 503, inbox.error().message);
    reply_json(res, *inbox);
  });
  server.Post(R"(/app/api/tasks/(\d+)/(done|archive))",
              [a = app.get()](const httplib::Request& req, httplib::Response& res) {
                const auto id = task_id_of(req);
                if (!id) return reply_api_error(res, 404, "no such task");
                std::optional<std::string> outcome;
                std::string note;
                if (req.matches[2] == "done") {
                  const auto body = nlohmann::json::parse(req.body, nullptr, false);
                  if (!body.is_object() || !body.contains("outcome") || !body["outcome"].is_string())
                    return reply_api_error(res, 400, "send {\"outcome\": \"contacted\", \"note\": \"...\"}");
                  outcome = body["outcome"].get<std::string>();
                  if (body.contains("note") && body["note"].is_string())
                    note = body["note"].get<std::string>();
                }
                std::lock_guard lock(a->ledger_mutex_);
                auto task = close_task_json(a->ledger_.db(), a->zone_, *id, outcome, note, a->clock_.now());
                if (!task) return reply_api_error(res, status_of_error(task.error()), task.error().message);
                reply_json(res, *task);
              });
}

// A read in one snapshot of the app's connection, however long it takes while `run` writes.
template <typename Read>
auto read_in_snapshot(WebApp& app, Read&& read) -> decltype(read(app.ledger_.db())) {
  std::lock_guard lock(app.ledger_mutex_);
  auto& db = app.ledger_.db();
  if (auto s = db.exec("BEGIN"); !s) return s.error();
  auto result = read(db);
  (void)db.exec("COMMIT");
  return result;
}

std::string csv_file_name(std::string_view segment, std::string_view day) {
  std::string name = "segment-";
  for (const char c : segment)
    name += std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ? c : '_';
  return name + "-" + std::string(day) + ".csv";
}

void add_segment_routes(httplib::Server& server, const std::shared_ptr<WebApp>& app) {
  server.Get("/app/api/segments", [a = app.get()](const httplib::Request&, httplib::Response& res) {
    auto policy = analysis_policy(a->config_);
    if (!policy) return reply_api_error(res, 503, policy.error().message);
    auto j = read_in_snapshot(*a, [&](sqlite::Db& db) {
      return segments_today_json(db, a->config_, *policy, policy->local_day(a->clock_.now()));
    });
    if (!j) return reply_api_error(res, 503, j.error().message);
    res.set_content(j->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), kJsonContentType);
  });
  // The list (JSON) and its CSV export: the rows of `customers --segment NAME --json` / `--csv`.
  server.Get(R"(/app/api/segment(\.csv)?)", [a = app.get()](const httplib::Request& req,
                                                            httplib::Response& res) {
    const bool csv = req.matches[1].length() > 0;
    auto policy = analysis_policy(a->config_);
    if (!policy) return reply_api_error(res, 503, policy.error().message);
    auto segment = resolve_segment(a->config_, *policy, req.get_param_value("name"));
    if (!segment) return reply_api_error(res, 404, segment.error().message);
    const auto today = policy->local_day(a->clock_.now());
    std::string body = csv ? segment_csv_header() : std::string();
    auto list = nlohmann::ordered_json::array();
    auto s = read_in_snapshot(*a, [&](sqlite::Db& db) -> Status {
      return for_each_segment_member(db, *segment, *policy, today, [&](const SegmentMember& m) -> Status {
        if (csv) {
          body += segment_csv_row(m, *policy);
        } else {
          list.push_back(segment_member_json(m, *policy));
        }
        return {};
      });
    });
    if (!s) return reply_api_error(res, 503, s.error().message);
    if (csv) {
      res.set_header("Content-Disposition", "attachment; filename=\"" +
                                                csv_file_name(segment->name, format_local_day(today)) + "\"");
      res.set_content(body, "text/csv; charset=utf-8");
      return;
    }
    nlohmann::ordered_json j;
    j["day"] = format_local_day(today);
    j["segment"] = {{"name", segment->name},
                    {"title", segment->title},
                    {"kind", std::string(segment_kind_name(segment->kind))},
                    {"filter", segment->filter}};
    j["count"] = list.size();
    j["customers"] = std::move(list);
    res.set_content(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), kJsonContentType);
  });
}

void add_customer_routes(httplib::Server& server, const std::shared_ptr<WebApp>& app) {
  server.Get("/app/api/customers", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
    auto j = read_in_snapshot(
        *a, [&](sqlite::Db& db) { return customer_search_json(db, req.get_param_value("q"), a->phones_); });
    if (!j) return reply_api_error(res, j.error().kind == ErrorKind::usage ? 400 : 503, j.error().message);
    reply_json(res, *j);
  });
  server.Get(
      R"(/app/api/customers/(\d+))", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
        const auto id = task_id_of(req);
        if (!id) return reply_api_error(res, 404, "no such customer");
        auto j = read_in_snapshot(
            *a, [&](sqlite::Db& db) { return customer_page_json(db, *id, a->zone_, a->config_.consent); });
        if (!j) return reply_api_error(res, status_of_error(j.error()), j.error().message);
        reply_json(res, *j);
      });
  // The same body as POST /api/v1/customers/{id}/consents; recorded with the source "web".
  server.Post(R"(/app/api/customers/(\d+)/consents)",
              [a = app.get()](const httplib::Request& req, httplib::Response& res) {
                const auto id = task_id_of(req);
                if (!id) return reply_api_error(res, 404, "no such customer");
                auto body = read_consent_answers(req.body);
                if (auto* problem = std::get_if<std::string>(&body))
                  return reply_api_error(res, 400, *problem);
                std::lock_guard lock(a->ledger_mutex_);
                auto j = set_customer_consents_json(a->ledger_, *id, std::get<ConsentAnswers>(body).changes,
                                                    "web", a->clock_.now(), a->config_.consent);
                if (!j) return reply_api_error(res, status_of_error(j.error()), j.error().message);
                spdlog::info("web: consent of customer #{} recorded: {}", *id, req.body);
                reply_json(res, *j);
              });
  server.Get("/app/api/duplicates", [a = app.get()](const httplib::Request&, httplib::Response& res) {
    auto j = read_in_snapshot(*a, [](sqlite::Db& db) { return customer_duplicates_json(db); });
    if (!j) return reply_api_error(res, 503, j.error().message);
    reply_json(res, *j);
  });
  // {"keep": 3, "merge": [7, 9], "dry_run": true}: the page shows the dry run, then confirms.
  server.Post(
      "/app/api/customers/merge", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
        const auto body = nlohmann::json::parse(req.body, nullptr, false);
        const auto usage = "send {\"keep\": N, \"merge\": [N, ...], \"dry_run\": true|false}";
        if (!body.is_object() || !body.contains("keep") || !body["keep"].is_number_integer() ||
            !body.contains("merge") || !body["merge"].is_array() || body["merge"].empty() ||
            !body.contains("dry_run") || !body["dry_run"].is_boolean())
          return reply_api_error(res, 400, usage);
        std::vector<std::int64_t> others;
        for (const auto& v : body["merge"]) {
          if (!v.is_number_integer()) return reply_api_error(res, 400, usage);
          others.push_back(v.get<std::int64_t>());
        }
        std::lock_guard lock(a->ledger_mutex_);
        auto j = merge_customers_json(a->ledger_, body["keep"].get<std::int64_t>(), others,
                                      body["dry_run"].get<bool>(), a->phones_);
        // Every refusal of a merge (unknown record, different CPFs, a forgotten one) is the request's.
        if (!j)
          return reply_api_error(res, j.error().kind == ErrorKind::ledger ? 503 : 409, j.error().message);
        if (!body["dry_run"].get<bool>())
          spdlog::info("web: customers {} merged into #{}", body["merge"].dump(),
                       body["keep"].get<std::int64_t>());
        reply_json(res, *j);
      });
}

KpiRange kpi_range_of(const httplib::Request& req) {
  return {req.get_param_value("from"), req.get_param_value("to"), req.get_param_value("by")};
}

void add_kpi_routes(httplib::Server& server, const std::shared_ptr<WebApp>& app) {
  server.Get("/app/api/kpis", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
    auto policy = analysis_policy(a->config_);
    if (!policy) return reply_api_error(res, 503, policy.error().message);
    auto j = read_in_snapshot(*a, [&](sqlite::Db& db) {
      return web_kpis_json(db, a->config_, *policy, kpi_range_of(req), a->clock_.now());
    });
    if (!j) return reply_api_error(res, j.error().kind == ErrorKind::usage ? 400 : 503, j.error().message);
    reply_json(res, *j);
  });
  server.Get("/app/api/kpis/chart.svg", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
    auto policy = analysis_policy(a->config_);
    if (!policy) return reply_api_error(res, 503, policy.error().message);
    std::lock_guard lock(a->ledger_mutex_);
    auto svg = web_kpi_chart(a->ledger_.db(), a->config_, *policy, kpi_range_of(req),
                             req.get_param_value("chart"), req.get_param_value("lang"), a->clock_.now());
    if (!svg)
      return reply_api_error(res, svg.error().kind == ErrorKind::usage ? 400 : 503, svg.error().message);
    res.set_content(*svg, "image/svg+xml; charset=utf-8");
  });
  server.Get("/app/api/status", [a = app.get()](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(a->ledger_mutex_);
    auto j = web_status_json(a->config_, a->ledger_);
    if (!j) return reply_api_error(res, 503, j.error().message);
    reply_json(res, *j);
  });
}

void add_automation_routes(httplib::Server& server, const std::shared_ptr<WebApp>& app) {
  server.Get("/app/api/automations", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
    auto policy = analysis_policy(a->config_);
    if (!policy) return reply_api_error(res, 503, policy.error().message);
    std::lock_guard lock(a->ledger_mutex_);
    auto j = automations_json(a->ledger_.db(), a->config_, *policy, req.get_param_value("from"),
                              req.get_param_value("to"), a->clock_.now());
    if (!j) return reply_api_error(res, j.error().kind == ErrorKind::usage ? 400 : 503, j.error().message);
    reply_json(res, *j);
  });
  // {"running": false}: the rule stops (its pending jobs are cancelled `rule_off` when `run` reloads
  // its rules), for good, until turned on again.
  server.Post(R"(/app/api/rules/([a-z0-9_-]{1,64}))", [a = app.get()](const httplib::Request& req,
                                                                      httplib::Response& res) {
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("running") || !body["running"].is_boolean())
      return reply_api_error(res, 400, "send {\"running\": true} or {\"running\": false}");
    const std::string id = req.matches[1].str();
    const bool running = body["running"].get<bool>();
    auto rules = load_store_rules(a->config_);
    if (!rules) return reply_api_error(res, 503, rules.error().message);
    const bool known = std::any_of(rules->settings.rules.begin(), rules->settings.rules.end(),
                                   [&](const Rule& r) { return r.id == id; }) ||
                       std::find(rules->off.begin(), rules->off.end(), id) != rules->off.end();
    if (!known) return reply_api_error(res, 404, "no rule \"" + id + "\" in the store's rules");
    std::lock_guard lock(a->ledger_mutex_);
    auto changed = [&]() -> Result<bool> {
      const DurableCommits durable(a->ledger_);
      if (!durable.status()) return durable.status().error();
      auto txn = sqlite::Transaction::begin(a->ledger_.db());
      if (!txn) return txn.error();
      auto c = switch_rule(a->ledger_.db(), id, running);
      if (!c) return c.error();
      if (auto s = txn->commit(); !s) return s.error();
      return c;
    }();
    if (!changed)
      return reply_api_error(res, 503, "nothing was changed, send it again: " + changed.error().message);
    if (*changed) {
      spdlog::info("web: rule {} turned {} from the web app", id, running ? "on" : "off");
      if (a->on_rules_switched_) a->on_rules_switched_();
    }
    reply_json(res, nlohmann::json{{"rule", id}, {"running", running}, {"changed", *changed}});
  });
  // A backtest changes nothing in the ledger (it replays into a scratch ledger), but it is work the
  // page asks for: a POST, so that no link or prefetch starts one.
  server.Post("/app/api/simulate", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("from") || !body["from"].is_string() || !body.contains("to") ||
        !body["to"].is_string())
      return reply_api_error(res, 400, "send {\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\"}");
    std::lock_guard lock(a->ledger_mutex_);
    auto j = simulate_json(a->ledger_.db(), a->config_, body["from"].get<std::string>(),
                           body["to"].get<std::string>());
    if (!j) return reply_api_error(res, j.error().kind == ErrorKind::usage ? 400 : 503, j.error().message);
    reply_json(res, *j);
  });
}

void add_session_routes(httplib::Server& server, const std::shared_ptr<WebApp>& app) {
  server.Post("/signin", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    std::string token;
    if (body.is_object() && body.contains("token") && body["token"].is_string())
      token = body["token"].get<std::string>();
    auto result = a->security_.sign_in(token);
    if (const auto* refusal = std::get_if<Refusal>(&result)) {
      spdlog::warn("web: sign-in refused from {}: {}", req.remote_addr, refusal_message(*refusal));
      return reply_api_error(res, refusal_status(*refusal), refusal_message(*refusal));
    }
    const auto& session = std::get<Session>(result);
    res.set_header("Set-Cookie", a->security_.set_cookie(session));
    reply_json(res, nlohmann::json{{"csrf", session.csrf}});
  });
  server.Post("/app/api/signout", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
    a->security_.sign_out(req.get_header_value("Cookie"));
    res.set_header("Set-Cookie", a->security_.clear_cookie());
    reply_json(res, nlohmann::json::object());
  });
  server.Get("/app/api/session", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
    auto session = a->security_.session(req.get_header_value("Cookie"));
    if (!session) return reply_api_error(res, 401, refusal_message(Refusal::no_session));
    reply_json(res, nlohmann::json{{"csrf", session->csrf}});
  });
}

void add_page_routes(httplib::Server& server, const std::shared_ptr<WebApp>& app) {
  // Pages are the same for everyone (their data comes from the API), but a visitor without a
  // session is sent to the sign-in page first.
  // Everything but /api/: the machine APIs' GET routes (provider handshakes) are added after this.
  server.Get(R"(/(?!api/).*)", [a = app.get()](const httplib::Request& req, httplib::Response& res) {
    std::string path = req.path;
    const bool page = path == "/" || path.find('.') == std::string::npos;
    if (page) {
      if (path != "/signin" && !a->security_.session(req.get_header_value("Cookie"))) {
        res.status = 303;
        res.set_header("Location", "/signin");
        return;
      }
      path = (path == "/" ? "/index" : path) + ".html";
    }
    const auto* asset = find_asset(agent_web_assets(), path);
    if (asset == nullptr || path.ends_with(".html") != page) {
      res.status = 404;
      res.set_content("not found", "text/plain; charset=utf-8");
      return;
    }
    serve_asset(*asset, req, res);
  });
}

}  // namespace

Result<std::shared_ptr<WebApp>> add_web_app(httplib::Server& server, const AgentConfig& config,
                                            const Clock& clock, std::function<void()> on_rules_switched) {
  auto ledger = Ledger::open(LedgerOptions{config.ledger.path, config.store.id, false, false}, clock);
  if (!ledger) return ledger.error();
  auto phones = LibphonenumberNormaliser::create(config.store.country);
  if (!phones) return phones.error();
  auto app = std::make_shared<WebApp>(config, clock, std::move(*ledger), std::move(*phones));
  app->on_rules_switched_ = std::move(on_rules_switched);
  server.set_pre_routing_handler(
      [a = app.get()](const httplib::Request& req, httplib::Response& res) { return gate(*a, req, res); });
  server.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    for (const auto& h : security_headers())
      res.set_header(h.name, h.value);
    if (!res.has_header("Cache-Control") && (is_app_api(req.path) || is_bearer_api(req.path)))
      res.set_header("Cache-Control", "no-store");
  });
  add_session_routes(server, app);
  add_task_routes(server, app);
  add_segment_routes(server, app);
  add_customer_routes(server, app);
  add_kpi_routes(server, app);
  add_automation_routes(server, app);
  add_page_routes(server, app);
  return app;
}

}  // namespace regua
