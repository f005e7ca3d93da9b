// Revenue per action against the control group. A simulated store where the true effect is known
// goes through the real engine (sales, planning, holdout at firing) and the estimate must find it;
// a store where the action does nothing must be told "no measurable effect". And the attribution
// rules, one by one, on a hand-made history.

#include "local/analysis/action_effects.hpp"

#include <random>

#include <gtest/gtest.h>

#include "local/predict/predictions.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua {
namespace {

using test::at;
using test::make_rule;

// A uniform number in [0, 1) from the 53 high bits: the same on every platform for a given seed
// (std::uniform_real_distribution is not specified bit for bit).
double uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

class ActionEffects : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    clock.set(at("2026-01-05T08:00:00-03:00"));
    settings.cap = FrequencyCap{0, std::chrono::days{7}};
    settings.quiet = QuietHours{std::chrono::minutes{0}, std::chrono::minutes{0}};  // none
  }

  // `customers` buy once (100.00 each, in batches of 100 a day at 10:00); a day later the rule
  // "welcome back" sends them an SMS, or holds them out. Within the next 7 days a treated customer
  // buys (R$ 80.00) with probability p1, a held-out one with p0; some also buy after the window,
  // which must not count. The true effect per treated customer is (p1 - p0) x 80.00.
  std::vector<RuleEffect> run_store(int customers, double p1, double p0, std::uint64_t seed) {
    start({make_rule({{"id", std::string("welcome-back")},
                      {"trigger.kind", std::string("nth_purchase")},
                      {"trigger.n", std::int64_t{1}},
                      {"trigger.delay", std::string("1d")},
                      {"action.kind", std::string("message")},
                      {"action.channel", std::string("sms")},
                      {"action.template", std::string("Volte sempre!")},
                      {"holdout", std::int64_t{20}}})});
    const int days = (customers + 99) / 100;
    for (int d = 0; d < days; ++d) {
      const std::string day = format_local_day(zone.day(at("2026-01-05T12:00:00-03:00")) + d);
      std::vector<Event> sales;
      for (int k = 0; k < 100 && d * 100 + k < customers; ++k) {
        const std::string id = std::to_string(d * 100 + k + 1);
        sales.push_back(sale("S-" + id, 10'000, customer("C-" + id), day + "T10:00:00-03:00"));
      }
      run_until(day + "T10:00:00-03:00");
      ingest(sales);
    }
    run_until(format_local_day(zone.day(at("2026-01-05T12:00:00-03:00")) + days + 1) + "T12:00:00-03:00");
    // Their answers, after the sends: each customer's purchase decided by the seed.
    std::mt19937_64 rng(seed);
    auto decided = ledger->db().prepare(
        "SELECT c.pos_id, d.decision, d.at FROM decisions d JOIN customers c ON c.id = d.customer_id ORDER "
        "BY d.id");
    EXPECT_TRUE(decided.ok());
    std::vector<Event> later;
    int n = 0;
    while (*decided->step()) {
      const bool treated = decided->text(1) == "fired";
      const Seconds sent{std::chrono::seconds{decided->int64(2)}};
      CustomerInfo who = customer(std::string(decided->text(0)));
      const double u = uniform01(rng);
      const auto when =
          sent + std::chrono::hours{1 + static_cast<int>(uniform01(rng) * 160)};  // within 7 days
      if (u < (treated ? p1 : p0))
        later.push_back(sale("L-" + std::to_string(++n), 8'000, who, zone.iso(when)));
      if (uniform01(rng) < 0.3) {  // a purchase after the window: never the action's
        later.push_back(sale("X-" + std::to_string(++n), 50'000, who, zone.iso(sent + std::chrono::days{9})));
      }
    }
    ingest(later);
    ActionEffectsQuery query;
    query.now = at("2027-01-01T00:00:00Z");
    auto effects = compute_action_effects(ledger->db(), query);
    EXPECT_TRUE(effects.ok()) << effects.error().message;
    return effects.ok() ? *effects : std::vector<RuleEffect>{};
  }

  void ingest(const std::vector<Event>& events) {
    ASSERT_TRUE(ingestor->begin().ok());
    for (const auto& e : events)
      ASSERT_TRUE(ingestor->apply(e, "pdv").ok());
    ASSERT_TRUE(ingestor->commit().ok());
  }
};

TEST_F(ActionEffects, TheIntervalHoldsTheTrueUpliftOfAScriptedStore) {
  const auto effects = run_store(2'000, 0.30, 0.15, 20'260'105);
  ASSERT_EQ(effects.size(), 1U);
  const RuleEffect& e = effects[0];
  EXPECT_EQ(e.rule_id, "welcome-back");
  EXPECT_EQ(e.treated.customers + e.holdout.customers, 2'000);
  EXPECT_NEAR(static_cast<double>(e.holdout.customers), 400, 70) << "20% held out";
  EXPECT_EQ(e.messages, e.treated.customers);
  EXPECT_EQ(e.mixed_customers, 0);
  ASSERT_TRUE(e.uplift && e.uplift_low && e.uplift_high);
  const double truth = (0.30 - 0.15) * 8'000;  // 1,200 cents per treated customer
  EXPECT_LE(*e.uplift_low, truth);
  EXPECT_GE(*e.uplift_high, truth);
  EXPECT_GT(*e.uplift_low, 0);
  EXPECT_EQ(e.verdict, EffectVerdict::positive);
  EXPECT_NEAR(*e.treated.conversion_rate, 0.30, 0.05);
  EXPECT_NEAR(*e.holdout.conversion_rate, 0.15, 0.06);
  EXPECT_DOUBLE_EQ(*e.incremental, *e.uplift * static_cast<double>(e.treated.customers));
  EXPECT_DOUBLE_EQ(*e.incremental_low, *e.uplift_low * static_cast<double>(e.treated.customers));
}

TEST_F(ActionEffects, AnActionThatChangesNothingHasNoMeasurableEffect) {
  const auto effects = run_store(2'000, 0.20, 0.20, 7);
  ASSERT_EQ(effects.size(), 1U);
  const RuleEffect& e = effects[0];
  ASSERT_TRUE(e.uplift_low && e.uplift_high);
  EXPECT_LE(*e.uplift_low, 0);
  EXPECT_GE(*e.uplift_high, 0);
  EXPECT_EQ(e.verdict, EffectVerdict::no_measurable_effect);
  EXPECT_EQ(effect_verdict_name(e.verdict), "no_measurable_effect");
}

// The attribution rules on a hand-made ledger: decisions as the engine writes them.
class Attribution : public test::LedgerTest {
 protected:
  std::int64_t customer(const std::string& pos) {
    EXPECT_TRUE(ledger->db()
                    .exec("INSERT INTO customers (pos_id, info_at, created_at) VALUES ('" + pos + "', 0, 0)")
                    .ok());
    return ledger->db().last_insert_rowid();
  }
  void decide(std::int64_t customer_id, const std::string& decision, const std::string& when,
              const std::string& rule = "r", const std::string& action = "message") {
    const auto t = std::to_string(at(when).time_since_epoch().count());
    const auto c = std::to_string(customer_id);
    ASSERT_TRUE(
        ledger->db()
            .exec("INSERT INTO jobs (rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, "
                  "priority, action, channel, state, created_at) VALUES ('" +
                  rule + "', " + c + ", 'o" + std::to_string(++jobs) + "', " + t + ", " + t + ", " + t +
                  ", 50, '" + action + "', 'sms', 'fired', " + t + ")")
            .ok());
    ASSERT_TRUE(
        ledger->db()
            .exec("INSERT INTO decisions (job_id, customer_id, rule_id, action, channel, at, decision, "
                  "reason, detail) VALUES (" +
                  std::to_string(ledger->db().last_insert_rowid()) + ", " + c + ", '" + rule + "', '" +
                  action + "', 'sms', " + t + ", '" + decision + "', 'due', '')")
            .ok());
  }
  void buy(std::int64_t customer_id, const std::string& when, Cents total, bool cancelled = false) {
    const auto t = std::to_string(at(when).time_since_epoch().count());
    ASSERT_TRUE(
        ledger->db()
            .exec("INSERT INTO sales (pos_id, customer_id, sold_at, total_cents, cancelled_at, source, "
                  "ingested_at) VALUES ('S" +
                  std::to_string(++sales) + "', " + std::to_string(customer_id) + ", " + t + ", " +
                  std::to_string(total) + ", " + (cancelled ? t : std::string("NULL")) + ", 'pdv', 0)")
            .ok());
  }
  std::vector<RuleEffect> effects(std::optional<Seconds> from = {}, std::optional<Seconds> to = {}) {
    ActionEffectsQuery q;
    q.from = from;
    q.to = to;
    q.now = at("2026-03-20T00:00:00Z");
    q.window = [](std::string_view) { return std::chrono::seconds{std::chrono::days{7}}; };
    auto e = compute_action_effects(ledger->db(), q);
    EXPECT_TRUE(e.ok()) << e.error().message;
    return e.ok() ? *e : std::vector<RuleEffect>{};
  }
  int jobs = 0, sales = 0;
};

TEST_F(Attribution, APurchaseCountsOnceWithinTheWindowAfterASend) {
  const auto a = customer("A");
  decide(a, "fired", "2026-03-01T10:00:00Z");
  decide(a, "fired", "2026-03-03T10:00:00Z", "r", "task");  // windows overlap
  buy(a, "2026-03-01T10:00:00Z", 1'000);                    // the same second as the send: before it
  buy(a, "2026-03-04T10:00:00Z", 2'000);                    // in both windows: once
  buy(a, "2026-03-10T10:00:00Z", 4'000);                    // the second window's last second
  buy(a, "2026-03-10T10:00:01Z", 8'000);                    // past it
  buy(a, "2026-03-05T10:00:00Z", 16'000, true);             // cancelled
  const auto b = customer("B");
  decide(b, "holdout", "2026-03-01T10:00:00Z");
  buy(b, "2026-02-28T10:00:00Z", 500);  // before: not the rule's
  const auto both = customer("M");      // in both groups (a merge): left out
  decide(both, "fired", "2026-03-01T10:00:00Z");
  decide(both, "holdout", "2026-03-02T10:00:00Z");
  buy(both, "2026-03-02T12:00:00Z", 900);
  decide(customer("O"), "fired", "2026-03-15T10:00:00Z", "other");

  auto all = effects();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].rule_id, "other");
  EXPECT_EQ(all[0].open_windows, 1) << "sent 5 days before `now`: its window is still open";
  const RuleEffect& r = all[1];
  EXPECT_EQ(r.treated.customers, 1);
  EXPECT_EQ(r.treated.actions, 2);
  EXPECT_EQ(r.messages, 1);
  EXPECT_EQ(r.tasks, 1);
  EXPECT_EQ(r.treated.revenue_cents, 6'000);
  EXPECT_EQ(r.treated.converted, 1);
  EXPECT_EQ(r.holdout.customers, 1);
  EXPECT_EQ(r.holdout.revenue_cents, 0);
  EXPECT_EQ(r.holdout.conversion_rate, 0.0);
  EXPECT_EQ(r.mixed_customers, 1);
  EXPECT_EQ(r.uplift, 6'000.0);
  EXPECT_FALSE(r.uplift_low) << "a group of one has no variance: no interval";
  EXPECT_EQ(r.verdict, EffectVerdict::too_small);

  // The range selects sends by their moment.
  auto from_2nd = effects(at("2026-03-02T00:00:00Z"), at("2026-03-14T00:00:00Z"));
  ASSERT_EQ(from_2nd.size(), 1U);
  EXPECT_EQ(from_2nd[0].treated.actions, 1);
  EXPECT_EQ(from_2nd[0].treated.revenue_cents, 6'000)
      << "the 4th's and 10th's purchases are in the 3rd's window";
  EXPECT_EQ(from_2nd[0].holdout.customers, 1) << "M's only decision in the range is its holdout";
  EXPECT_EQ(from_2nd[0].holdout.revenue_cents, 900);
  EXPECT_EQ(from_2nd[0].mixed_customers, 0);
  EXPECT_EQ(from_2nd[0].uplift, 5'100.0);
}

}  // namespace
}  // namespace regua
