#include "sync/web/page_security.hpp"

#include <array>
#include <charconv>

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace regua {
namespace {

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// 32 bytes from OpenSSL's CSPRNG, as hex: a session id or a CSRF token nobody can guess.
std::string random_session_secret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const auto b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

bool is_ipv4_literal(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6_literal(const std::string& s) {
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

struct HostParts {
  std::string name;
  bool bracketed = false;  // an IPv6 literal in [ ]
  std::optional<int> port;
  bool valid = false;
};

HostParts split_host_header(std::string_view host) {
  HostParts parts;
  std::string_view rest;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return parts;
    parts.name = std::string(host.substr(1, close - 1));
    parts.bracketed = true;
    rest = host.substr(close + 1);
  } else {
    const auto colon = host.rfind(':');
    parts.name = std::string(host.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : host.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.front() != ':' || rest.size() == 1) return parts;
    int port = 0;
    const auto digits = rest.substr(1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return parts;
    parts.port = port;
  }
  for (auto& c : parts.name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  parts.valid = !parts.name.empty();
  return parts;
}

}  // namespace

int refusal_status(Refusal refusal) {
  switch (refusal) {
    case Refusal::none:
      return 200;
    case Refusal::no_session:
    case Refusal::no_token:
    case Refusal::wrong_token:
      return 401;
    case Refusal::lan_client:
    case Refusal::foreign_host:
    case Refusal::foreign_origin:
    case Refusal::missing_csrf:
    case Refusal::wrong_csrf:
    case Refusal::not_configured:
      return 403;
  }
  return 403;
}

std::string refusal_message(Refusal refusal) {
  switch (refusal) {
    case Refusal::none:
      return "";
    case Refusal::lan_client:
      return "this agent serves this machine only: open it on the store's computer, or turn on LAN access "
             "with [http] listen (docs/web.md)";
    case Refusal::foreign_host:
      return "the Host header names another server: open the app at http://127.0.0.1 (or the agent's IP "
             "address) and its port";
    case Refusal::foreign_origin:
      return "a page from another site may not use this agent";
    case Refusal::no_session:
      return "not signed in (or the session expired): sign in at /signin";
    case Refusal::missing_csrf:
      return "the X-CSRF-Token header is missing: reload the page";
    case Refusal::wrong_csrf:
      return "the X-CSRF-Token header is not this session's: reload the page";
    case Refusal::no_token:
      return "type the agent's token to sign in";
    case Refusal::wrong_token:
      return "that is not this agent's token ([http] token in the configuration)";
    case Refusal::not_configured:
      return "the agent has no token: set [http] token (at least 16 characters) and restart it";
  }
  return "refused";
}

bool is_loopback_address(std::string_view ip) {
  const std::string s(ip);
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

bool is_state_changing(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

PageSecurity::PageSecurity(PageSecurityOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

bool PageSecurity::host_allowed(std::string_view host) const {
  const auto parts = split_host_header(host);
  if (!parts.valid) return false;
  const int default_port = options_.tls ? 443 : 80;
  if (parts.port.value_or(default_port) != options_.port) return false;
  if (parts.bracketed) {
    if (!is_ipv6_literal(parts.name)) return false;
    return options_.lan_allowed || is_loopback_address(parts.name);
  }
  if (parts.name == "localhost") return true;
  for (const auto& name : options_.host_names) {
    if (parts.name == name) return true;
  }
  // An IP literal cannot be re-pointed by DNS; any other name could be an attacker's.
  if (!is_ipv4_literal(parts.name)) return false;
  return options_.lan_allowed || is_loopback_address(parts.name);
}

Refusal PageSecurity::check_request(const RequestFacts& request) const {
  if (!options_.lan_allowed && !is_loopback_address(request.remote_addr)) return Refusal::lan_client;
  if (!host_allowed(request.host)) return Refusal::foreign_host;
  if (!request.origin.empty()) {
    const std::string expected =
        std::string(options_.tls ? "https://" : "http://") + std::string(request.host);
    if (request.origin != expected) return Refusal::foreign_origin;
  }
  return Refusal::none;
}

std::variant<Session, Refusal> PageSecurity::sign_in(std::string_view token) {
  if (options_.token.empty()) return Refusal::not_configured;
  if (token.empty()) return Refusal::no_token;
  if (!equal_in_constant_time(token, options_.token)) return Refusal::wrong_token;
  Session s{random_session_secret(), random_session_secret()};
  if (s.id.empty() || s.csrf.empty()) return Refusal::not_configured;  // no randomness: no session
  std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  std::erase_if(sessions_, [&](const auto& e) { return now - e.second.last_used > options_.idle_expiry; });
  sessions_[s.id] = Entry{s.csrf, now};
  return s;
}

void PageSecurity::sign_out(std::string_view cookie_header) {
  const auto id = cookie_value(cookie_header, options_.cookie_name);
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(id); it != sessions_.end()) sessions_.erase(it);
}

std::optional<Session> PageSecurity::session(std::string_view cookie_header) {
  const auto id = cookie_value(cookie_header, options_.cookie_name);
  if (id.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  const auto now = clock_.now();
  if (now - it->second.last_used > options_.idle_expiry) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return Session{it->first, it->second.csrf};
}

Refusal PageSecurity::check_csrf(const Session& session, std::string_view csrf_header) {
  if (csrf_header.empty()) return Refusal::missing_csrf;
  return equal_in_constant_time(csrf_header, session.csrf) ? Refusal::none : Refusal::wrong_csrf;
}

std::string PageSecurity::set_cookie(const Session& session) const {
  return options_.cookie_name + "=" + session.id + "; Path=/; HttpOnly; SameSite=Strict" +
         (options_.tls ? "; Secure" : "");
}

std::string PageSecurity::clear_cookie() const {
  return options_.cookie_name + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
         (options_.tls ? "; Secure" : "");
}

std::span<const HeaderLine> security_headers() {
  static constexpr std::array<HeaderLine, 5> kHeaders{{
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
      {"X-Frame-Options", "DENY"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  }};
  return kHeaders;
}

std::string_view cookie_value(std::string_view header, std::string_view name) {
  std::size_t start = 0;
  while (start < header.size()) {
    auto end = header.find(';', start);
    if (end == std::string_view::npos) end = header.size();
    auto item = header.substr(start, end - start);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    if (item.size() > name.size() && item.starts_with(name) && item[name.size()] == '=')
      return item.substr(name.size() + 1);
    start = end + 1;
  }
  return {};
}

}  // namespace regua
