// [rules], [rules.quiet_hours], [rules.cap], [links], [channels.file] and the store's rules file:
// defaults, every key, and mistakes reported with their file and line.

#include <gtest/gtest.h>

#include "agent/config/config.hpp"
#include "agent/rules/rule_file.hpp"
#include "local/rules/rule_set.hpp"
#include "tests/support/minimal_config.hpp"

namespace regua {
namespace {

Result<AgentConfig> parse_with_rules(const std::string& extra) {
  return test::parse_minimal_plus(extra);
}

TEST(RulesConfig, Defaults) {
  auto c = parse_with_rules("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->rules.file);
  EXPECT_TRUE(c->rules.default_pack);
  EXPECT_TRUE(c->rules.disable.empty());
  EXPECT_EQ(c->rules.language, Language::pt_br);
  EXPECT_EQ(c->rules.quiet.start, std::chrono::minutes{21 * 60});
  EXPECT_EQ(c->rules.quiet.end, std::chrono::minutes{9 * 60});
  EXPECT_EQ(c->rules.cap.max, 2);
  EXPECT_EQ(c->rules.cap.window, std::chrono::seconds{std::chrono::days{7}});
  EXPECT_TRUE(c->links.rating_url.empty());
  EXPECT_EQ(c->channels.file.path, "/etc/regua/outbox.jsonl") << "beside the ledger";
}

TEST(RulesConfig, ReadsEveryKey) {
  auto c = parse_with_rules(R"(
[rules]
file = "regras.toml"
default_pack = false
disable = ["review-3d", "birthday"]
language = "en"
[rules.quiet_hours]
start = "22:30"
end = "08:00"
[rules.cap]
max_messages = 3
days = 10

[links]
rating_url = "https://loja.example/a"
review_url = "https://loja.example/r"
survey_url = "https://loja.example/s"

[channels.file]
path = "saida/mensagens.jsonl"
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(*c->rules.file, "/etc/regua/regras.toml");
  EXPECT_FALSE(c->rules.default_pack);
  EXPECT_EQ(c->rules.disable, (std::vector<std::string>{"review-3d", "birthday"}));
  EXPECT_EQ(c->rules.language, Language::en);
  EXPECT_EQ(c->rules.quiet.start, std::chrono::minutes{22 * 60 + 30});
  EXPECT_EQ(c->rules.quiet.end, std::chrono::minutes{8 * 60});
  EXPECT_EQ(c->rules.cap.max, 3);
  EXPECT_EQ(c->rules.cap.window, std::chrono::seconds{std::chrono::days{10}});
  EXPECT_EQ(c->links.survey_url, "https://loja.example/s");
  EXPECT_EQ(c->channels.file.path, "/etc/regua/saida/mensagens.jsonl");
}

TEST(RulesConfig, QuietHoursCanBeTurnedOff) {
  auto c = parse_with_rules("[rules.quiet_hours]\nenabled = false\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->rules.quiet.enabled());
}

TEST(RulesConfig, MistakesNameTheLineAndTheKey) {
  auto c = parse_with_rules(R"(
[rules]
disable = ["rating-2h"]
languge = "en"
[rules.quiet_hours]
start = "25:00"
[rules.cap]
max_messages = -1
[links]
rating_url = "loja.example"
[channels.file]
pth = "x"
)");
  ASSERT_FALSE(c.ok());
  const auto& m = c.error().message;
  for (const char* expected : {
           "agent.toml:10: [rules] disable: \"rating-2h\" is not a default rule (default rules: rating-1h,",
           "agent.toml:11: [rules] has an unknown key \"languge\"",
           "agent.toml:13: [rules.quiet_hours] start: \"25:00\" is not a time of day",
           "agent.toml:15: [rules.cap] max_messages: -1 is out of range (allowed: 0 to 100)",
           "agent.toml:17: [links] rating_url: \"loja.example\" is not a web address",
           "agent.toml:19: [channels.file] has an unknown key \"pth\"",
       }) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << "\n" << m;
  }
}

TEST(RuleFile, FlattensTablesIntoDottedKeysWithTheirLines) {
  auto raw = parse_rule_file(R"([[rule]]
id = "volte"
trigger = { kind = "days_without_purchase", days = 20 }
[rule.action]
kind = "message"
channel = "sms"
template = "Oi{?, {first_name}}!"

[[rule]]
id = "review-3d"
enabled = false
)",
                             "regras.toml");
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  ASSERT_EQ(raw->size(), 2U);
  const auto& first = (*raw)[0];
  EXPECT_EQ(first.label, "[[rule]] #1");
  EXPECT_EQ(first.origin, "regras.toml:1");
  std::vector<std::string> keys;
  for (const auto& [key, value] : first.fields)
    keys.push_back(key + "@" + value.origin);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"id@regras.toml:2", "trigger.kind@regras.toml:3",
                                      "trigger.days@regras.toml:3", "action.kind@regras.toml:5",
                                      "action.channel@regras.toml:6", "action.template@regras.toml:7"}));
  auto rule = build_rule(first, RuleContext{});
  ASSERT_TRUE(rule.ok()) << rule.error().message;
  EXPECT_EQ(rule->trigger.days, 20);
  EXPECT_TRUE(is_toggle((*raw)[1]));
}

TEST(RuleFile, WhatTheSchemaRejectsIsNamedWithFileLineRuleAndField) {
  auto raw = parse_rule_file(R"([[rule]]
id = "x"
colour = "blue"
[rule.trigger]
kind = "after_purchase"
delay = 3
[rule.action]
kind = "message"
channel = "sms"
template = "Oi"
[rule.extra]
a = 1
)",
                             "regras.toml");
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  auto set = assemble_rules(RuleSetOptions{true, {}, *raw, {}}, StoreLinks{});
  ASSERT_FALSE(set.ok());
  const auto& m = set.error().message;
  EXPECT_NE(m.find("regras.toml:3: rule \"x\" has an unknown key \"colour\""), std::string::npos) << m;
  EXPECT_NE(m.find("regras.toml:6: rule \"x\" trigger.delay: must be a string, not a whole number"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("regras.toml:11: rule \"x\" has an unknown key \"extra\""), std::string::npos) << m;
}

TEST(RuleFile, OnlyRuleTablesAndValidToml) {
  auto other = parse_rule_file("store = \"x\"\n", "regras.toml");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("regras.toml:1: unknown key \"store\""), std::string::npos)
      << other.error().message;
  auto broken = parse_rule_file("[[rule]\n", "regras.toml");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("regras.toml:1:"), std::string::npos) << broken.error().message;
  EXPECT_EQ(broken.error().kind, ErrorKind::config);
}

}  // namespace
}  // namespace regua

namespace regua {
namespace {

// Found by the rule-pack fuzzer's reader (tests/fuzz/fuzz_rule_pack.cpp) on a long input: a table
// name of half a million parts (a 1 MiB pack, under the broker's limit) made toml++ nest as many
// tables and recurse off the stack destroying them. The reader refuses it first, naming the line;
// what real files write, dotted keys and strings full of dots included, still reads.
TEST(RuleFile, KeysOfTooManyPartsAreRefusedBeforeNesting) {
  std::string deep = "[[rule]]\nid = \"x\"\n[rule";
  for (int i = 0; i < 500'000; ++i)
    deep += ".a";
  deep += "]\nx = 1\n";
  auto raw = parse_rule_file(deep, "rule pack version 9");
  ASSERT_FALSE(raw.ok());
  EXPECT_NE(
      raw.error().message.find("rule pack version 9:3: a key or table name of more than 64 dotted parts"),
      std::string::npos)
      << raw.error().message.substr(0, 300);

  std::string inline_deep = "[[rule]]\nid = \"x\"\ntrigger = { ";
  for (int i = 0; i < 100; ++i)
    inline_deep += "a.";
  inline_deep += "b = 1 }\n";
  EXPECT_FALSE(parse_rule_file(inline_deep, "regras.toml").ok());

  auto config = parse_config(std::string(test::kMinimalConfig) + "[" + std::string(200, '.') + "]\n",
                             "/etc/regua/agent.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("/etc/regua/agent.toml:"), std::string::npos);

  // Dots in strings, comments, multi-line strings and numbers are not key parts.
  const std::string dots(200, '.');
  auto fine = parse_rule_file("# " + dots + "\n[[rule]]\nid = \"x\"\ndescription = \"" + dots +
                                  "\"\n[rule.action]\ntemplate = '''\n" + dots + "\n'''\n",
                              "regras.toml");
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  ASSERT_EQ(fine->size(), 1u);
}

}  // namespace
}  // namespace regua
