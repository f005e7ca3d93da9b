#pragma once
// The HQ HTTP API (docs/hub-api.md): an HTTPS server (cpp-httplib) that `regua-hub run` starts on
// threads of its own when [api] is configured. Every route but /healthz needs a bearer token
// (cloud/api/api_tokens.hpp) and answers only what the token's role may see; errors are
// {"error": ..., "what_to_do": ...}. It reads and writes the hub database through a connection
// of its own (the ingest never waits for a request), one request at a time. The same listener
// serves the HQ dashboard's pages (cloud/api/dashboard_pages.hpp, docs/web.md). The routes live in
// a file per resource: store_routes, figure_routes, rule_pack_routes, metrics_route.

#include <memory>

#include "cloud/hub_config.hpp"
#include "cloud/ingest/hub_ingest.hpp"
#include "cloud/storage/hub_store.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace regua::hub {

class HubApiServer {
 public:
  // Binds to [api] listen with [api] cert and key; fails when they cannot be read or the port is
  // taken. `counters` (may be null): the ingest's, for /metrics.
  static Result<std::unique_ptr<HubApiServer>> start(const HubConfig& config, std::unique_ptr<HubStore> store,
                                                     const Clock& clock, const HubCounters* counters);
  ~HubApiServer();  // stops serving and waits for the requests in flight
  HubApiServer(const HubApiServer&) = delete;
  HubApiServer& operator=(const HubApiServer&) = delete;

  [[nodiscard]] int port() const;

  struct Impl;

 private:
  explicit HubApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace regua::hub
