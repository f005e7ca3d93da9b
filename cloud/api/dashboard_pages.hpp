#pragma once
// The HQ dashboard's pages (docs/web.md): static files compiled into regua-hub from cloud/web/ and
// served on the HQ API's listener, so that they call the API from the same origin (the API sends
// no CORS headers). The pages hold no data: they read it from /api/v1/ with the bearer token the
// browser keeps in sessionStorage, so there is no cookie and nothing for a cross-site form to ride
// on. What the pages need from the server is a Host check (DNS rebinding: another site's name
// re-pointed at the hub must not get the pages), an Origin check, and headers that forbid inline
// scripts and framing (sync/web/page_security.hpp).

#include <string_view>

#include <httplib.h>

#include "cloud/hub_config.hpp"
#include "local/core/clock.hpp"
#include "sync/web/page_security.hpp"

namespace regua::hub {

// Everything but the API (/api/..., /metrics, /healthz) is the dashboard's.
bool is_dashboard_path(std::string_view path);

class DashboardPages {
 public:
  DashboardPages(const HubApiConfig& api, const Clock& clock);

  // Before routing: refuses (answers and returns Handled) a page request whose Host is not this hub
  // (localhost, an IP address when the API listens beyond loopback, or [api] host_names) or whose
  // Origin is another site's; lets everything else through.
  httplib::Server::HandlerResponse gate(const httplib::Request& req, httplib::Response& res) const;
  // A page ("/", "/kpis": index.html, kpis.html) or an asset ("/assets/app.css"), 404 otherwise.
  static void serve(const httplib::Request& req, httplib::Response& res);

 private:
  PageSecurity security_;
};

}  // namespace regua::hub
