#pragma once
// The agent's local HTTP server (cpp-httplib): the POS event ingest API (`POST /api/v1/events`),
// the message providers' callbacks (`/api/v1/channels/...`: receipts and inbound replies) and
// customers' consent (`/api/v1/customers/{customer}/consents`), monitoring (`/metrics`, `/healthz`),
// docs/http-api.md; later the
// store's web app. It listens on its own
// threads, bound to localhost unless the store opts in to LAN access, and writes to the ledger
// through its own connection, so that it never waits on the event loop nor the loop on it
// (SQLite serialises the two writers; each holds the lock for milliseconds).

#include <functional>
#include <memory>

#include "agent/config/config.hpp"
#include "agent/http/metrics_route.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace regua {

class LocalServer {
 public:
  // Binds to `[http] listen`:`port` and starts serving. Fails when the port is taken.
  // `on_accepted` (may be empty): called from a server thread after new events are committed.
  // `on_rules_switched` (may be empty): after the web app turned a rule on or off (rule_switches.hpp),
  // for `run` to reload its rules. `loop_idle` (may be empty): the event loop's liveness, for
  // /healthz and /metrics.
  static Result<std::unique_ptr<LocalServer>> start(const AgentConfig& config, const Clock& clock,
                                                    std::function<void()> on_accepted = {},
                                                    std::function<void()> on_rules_switched = {},
                                                    LoopIdle loop_idle = {});
  ~LocalServer();  // stops serving and waits for requests in flight
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  [[nodiscard]] int port() const;

  struct Impl;

 private:
  explicit LocalServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace regua
