// The web pages' security, one refusal at a time: Host and Origin (DNS rebinding, foreign pages),
// a network client while LAN access is off, sign-in without or with a wrong token, sessions, CSRF.

#include "sync/web/page_security.hpp"

#include <gtest/gtest.h>

namespace regua {
namespace {

constexpr std::string_view kPageToken = "0123456789abcdef0123";

class PageSecurityTest : public ::testing::Test {
 protected:
  PageSecurityTest() : clock(Seconds{std::chrono::seconds(1'800'000'000)}) {}

  PageSecurity make(bool lan = false, std::string token = std::string(kPageToken)) {
    PageSecurityOptions o;
    o.token = std::move(token);
    o.port = 8610;
    o.lan_allowed = lan;
    return PageSecurity(o, clock);
  }

  static RequestFacts facts(std::string_view host, std::string_view origin = "",
                            std::string_view remote = "127.0.0.1", std::string_view method = "GET") {
    return RequestFacts{method, host, origin, remote};
  }

  ManualClock clock;
};

TEST_F(PageSecurityTest, AcceptsThisMachineByItsLoopbackNames) {
  auto s = make();
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8610")), Refusal::none);
  EXPECT_EQ(s.check_request(facts("localhost:8610")), Refusal::none);
  EXPECT_EQ(s.check_request(facts("LOCALHOST:8610")), Refusal::none);
  EXPECT_EQ(s.check_request(facts("[::1]:8610", "", "::1")), Refusal::none);
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8610", "http://127.0.0.1:8610", "127.0.0.1", "POST")),
            Refusal::none);
}

TEST_F(PageSecurityTest, RefusesAForeignHostName) {
  auto s = make();
  // A DNS-rebinding page reaches 127.0.0.1 under its own name: the Host header gives it away.
  EXPECT_EQ(s.check_request(facts("evil.example:8610")), Refusal::foreign_host);
  EXPECT_EQ(s.check_request(facts("localhost.evil.example:8610")), Refusal::foreign_host);
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8611")), Refusal::foreign_host) << "another port";
  EXPECT_EQ(s.check_request(facts("127.0.0.1")), Refusal::foreign_host) << "port 80 is not ours";
  EXPECT_EQ(s.check_request(facts("")), Refusal::foreign_host) << "no Host at all";
  EXPECT_EQ(s.check_request(facts("127.0.0.1:86x0")), Refusal::foreign_host);
  EXPECT_EQ(s.check_request(facts("192.168.0.10:8610")), Refusal::foreign_host) << "a LAN address, LAN off";
  EXPECT_EQ(refusal_status(Refusal::foreign_host), 403);
}

TEST_F(PageSecurityTest, WithLanAccessAcceptsIpLiteralsButStillNoNames) {
  auto s = make(true);
  EXPECT_EQ(s.check_request(facts("192.168.0.10:8610", "", "192.168.0.20")), Refusal::none);
  EXPECT_EQ(s.check_request(facts("[fe80::1]:8610", "", "192.168.0.20")), Refusal::none);
  EXPECT_EQ(s.check_request(facts("caixa.local:8610", "", "192.168.0.20")), Refusal::foreign_host);
}

TEST_F(PageSecurityTest, AcceptsTheNamesItsOperatorListedAndNoOther) {
  PageSecurityOptions o;
  o.port = 443;
  o.tls = true;
  o.lan_allowed = true;
  o.host_names = {"hq.rede.com.br"};
  const PageSecurity s(o, clock);
  EXPECT_EQ(s.check_request(facts("hq.rede.com.br", "", "10.0.0.5")), Refusal::none) << "443 by default";
  EXPECT_EQ(s.check_request(facts("HQ.Rede.com.br:443", "https://HQ.Rede.com.br:443", "10.0.0.5")),
            Refusal::none);
  EXPECT_EQ(s.check_request(facts("hq.rede.com.br:8443", "", "10.0.0.5")), Refusal::foreign_host);
  EXPECT_EQ(s.check_request(facts("evil.example:443", "", "10.0.0.5")), Refusal::foreign_host);
  EXPECT_EQ(s.check_request(facts("hq.rede.com.br.evil.example", "", "10.0.0.5")), Refusal::foreign_host);
  EXPECT_EQ(s.check_request(facts("hq.rede.com.br", "https://evil.example", "10.0.0.5")),
            Refusal::foreign_origin);
  EXPECT_EQ(s.check_request(facts("hq.rede.com.br", "http://hq.rede.com.br", "10.0.0.5")),
            Refusal::foreign_origin)
      << "the page is https";
}

TEST_F(PageSecurityTest, RefusesAForeignOrigin) {
  auto s = make();
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8610", "http://evil.example", "127.0.0.1", "POST")),
            Refusal::foreign_origin);
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8610", "null", "127.0.0.1", "POST")), Refusal::foreign_origin);
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8610", "https://127.0.0.1:8610")), Refusal::foreign_origin)
      << "another scheme is another origin";
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8610", "http://localhost:8610")), Refusal::foreign_origin)
      << "another name is another origin";
  EXPECT_EQ(refusal_status(Refusal::foreign_origin), 403);
}

TEST_F(PageSecurityTest, RefusesANetworkClientWhileLanAccessIsOff) {
  auto s = make();
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8610", "", "192.168.0.20")), Refusal::lan_client);
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8610", "", "::ffff:10.0.0.2")), Refusal::lan_client);
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8610", "", "")), Refusal::lan_client) << "no peer address";
  EXPECT_EQ(s.check_request(facts("127.0.0.1:8610", "", "::ffff:127.0.0.1")), Refusal::none);
  auto lan = make(true);
  EXPECT_EQ(lan.check_request(facts("192.168.0.10:8610", "", "192.168.0.20")), Refusal::none);
  EXPECT_EQ(refusal_status(Refusal::lan_client), 403);
}

TEST_F(PageSecurityTest, SignInNeedsTheToken) {
  auto s = make();
  auto none = s.sign_in("");
  ASSERT_TRUE(std::holds_alternative<Refusal>(none));
  EXPECT_EQ(std::get<Refusal>(none), Refusal::no_token);
  auto wrong = s.sign_in("0123456789abcdef0124");
  ASSERT_TRUE(std::holds_alternative<Refusal>(wrong));
  EXPECT_EQ(std::get<Refusal>(wrong), Refusal::wrong_token);
  auto prefix = s.sign_in("0123456789abcdef012");
  ASSERT_TRUE(std::holds_alternative<Refusal>(prefix));
  EXPECT_EQ(std::get<Refusal>(prefix), Refusal::wrong_token);
  EXPECT_EQ(refusal_status(Refusal::wrong_token), 401);

  auto unconfigured = make(false, "");
  auto off = unconfigured.sign_in("");
  ASSERT_TRUE(std::holds_alternative<Refusal>(off));
  EXPECT_EQ(std::get<Refusal>(off), Refusal::not_configured);
}

TEST_F(PageSecurityTest, ASessionIsItsCookieUntilSignOutOrIdleExpiry) {
  auto s = make();
  auto in = s.sign_in(kPageToken);
  ASSERT_TRUE(std::holds_alternative<Session>(in));
  const auto session = std::get<Session>(in);
  EXPECT_EQ(session.id.size(), 64U);
  EXPECT_NE(session.id, session.csrf);
  const auto cookie = s.set_cookie(session);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain http on loopback";

  EXPECT_FALSE(s.session("")) << "no cookie";
  EXPECT_FALSE(s.session("regua_session=" + std::string(64, 'a'))) << "a made-up session";
  auto found = s.session("theme=dark; regua_session=" + session.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->csrf, session.csrf);

  clock.advance(std::chrono::hours(11));
  EXPECT_TRUE(s.session("regua_session=" + session.id)) << "used within 12 h: still on";
  clock.advance(std::chrono::hours(13));
  EXPECT_FALSE(s.session("regua_session=" + session.id)) << "idle for more than 12 h";

  auto again = std::get<Session>(s.sign_in(kPageToken));
  s.sign_out("regua_session=" + again.id);
  EXPECT_FALSE(s.session("regua_session=" + again.id));
}

TEST_F(PageSecurityTest, StateChangesNeedTheSessionsCsrfToken) {
  auto s = make();
  const auto a = std::get<Session>(s.sign_in(kPageToken));
  const auto b = std::get<Session>(s.sign_in(kPageToken));
  EXPECT_EQ(PageSecurity::check_csrf(a, ""), Refusal::missing_csrf);
  EXPECT_EQ(PageSecurity::check_csrf(a, b.csrf), Refusal::wrong_csrf) << "another session's token";
  EXPECT_EQ(PageSecurity::check_csrf(a, a.id), Refusal::wrong_csrf) << "the cookie is not the token";
  EXPECT_EQ(PageSecurity::check_csrf(a, a.csrf), Refusal::none);
  EXPECT_EQ(refusal_status(Refusal::missing_csrf), 403);
  EXPECT_TRUE(is_state_changing("POST"));
  EXPECT_TRUE(is_state_changing("DELETE"));
  EXPECT_FALSE(is_state_changing("GET"));
}

TEST_F(PageSecurityTest, SecureCookieAndHttpsOriginUnderTls) {
  PageSecurityOptions o;
  o.token = std::string(kPageToken);
  o.port = 443;
  o.tls = true;
  PageSecurity s(o, clock);
  EXPECT_NE(s.set_cookie(Session{"x", "y"}).find("; Secure"), std::string::npos);
  EXPECT_EQ(s.check_request(facts("127.0.0.1", "https://127.0.0.1")), Refusal::none);
  EXPECT_EQ(s.check_request(facts("127.0.0.1", "http://127.0.0.1")), Refusal::foreign_origin);
}

TEST_F(PageSecurityTest, SecurityHeadersForbidInlineScriptsAndFraming) {
  std::map<std::string, std::string> h;
  for (const auto& line : security_headers())
    h[line.name] = line.value;
  EXPECT_NE(h["Content-Security-Policy"].find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(h["Content-Security-Policy"].find("unsafe-inline"), std::string::npos);
  EXPECT_NE(h["Content-Security-Policy"].find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(h["X-Frame-Options"], "DENY");
  EXPECT_EQ(h["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(h["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(h.count("Access-Control-Allow-Origin"), 0U);
}

}  // namespace
}  // namespace regua
