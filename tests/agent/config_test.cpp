#include "agent/config/config.hpp"

#include <gtest/gtest.h>

#include "agent/demo/demo_config.hpp"
#include "tests/support/minimal_config.hpp"

namespace regua {
namespace {

const std::filesystem::path kFile = "/etc/regua/agent.toml";

Result<AgentConfig> parse(std::string_view text) {
  return parse_config(text, kFile);
}

void expect_error(std::string_view text, std::initializer_list<std::string_view> parts) {
  auto c = parse(text);
  ASSERT_FALSE(c.ok()) << text;
  EXPECT_EQ(c.error().kind, ErrorKind::config);
  for (auto part : parts) {
    EXPECT_NE(c.error().message.find(part), std::string::npos) << "expected «" << part << "» in:\n"
                                                               << c.error().message;
  }
}

constexpr std::string_view kMinimal = test::kMinimalConfig;

TEST(Config, AMinimalFileGetsTheDocumentedDefaults) {
  auto c = parse(kMinimal);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->store.id, "centro");
  EXPECT_EQ(c->store.name, "centro");
  EXPECT_EQ(c->store.timezone, "America/Sao_Paulo");
  ASSERT_NE(c->store.zone, nullptr);
  EXPECT_EQ(c->ledger.path, "/etc/regua/ledger.db") << "relative to the configuration file's folder";
  ASSERT_EQ(c->sources.size(), 1U);
  EXPECT_EQ(c->sources[0].name, "/var/pos/sales.jsonl");
  EXPECT_EQ(c->sources[0].kind, SourceKind::jsonl);
  EXPECT_EQ(c->sources[0].poll_interval_ms, 1000);
  EXPECT_EQ(c->log.level, "info");
}

TEST(Config, ReadsEveryKey) {
  auto c = parse(R"(
[store]
id = "loja-07"
name = "Loja Sete"
timezone = "America/Manaus"
[ledger]
path = "data/l.db"
[[source]]
name = "pdv"
kind = "jsonl"
path = "pos/a.jsonl"
poll_interval_ms = 250
[[source]]
name = "pdv2"
kind = "jsonl"
path = "/pos/b.jsonl"
[log]
level = "debug"
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->store.name, "Loja Sete");
  EXPECT_EQ(c->store.timezone, "America/Manaus");
  EXPECT_EQ(c->ledger.path, "/etc/regua/data/l.db");
  EXPECT_EQ(c->sources[0].path, "/etc/regua/pos/a.jsonl");
  EXPECT_EQ(c->sources[0].poll_interval_ms, 250);
  EXPECT_EQ(c->sources[1].name, "pdv2");
  EXPECT_EQ(c->log.level, "debug");
}

TEST(Config, TheEmbeddedDemoConfigurationIsValid) {
  auto c = parse(kDemoConfig);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->store.id, "demo");
}

TEST(Config, AnUnknownKeyNamesFileLineKeyAndWhatIsAllowed) {
  expect_error(
      "[store]\nid = \"x\"\ntimezon = \"America/Sao_Paulo\"\n[[source]]\nkind=\"jsonl\"\npath=\"a\"\n",
      {"/etc/regua/agent.toml:3:", "[store]", "\"timezon\"", "allowed: country, id, name, timezone"});
  expect_error(
      "[stor]\nid = \"x\"\n[[source]]\nkind=\"jsonl\"\npath=\"a\"\n",
      {"agent.toml:1:", "unknown key \"stor\"",
       "allowed: channels, consent, http, ledger, links, log, rules, segment, segments, source, store"});
  expect_error(std::string(kMinimal) + "colour = \"blue\"\n",
               {"agent.toml:8:", "[[source]] #1", "\"colour\"", "kind", "path", "poll_interval_ms"});
}

TEST(Config, AWrongTypeNamesTheKeyAndTheTypeExpected) {
  expect_error("[store]\nid = 7\n[[source]]\nkind=\"jsonl\"\npath=\"a\"\n",
               {"agent.toml:2:", "[store] id must be a string, not an integer"});
  expect_error(std::string(kMinimal) + "poll_interval_ms = \"fast\"\n",
               {"agent.toml:8:", "poll_interval_ms must be an integer, not a string"});
  expect_error("store = 3\n[[source]]\nkind=\"jsonl\"\npath=\"a\"\n",
               {"agent.toml:1:", "store must be a table"});
  expect_error("[store]\nid=\"x\"\n[source]\nkind=\"jsonl\"\n",
               {"agent.toml:3:", "write each one as [[source]]"});
}

TEST(Config, ABadValueSaysWhatIsAllowed) {
  expect_error(
      "[store]\nid = \"x\"\ntimezone = \"America/Sao_Pualo\"\n[[source]]\nkind=\"jsonl\"\npath=\"a\"\n",
      {"agent.toml:3:", "not a known IANA time zone", "America/Sao_Paulo"});
  expect_error("[store]\nid = \"loja centro\"\n[[source]]\nkind=\"jsonl\"\npath=\"a\"\n",
               {"agent.toml:2:", "not a store id"});
  expect_error("[store]\nid = \"x\"\n[[source]]\nkind=\"xml\"\npath=\"a\"\n",
               {"agent.toml:4:", "\"xml\" is not allowed (allowed: \"jsonl\", \"csv\", \"nfe\")"});
  expect_error(std::string(kMinimal) + "poll_interval_ms = 0\n", {"out of range (allowed: 50 to 3600000)"});
  expect_error(std::string(kMinimal) + "[log]\nlevel = \"loud\"\n", {"agent.toml:9:", "allowed: \"trace\""});
}

TEST(Config, MissingRequiredPartsAreNamed) {
  expect_error("[[source]]\nkind=\"jsonl\"\npath=\"a\"\n", {"[store] is missing; it needs id"});
  expect_error("[store]\nid = \"x\"\n", {"no [[source]] is configured"});
  expect_error("[store]\nid = \"x\"\n[[source]]\nkind=\"jsonl\"\n",
               {"agent.toml:3:", "[[source]] #1 needs path"});
}

TEST(Config, TwoSourcesCannotShareAName) {
  expect_error(std::string(kMinimal) + "[[source]]\nkind=\"jsonl\"\npath=\"/var/pos/sales.jsonl\"\n",
               {"already uses the name"});
}

TEST(Config, InvalidTomlGivesLineAndColumn) {
  expect_error("[store]\nid = \"x\n", {"agent.toml:2:", "not valid TOML"});
}

TEST(Config, AllMistakesAreReportedAtOnceInFileOrder) {
  auto c = parse("[store]\nid = 5\ncolour = 1\n[[source]]\nkind = \"xls\"\npath = \"a\"\n");
  ASSERT_FALSE(c.ok());
  const auto& m = c.error().message;
  const auto a = m.find(":2:"), b = m.find(":3:"), d = m.find(":5:");
  ASSERT_NE(a, std::string::npos) << m;
  ASSERT_NE(b, std::string::npos) << m;
  ASSERT_NE(d, std::string::npos) << m;
  EXPECT_LT(a, b);
  EXPECT_LT(b, d);
}

TEST(Config, AMissingFileIsAConfigErrorThatSaysSo) {
  auto c = load_config("/nonexistent/regua.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::config);
  EXPECT_NE(c.error().message.find("/nonexistent/regua.toml"), std::string::npos);
}

}  // namespace
}  // namespace regua
