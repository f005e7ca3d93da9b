#pragma once
// `POST /api/v1/events`: POS events over HTTP, answered per line (docs/http-api.md).

#include <functional>
#include <memory>

#include "agent/config/config.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace httplib {
class Server;
}

namespace regua {

class EventsService;

// Opens the service's own ledger connection and adds the route to `server`. The service must
// outlive the server's use of the route. `on_accepted` (may be empty) is called, on the server's
// thread, after a request's new events are committed.
Result<std::shared_ptr<EventsService>> add_events_route(httplib::Server& server, const AgentConfig& config,
                                                        const Clock& clock,
                                                        std::function<void()> on_accepted = {});

}  // namespace regua
