// RFM quintile scores: a known set worked by hand from the definition (rfm.hpp), random sets against
// a direct count of the definition, and the ledger path (stats -> cut points -> SQL) against both.

#include "local/analysis/rfm.hpp"

#include <random>

#include <gtest/gtest.h>

#include "local/analysis/segment_query.hpp"
#include "tests/support/analysis_fixture.hpp"

namespace regua {
namespace {

using test::at;

// The definition, counted directly: 1 + floor(5 W / N), W = how many are strictly worse.
int by_definition(const std::vector<std::int64_t>& all, std::int64_t v, bool lower_is_better) {
  std::int64_t worse = 0;
  for (const auto x : all)
    worse += lower_is_better ? (x > v) : (x < v);
  return 1 + static_cast<int>(5 * worse / static_cast<std::int64_t>(all.size()));
}

TEST(Rfm, AKnownSetScoresAsWorkedByHand) {
  RfmValues v;
  v.days = {0, 0, 5, 10, 20, 40, 60, 90, 120, 400};
  v.purchases = {1, 1, 1, 1, 1, 1, 2, 2, 3, 5};
  v.cents = {100, 200, 300, 400, 500, 600, 700, 800, 900, 1000};
  const auto c = rfm_cutpoints(v);
  EXPECT_EQ(c.customers, 10);
  // Recency: 0 days has 8 worse -> 1 + 40/10 = 5; 5 and 10 days: 7 and 6 worse -> 4; 20: 5 -> 3;
  // 40: 4 -> 3; 60: 3 -> 2; 90: 2 -> 2; 120: 1 -> 1; 400: 0 -> 1.
  const std::vector<int> r{5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
  // Frequency: six customers tie at one purchase (none worse) -> 1; two purchases: 6 worse -> 4;
  // three: 8 -> 5; five: 9 -> 5. Ties share the lowest score of their positions.
  const std::vector<int> f{1, 1, 1, 1, 1, 1, 4, 4, 5, 5};
  const std::vector<int> m{1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(rfm_recency_score(c, v.days[i]), r[i]) << i;
    EXPECT_EQ(rfm_frequency_score(c, v.purchases[i]), f[i]) << i;
    EXPECT_EQ(rfm_monetary_score(c, v.cents[i]), m[i]) << i;
  }
}

TEST(Rfm, CutPointsGiveTheScoresOfTheDefinition) {
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    const std::size_t n = 1 + rng() % 40;
    RfmValues v;
    for (std::size_t i = 0; i < n; ++i) {
      v.days.push_back(static_cast<std::int64_t>(rng() % 30));  // small ranges: many ties
      v.purchases.push_back(1 + static_cast<std::int64_t>(rng() % 4));
      v.cents.push_back(static_cast<std::int64_t>(rng() % 1000));
    }
    const auto c = rfm_cutpoints(v);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(rfm_recency_score(c, v.days[i]), by_definition(v.days, v.days[i], true));
      ASSERT_EQ(rfm_frequency_score(c, v.purchases[i]), by_definition(v.purchases, v.purchases[i], false));
      ASSERT_EQ(rfm_monetary_score(c, v.cents[i]), by_definition(v.cents, v.cents[i], false));
    }
  }
}

class RfmLedgerTest : public test::AnalysisTest {};

TEST_F(RfmLedgerTest, FilterScoresInSqlEqualTheScoresComputedHere) {
  clock.set(at("2026-06-30T15:00:00Z"));
  std::mt19937 rng(5);
  for (int i = 0; i < 400; ++i) {
    buy("S-" + std::to_string(i), "C-" + std::to_string(rng() % 60),
        format_utc(at("2026-01-01T12:00:00Z") + std::chrono::hours(rng() % 4000)),
        static_cast<Cents>(100 * (1 + rng() % 50)));
  }
  auto report = compute_rfm(ledger->db(), policy, today());
  ASSERT_TRUE(report.ok());
  std::int64_t counted = 0;
  for (const auto n : report->frequency)
    counted += n;
  EXPECT_EQ(counted, report->cutpoints.customers);
  for (int score = 1; score <= 5; ++score) {
    for (const auto* field : {"rfm_r", "rfm_f", "rfm_m"}) {
      auto compiled =
          compile_segment(ledger->db(), std::string(field) + " = " + std::to_string(score), policy, today());
      ASSERT_TRUE(compiled.ok()) << compiled.error().message;
      auto n = count_segment(ledger->db(), *compiled, policy);
      ASSERT_TRUE(n.ok()) << n.error().message;
      const auto& expected = std::string(field) == "rfm_r"   ? report->recency
                             : std::string(field) == "rfm_f" ? report->frequency
                                                             : report->monetary;
      EXPECT_EQ(*n, expected[static_cast<std::size_t>(score - 1)]) << field << " = " << score;
    }
  }
}

}  // namespace
}  // namespace regua
