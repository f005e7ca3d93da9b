#include "cloud/api/hub_api_server.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cloud/api/api_reply.hpp"
#include "cloud/api/api_tokens.hpp"
#include "cloud/api/dashboard_pages.hpp"
#include "cloud/api/figure_routes.hpp"
#include "cloud/api/metrics_route.hpp"
#include "cloud/api/rule_pack_routes.hpp"
#include "cloud/api/store_routes.hpp"

namespace regua::hub {
namespace {

constexpr std::size_t kMaxApiBody = 64 * 1024;

}  // namespace

struct HubApiServer::Impl {
  Impl(const HubConfig& c, std::unique_ptr<HubStore> s, const Clock& k, const HubCounters* n)
      : config(c), store(std::move(s)), clock(k), metrics(n), server(c.api.cert.c_str(), c.api.key.c_str()) {}

  HubConfig config;
  std::unique_ptr<HubStore> store;
  const Clock& clock;
  ApiContext api{config, *store, clock};
  StoreRoutes stores{api};
  FigureRoutes figures{api};
  RulePackRoutes packs{api};
  ApiMetrics metrics;
  DashboardPages dashboard{config.api, clock};
  httplib::SSLServer server;
  std::mutex db_mutex;  // one request at a time on the API's connection
  std::thread thread;
  std::atomic<bool> finished{false};

  // A route that needs a token: one request at a time on the API's database session.
  template <typename Routes>
  auto guarded(Routes& routes,
               void (Routes::*route)(const httplib::Request&, httplib::Response&, const ApiCaller&)) {
    return [this, &routes, route](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(db_mutex);
      if (auto caller = authenticate(req, res)) (routes.*route)(req, res, *caller);
    };
  }

  void routes() {
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
    server.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(db_mutex);
      if (authenticate(req, res)) metrics.serve(api, res);
    });
    server.Get("/api/v1/stores", guarded(stores, &StoreRoutes::list));
    server.Get(R"(/api/v1/stores/([A-Za-z0-9_-]+))", guarded(stores, &StoreRoutes::one));
    server.Get(R"(/api/v1/stores/([A-Za-z0-9_-]+)/tasks)", guarded(stores, &StoreRoutes::tasks));
    server.Post(R"(/api/v1/stores/([A-Za-z0-9_-]+)/tasks/([0-9]{1,18})/(close|reassign))",
                guarded(stores, &StoreRoutes::task_order));
    server.Get("/api/v1/tasks", guarded(stores, &StoreRoutes::backlogs));
    server.Get("/api/v1/kpis", guarded(figures, &FigureRoutes::kpis));
    server.Get("/api/v1/matrix", guarded(figures, &FigureRoutes::matrix));
    server.Get("/api/v1/rankings", guarded(figures, &FigureRoutes::rankings));
    server.Get("/api/v1/customers/cross-store", guarded(figures, &FigureRoutes::cross_store));
    server.Get("/api/v1/customers/cross-store/list", guarded(figures, &FigureRoutes::cross_store_list));
    server.Get("/api/v1/rule-packs", guarded(packs, &RulePackRoutes::list));
    server.Get("/api/v1/rule-packs/adoption", guarded(packs, &RulePackRoutes::adoption));
    server.Get(R"(/api/v1/rule-packs/([0-9]{1,18}))", guarded(packs, &RulePackRoutes::one));
    server.Post("/api/v1/rule-packs", guarded(packs, &RulePackRoutes::publish));
    server.Post("/api/v1/rule-packs/validate", guarded(packs, &RulePackRoutes::validate));
    server.Get("/api/v1/me", guarded(stores, &StoreRoutes::me));
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
      metrics.count(res.status);
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

  void healthz(httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    if (auto rows = store->stores(); !rows) {
      reply_api_json(
          res, {{"status", "failing"}, {"problems", {"the hub database: " + rows.error().message}}}, 503);
      return;
    }
    reply_api_json(res, {{"status", "ok"}, {"network", config.network}});
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
