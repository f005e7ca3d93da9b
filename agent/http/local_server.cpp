#include "agent/http/local_server.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "agent/http/channel_callbacks.hpp"
#include "agent/http/consents_route.hpp"
#include "agent/http/events_route.hpp"
#include "agent/http/web_app.hpp"

namespace regua {

// A POS sends a few events at a time; a day's backlog after an outage fits in this.
constexpr std::size_t kMaxBodyBytes = 64 << 20;

struct LocalServer::Impl {
  httplib::Server server;
  std::shared_ptr<EventsService> events;
  std::shared_ptr<WebApp> web;
  std::shared_ptr<CallbackService> callbacks;
  std::shared_ptr<ConsentsService> consents;
  std::shared_ptr<MetricsService> metrics;
  std::thread thread;
  std::atomic<bool> finished{false};
  int port = 0;
};

LocalServer::LocalServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LocalServer::~LocalServer() {
  // httplib's stop() only closes the listening socket once the listen thread has marked itself
  // running; a stop that comes before (a SIGTERM right after start) would be lost and join() would
  // wait forever. So ask again until the thread has returned.
  while (!impl_->finished.load()) {
    impl_->server.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

int LocalServer::port() const {
  return impl_->port;
}

Result<std::unique_ptr<LocalServer>> LocalServer::start(const AgentConfig& config, const Clock& clock,
                                                        std::function<void()> on_accepted,
                                                        std::function<void()> on_rules_switched,
                                                        LoopIdle loop_idle) {
  auto impl = std::make_unique<Impl>();
  auto& server = impl->server;
  // Without it each small answer waits for Nagle's delayed ACK: ~300 requests/s instead of ~20k.
  server.set_tcp_nodelay(true);
  server.set_payload_max_length(kMaxBodyBytes);
  server.set_read_timeout(30, 0);
  // Before the web app, whose pages answer every other GET.
  auto metrics = add_metrics_routes(server, config, clock, std::move(loop_idle));
  if (!metrics) return metrics.error();
  impl->metrics = std::move(*metrics);
  auto web = add_web_app(server, config, clock, std::move(on_rules_switched));
  if (!web) return web.error();
  impl->web = std::move(*web);
  auto events = add_events_route(server, config, clock, std::move(on_accepted));
  if (!events) return events.error();
  impl->events = std::move(*events);
  auto callbacks = add_channel_routes(server, config, clock);
  if (!callbacks) return callbacks.error();
  impl->callbacks = std::move(*callbacks);
  auto consents = add_consents_route(server, config, clock);
  if (!consents) return consents.error();
  impl->consents = std::move(*consents);

  const auto& http = config.http;
  if (!server.bind_to_port(http.listen.c_str(), http.port)) {
    return make_error(ErrorKind::io,
                      "the local HTTP server cannot listen on " + http.listen + ":" +
                          std::to_string(http.port) +
                          ": the port is in use (another regua-agent?) or the address is not this "
                          "machine's; set [http] port or listen, or [http] enabled = false");
  }
  impl->port = http.port;
  impl->thread = std::thread([s = &server, finished = &impl->finished] {
    s->listen_after_bind();
    finished->store(true);
  });
  spdlog::info("local HTTP server on http://{}:{} (the store's app: http://{}:{}/)", http.listen, http.port,
               http.listen == "0.0.0.0" ? "127.0.0.1" : http.listen, http.port);
  return std::unique_ptr<LocalServer>(new LocalServer(std::move(impl)));
}

}  // namespace regua
