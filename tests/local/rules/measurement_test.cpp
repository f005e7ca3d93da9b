// The rule fields that measure a rule (holdout, attribution_window): defaults, ranges, and that a
// change of them re-plans nothing.

#include <gtest/gtest.h>

#include "local/rules/rule_schema.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua {
namespace {

using test::raw_rule;

RawRule rule_with(std::vector<std::pair<std::string, test::RuleValue>> extra) {
  auto raw = raw_rule({{"id", std::string("volte")},
                       {"trigger.kind", std::string("days_without_purchase")},
                       {"trigger.days", std::int64_t{20}},
                       {"action.kind", std::string("message")},
                       {"action.channel", std::string("sms")},
                       {"action.template", std::string("Volte!")}},
                      "regras.toml:3");
  for (auto& [key, value] : extra) {
    RawValue v;
    v.origin = "regras.toml:9";
    std::visit([&](const auto& x) { v.value = x; }, value);
    raw.fields.emplace_back(key, std::move(v));
  }
  return raw;
}

TEST(RuleMeasurement, DefaultsToTheStoreShareAndSevenDays) {
  auto r = build_rule(rule_with({}), RuleContext{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->measurement.holdout_percent);
  EXPECT_EQ(r->measurement.attribution, std::chrono::seconds{std::chrono::days{7}});
  auto set = build_rule(rule_with({{"holdout", std::int64_t{0}}, {"attribution_window", std::string("3d")}}),
                        RuleContext{});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->measurement.holdout_percent, 0);
  EXPECT_EQ(set->measurement.attribution, std::chrono::seconds{std::chrono::days{3}});
  EXPECT_EQ(set->fingerprint(), r->fingerprint()) << "measuring differently re-plans nothing";
}

TEST(RuleMeasurement, MistakesNameFileLineRuleAndField) {
  const auto error = [](std::vector<std::pair<std::string, test::RuleValue>> extra) {
    auto r = build_rule(rule_with(std::move(extra)), RuleContext{});
    return r.ok() ? std::string("accepted") : r.error().message;
  };
  EXPECT_EQ(error({{"holdout", std::int64_t{51}}}),
            "regras.toml:9: rule \"volte\" holdout: 51 is out of range (allowed: 0 to 50)");
  EXPECT_EQ(error({{"holdout", std::string("10%")}}),
            "regras.toml:9: rule \"volte\" holdout: must be a whole number, not a string");
  EXPECT_EQ(error({{"attribution_window", std::string("30m")}}),
            "regras.toml:9: rule \"volte\" attribution_window: \"30m\" is too short (at least \"1h\")");
  EXPECT_EQ(error({{"attribution_window", std::string("91d")}}),
            "regras.toml:9: rule \"volte\" attribution_window: \"91d\" is too long (at most 90d)");
}

}  // namespace
}  // namespace regua
