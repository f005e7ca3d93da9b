#pragma once
// The store's web app on the agent's local server (docs/web.md): the embedded pages and assets,
// sign-in, and the JSON endpoints the pages use (`/app/api/...`, docs/http-api.md), all behind
// PageSecurity. The app reads and writes the ledger through its own connection, one request at a
// time, like the event API.

#include <functional>
#include <memory>

#include "agent/config/config.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace httplib {
class Server;
}

namespace regua {

class WebApp;

// Adds the app's routes and its security gate (httplib's one pre-routing handler: it sees every
// request) to `server`. Pages answer every GET but /api/..., which stays for the machine APIs. The
// app must outlive the server's use of the routes.
// `on_rules_switched` (may be empty) is called after a rule was turned on or off from the page.
Result<std::shared_ptr<WebApp>> add_web_app(httplib::Server& server, const AgentConfig& config,
                                            const Clock& clock, std::function<void()> on_rules_switched = {});

}  // namespace regua
