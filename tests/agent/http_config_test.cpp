// The [http] section: defaults that keep the agent local, and mistakes named with their line.

#include <cstdlib>

#include <gtest/gtest.h>

#include "agent/config/config.hpp"

namespace regua {
namespace {

constexpr std::string_view kSource = "\n[[source]]\nkind = \"jsonl\"\npath = \"x.jsonl\"\n";

Result<AgentConfig> parse_with_http(const std::string& http) {
  return parse_config("[store]\nid = \"centro\"\n" + http + std::string(kSource), "/etc/regua/agent.toml");
}

TEST(HttpConfig, DefaultsListenOnLocalhostWithTheApiOff) {
  ::unsetenv("REGUA_HTTP_TOKEN");
  auto c = parse_with_http("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->http.enabled);
  EXPECT_EQ(c->http.listen, "127.0.0.1");
  EXPECT_EQ(c->http.port, 8610);
  EXPECT_TRUE(c->http.token.empty());
}

TEST(HttpConfig, BadValuesNameTheLineAndWhatIsAllowed) {
  auto c =
      parse_with_http("[http]\nlisten = \"the shop\"\nport = 70000\ntoken = \"short\"\nenable = false\n");
  ASSERT_FALSE(c.ok());
  const auto& m = c.error().message;
  EXPECT_NE(m.find("agent.toml:4: [http] listen: \"the shop\" is not an IP address"), std::string::npos) << m;
  EXPECT_NE(m.find("agent.toml:5: [http] port: 70000 is out of range (allowed: 1 to 65535)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("agent.toml:6: [http] token: is too short"), std::string::npos) << m;
  EXPECT_NE(m.find("agent.toml:7: [http] has an unknown key \"enable\""), std::string::npos) << m;
}

TEST(HttpConfig, TheEnvironmentTokenWinsSoItNeedNotBeWrittenInTheFile) {
  ::setenv("REGUA_HTTP_TOKEN", "from-the-environment-0001", 1);
  auto c = parse_with_http("[http]\ntoken = \"from-the-file-000000001\"\n");
  ::unsetenv("REGUA_HTTP_TOKEN");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->http.token, "from-the-environment-0001");
}

}  // namespace
}  // namespace regua
