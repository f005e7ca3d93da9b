#pragma once
// `GET` and `POST /api/v1/customers/{customer}/consents`: a customer's consent per channel, read and
// set by the store's web app (docs/http-api.md). Same bearer token as the events API; an answer
// set here is recorded as the customer's newest and committed with a full sync before the reply.

#include <memory>

#include "agent/config/config.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace httplib {
class Server;
}

namespace regua {

class ConsentsService;

// Opens the service's own ledger connection and adds the routes to `server`; the service must
// outlive the server's use of them.
Result<std::shared_ptr<ConsentsService>> add_consents_route(httplib::Server& server,
                                                            const AgentConfig& config, const Clock& clock);

}  // namespace regua
