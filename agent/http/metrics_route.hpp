#pragma once
// `GET /metrics` (Prometheus text format 0.0.4) and `GET /healthz` on the agent's local server
// (docs/http-api.md). Both read the ledger through their own read-only connection and the event
// loop's liveness through `loop_idle`: the seconds since the loop last ticked (it ticks at least
// every second while it runs). /metrics needs the API token (its figures describe the store's
// business); /healthz needs none and says only whether the agent works and, if not, what is wrong.

#include <functional>
#include <memory>

#include "agent/config/config.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace httplib {
class Server;
}

namespace regua {

// Seconds since the event loop last ticked; empty function: no loop (the server alone, in tests).
using LoopIdle = std::function<double()>;

// A loop silent for longer than this is stuck.
inline constexpr double kLoopStuckSeconds = 30.0;

class MetricsService;

Result<std::shared_ptr<MetricsService>> add_metrics_routes(httplib::Server& server, const AgentConfig& config,
                                                           const Clock& clock, LoopIdle loop_idle);

}  // namespace regua
