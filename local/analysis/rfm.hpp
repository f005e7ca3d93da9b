#pragma once
// RFM scores: recency, frequency and monetary value as quintile scores 1-5 over the customers with
// at least one purchase, 5 the best (the most recent, the most purchases, the most spent).
//
// A customer's score in a dimension is 1 + floor(5 x W / N), where N is the number of customers
// with purchases and W how many of them are strictly worse in that dimension (more days since the
// last purchase; fewer purchases; less spent). Ties are never split: equal values get the same
// score, the one of the lowest position the tie occupies. So when most customers bought once, they
// all score F = 1, and the scores above skip accordingly. Recency is counted in store-local days.
//
// Scores are monotone in the value, so they reduce to four cut points per dimension, which lets a
// filter compare scores in SQL without ranking a million rows per query.

#include <array>
#include <cstdint>
#include <vector>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct RfmCutpoints {
  std::int64_t customers = 0;  // N
  // Score >= k (k = 2..5, at index k - 2) when: days since the last purchase < recency[k - 2];
  // purchases > frequency[k - 2]; total spent (cents) > monetary[k - 2].
  std::array<std::int64_t, 4> recency{}, frequency{}, monetary{};
};

int rfm_recency_score(const RfmCutpoints& c, std::int64_t days_since_last);
int rfm_frequency_score(const RfmCutpoints& c, std::int64_t purchases);
int rfm_monetary_score(const RfmCutpoints& c, std::int64_t total_cents);

// One value per customer in each dimension (days since last purchase, purchases, cents).
struct RfmValues {
  std::vector<std::int64_t> days, purchases, cents;
};
RfmCutpoints rfm_cutpoints(RfmValues values);

struct RfmReport {
  RfmCutpoints cutpoints;
  // Customers per score (index score - 1) in each dimension.
  std::array<std::int64_t, 5> recency{}, frequency{}, monetary{};
};

// From the maintained stats, as of the store-local day `today`.
Result<RfmReport> compute_rfm(sqlite::Db& db, const SegmentPolicy& policy, std::int64_t today);

}  // namespace regua
