// [segments] and [[segment]]: defaults, every key, and mistakes reported with their line.

#include <gtest/gtest.h>

#include "agent/config/config.hpp"
#include "tests/support/minimal_config.hpp"

namespace regua {
namespace {

Result<AgentConfig> parse_with_segments(const std::string& extra) {
  return test::parse_minimal_plus(extra);
}

TEST(SegmentsConfig, DefaultsAreTheSeedsMatrixInPortuguese) {
  auto c = parse_with_segments("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->segments.thresholds, LifecycleThresholds{});
  EXPECT_EQ(c->segments.thresholds.new_max_purchases, 1);
  EXPECT_EQ(c->segments.thresholds.promising_max_purchases, 3);
  EXPECT_EQ(c->segments.thresholds.active_max_days, 30);
  EXPECT_EQ(c->segments.thresholds.slipping_max_days, 90);
  EXPECT_EQ(c->segments.language, Language::pt_br);
  EXPECT_EQ(c->segments.refresh_minutes, 5);
  EXPECT_TRUE(c->segments.custom.empty());
}

TEST(SegmentsConfig, ReadsEveryKey) {
  auto c = parse_with_segments(R"(
[segments]
new_max_purchases = 2
promising_max_purchases = 5
active_max_days = 45
slipping_max_days = 120
language = "en"
refresh_minutes = 15

[[segment]]
name = "vip"
filter = "total_spent >= 1000 and days_since_last <= 60"
description = "os melhores"

[[segment]]
name = "aniversariantes"
filter = "birthday_within(7) and has_valid_mobile"
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->segments.thresholds, (LifecycleThresholds{2, 5, 45, 120}));
  EXPECT_EQ(c->segments.language, Language::en);
  EXPECT_EQ(c->segments.refresh_minutes, 15);
  ASSERT_EQ(c->segments.custom.size(), 2u);
  EXPECT_EQ(c->segments.custom[0].name, "vip");
  EXPECT_EQ(c->segments.custom[0].description, "os melhores");
  EXPECT_EQ(c->segments.custom[1].filter, "birthday_within(7) and has_valid_mobile");
}

void expect_segments_error(const std::string& extra, std::initializer_list<std::string_view> parts) {
  auto c = parse_with_segments(extra);
  ASSERT_FALSE(c.ok()) << extra;
  EXPECT_EQ(c.error().kind, ErrorKind::config);
  for (const auto part : parts) {
    EXPECT_NE(c.error().message.find(part), std::string::npos) << "expected «" << part << "» in:\n"
                                                               << c.error().message;
  }
}

TEST(SegmentsConfig, MistakesNameTheLineAndWhatToDo) {
  expect_segments_error(
      "[segments]\nnew_max_purchases = 3\npromising_max_purchases = 3\n",
      {"agent.toml:10:", "promising_max_purchases (3) must be greater than new_max_purchases (3)"});
  expect_segments_error(
      "[segments]\nactive_max_days = 90\nslipping_max_days = 60\n",
      {"agent.toml:10:", "slipping_max_days (60) must be greater than active_max_days (90)"});
  expect_segments_error("[segments]\nlanguage = \"fr\"\n", {"agent.toml:9:", "language"});
  expect_segments_error("[segments]\nrecent_days = 10\n", {"agent.toml:9:", "unknown key \"recent_days\""});
  expect_segments_error(
      "[[segment]]\nname = \"vip\"\nfilter = \"purchases >= abc\"\n",
      {"agent.toml:10: segment \"vip\" filter: at column 14: expected a number after \">=\", found "
       "\"abc\""});
  expect_segments_error("[[segment]]\nname = \"champions\"\nfilter = \"purchases >= 1\"\n",
                        {"agent.toml:9:", "taken by a built-in segment"});
  expect_segments_error(
      "[[segment]]\nname = \"a\"\nfilter = \"purchases >= 1\"\n[[segment]]\nname = \"a\"\nfilter = "
      "\"purchases >= 2\"\n",
      {"agent.toml:12:", "already called \"a\""});
  expect_segments_error("[[segment]]\nfilter = \"purchases >= 1\"\n", {"name"});
  expect_segments_error("[[segment]]\nname = \"x\"\n", {"filter"});
  expect_segments_error("[segment]\nname = \"x\"\n", {"agent.toml:8:", "write each one as [[segment]]"});
}

}  // namespace
}  // namespace regua
