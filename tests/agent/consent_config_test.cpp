// [consent] and [rules] holdout: defaults, every key, and mistakes named with their line and key.

#include <gtest/gtest.h>

#include "agent/config/config.hpp"
#include "tests/support/minimal_config.hpp"

namespace regua {
namespace {

TEST(ConsentConfig, DefaultsAreOptOutForSmsAndEmailAndOptInForWhatsapp) {
  auto c = test::parse_minimal_plus("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->consent.sms, ConsentRule::opt_out);
  EXPECT_EQ(c->consent.whatsapp, ConsentRule::opt_in);
  EXPECT_EQ(c->consent.email, ConsentRule::opt_out);
  EXPECT_EQ(c->rules.holdout_percent, 10);
}

TEST(ConsentConfig, ReadsEveryKey) {
  auto c = test::parse_minimal_plus(R"(
[rules]
holdout = 0
[consent]
sms = "opt_in"
whatsapp = "opt_out"
email = "opt_in"
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->consent.sms, ConsentRule::opt_in);
  EXPECT_EQ(c->consent.whatsapp, ConsentRule::opt_out);
  EXPECT_EQ(c->consent.email, ConsentRule::opt_in);
  EXPECT_EQ(c->rules.holdout_percent, 0);
}

TEST(ConsentConfig, MistakesNameTheLineAndTheKey) {
  auto c = test::parse_minimal_plus(R"(
[rules]
holdout = 60
[consent]
sms = "sometimes"
fax = "opt_in"
)");
  ASSERT_FALSE(c.ok());
  const auto& m = c.error().message;
  for (const char* expected : {
           "agent.toml:10: [rules] holdout: 60 is out of range (allowed: 0 to 50)",
           "agent.toml:12: [consent] sms: \"sometimes\" is not allowed (allowed: \"opt_out\", \"opt_in\")",
           "agent.toml:13: [consent] has an unknown key \"fax\"",
       }) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << "\n" << m;
  }
  auto not_table =
      parse_config("consent = \"opt_in\"\n" + std::string(test::kMinimalConfig), "/etc/regua/agent.toml");
  ASSERT_FALSE(not_table.ok());
  EXPECT_NE(not_table.error().message.find("consent must be a table: [consent]"), std::string::npos)
      << not_table.error().message;
}

}  // namespace
}  // namespace regua
