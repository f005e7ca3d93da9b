#pragma once
// The security of the web pages, kept apart from the HTTP library so that every refusal can be
// tested on its own and regua-hub can reuse it (it holds nothing agent-specific; in sync/ because
// it uses OpenSSL's generator, which local/ may not):
//  - every request: the Host header must name this server (a loopback name, or an IP literal when
//    LAN access is on, with the right port) so that a DNS-rebinding page cannot talk to it; an
//    Origin header, when sent, must be this very origin; a client from the network is refused
//    unless LAN access is on;
//  - sign-in with the shared token (compared in constant time) gives a random session id, sent as
//    an HttpOnly SameSite=Strict cookie (Secure under TLS), idle sessions expire;
//  - every state-changing request needs the session's own CSRF token in a header, on top of
//    SameSite: a cross-site form can neither read the token nor send the header.
// Sessions live in memory: a restart signs everyone out, which is the safe way round.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "local/core/clock.hpp"

namespace regua {

struct PageSecurityOptions {
  std::string token;         // the sign-in secret; empty: nobody can sign in
  int port = 0;              // the port the Host header must name
  bool lan_allowed = false;  // the server listens beyond loopback: network clients and IP hosts
  bool tls = false;          // https: the cookie gets Secure and the origin is https://
  // DNS names this server answers to besides localhost (lower case, e.g. "hq.rede.com.br"): names
  // its operator owns, so a rebinding attacker cannot point them at it.
  std::vector<std::string> host_names;
  std::string cookie_name = "regua_session";
  std::chrono::seconds idle_expiry = std::chrono::hours(12);
};

// What the checks need from a request.
struct RequestFacts {
  std::string_view method;       // "GET", "POST", ...
  std::string_view host;         // the Host header
  std::string_view origin;       // the Origin header; empty when absent
  std::string_view remote_addr;  // the peer's IP address
};

enum class Refusal {
  none,
  lan_client,      // a client from the network while LAN access is off
  foreign_host,    // the Host header names another server (DNS rebinding)
  foreign_origin,  // a page from another origin
  no_session,      // no session cookie, or an unknown or expired one
  missing_csrf,    // a state-changing request without the CSRF header
  wrong_csrf,      // with another session's (or a made-up) CSRF token
  no_token,        // sign-in without a token
  wrong_token,     // sign-in with a token that is not this server's
  not_configured,  // sign-in while the server has no token
};

// The HTTP status (403 for requests from the wrong place, 401 for missing credentials) and a
// message that says what to do.
int refusal_status(Refusal refusal);
std::string refusal_message(Refusal refusal);

bool is_loopback_address(std::string_view ip);
bool is_state_changing(std::string_view method);

struct Session {
  std::string id;    // the cookie's value
  std::string csrf;  // sent back in the X-CSRF-Token header
};

class PageSecurity {
 public:
  PageSecurity(PageSecurityOptions options, const Clock& clock);

  // Host, Origin and LAN checks: for every request, signed in or not.
  [[nodiscard]] Refusal check_request(const RequestFacts& request) const;

  // Starts a session when `token` is the configured one.
  std::variant<Session, Refusal> sign_in(std::string_view token);
  void sign_out(std::string_view cookie_header);

  // The session named by a Cookie header, touching its idle timer; nullopt when there is none.
  std::optional<Session> session(std::string_view cookie_header);
  // For a state-changing request: `csrf_header` must be the session's own token.
  [[nodiscard]] static Refusal check_csrf(const Session& session, std::string_view csrf_header);

  [[nodiscard]] std::string set_cookie(const Session& session) const;
  [[nodiscard]] std::string clear_cookie() const;

 private:
  struct Entry {
    std::string csrf;
    Seconds last_used;
  };
  [[nodiscard]] bool host_allowed(std::string_view host) const;

  PageSecurityOptions options_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> sessions_;
};

// The same answer headers for every page and asset: a CSP without inline scripts, no framing, no
// MIME sniffing, no referrer. Never an Access-Control-Allow-Origin: only same-origin pages read.
struct HeaderLine {
  const char* name;
  const char* value;
};
std::span<const HeaderLine> security_headers();

// The value of one cookie in a Cookie header ("a=1; regua_session=xyz").
std::string_view cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace regua
