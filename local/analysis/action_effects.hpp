#pragma once
// Revenue per action, against a control group (`regua-agent kpis --actions`; docs/kpis.md defines
// every figure with a worked example). Each rule holds out a share of the customers it would reach
// (guards.hpp, in_holdout): they get nothing, and the scheduler records the would-be send as a
// `holdout` decision at the very moment the others are sent to. For each rule:
//   - the unit is the customer (the group is drawn per customer): the treated are the customers
//     with a `fired` decision of the rule in the range, the holdout those with a `holdout` one
//     (a customer in both, after a merge or a change of the share, is left out and counted);
//   - a customer's outcome is the revenue of their purchases (sales not cancelled) made within the
//     rule's attribution window after any of their sends (or would-be sends), each purchase
//     counted once; converted when there is at least one;
//   - the incremental revenue is (revenue per treated customer - revenue per held-out customer) x
//     treated customers, with a 95% confidence interval from the normal approximation of the
//     difference of two means with unequal variances (Welch): diff +- 1.96 x sqrt(s1^2/n1 + s2^2/n2);
//   - the verdict: too few customers (under 30 in either group), no measurable effect (the interval
//     holds 0), or a positive or negative effect.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

inline constexpr std::int64_t kMinGroupForVerdict = 30;
inline constexpr double kZ95 = 1.959963984540054;  // the normal quantile of 97.5%

struct ActionEffectsQuery {
  std::optional<Seconds> from, to;  // sends (and would-be sends) decided in [from, to); none: all
  Seconds now{};                    // windows that end after it are still open
  // The attribution window of a rule (its `attribution_window`); 7 days for a rule not running.
  std::function<std::chrono::seconds(std::string_view rule_id)> window;
};

struct GroupEffect {
  std::int64_t customers = 0;
  std::int64_t actions = 0;  // sends, or would-be sends for the holdout
  std::int64_t converted = 0;
  std::int64_t revenue_cents = 0;
  std::optional<double> conversion_rate;       // converted / customers, 0..1
  std::optional<double> revenue_per_customer;  // cents
  std::optional<double> variance;              // of revenue per customer (cents^2), n - 1 in the divisor
};

enum class EffectVerdict { too_small, no_measurable_effect, positive, negative };
std::string_view effect_verdict_name(EffectVerdict verdict);

struct RuleEffect {
  std::string rule_id;
  std::chrono::seconds window{};
  GroupEffect treated, holdout;
  std::int64_t messages = 0, tasks = 0;  // of the sends
  std::int64_t mixed_customers = 0;      // in both groups: left out
  std::int64_t open_windows = 0;         // sends and would-be sends whose window has not ended yet
  // Per treated customer: the difference of the groups' revenue per customer (cents) and its 95%
  // interval; times the treated customers: the incremental revenue. Empty without both groups.
  std::optional<double> uplift, uplift_low, uplift_high;
  std::optional<double> incremental, incremental_low, incremental_high;
  EffectVerdict verdict = EffectVerdict::too_small;
};

// One entry per rule with a send or a would-be send in the range, by rule id.
Result<std::vector<RuleEffect>> compute_action_effects(sqlite::Db& db, const ActionEffectsQuery& query);

}  // namespace regua
