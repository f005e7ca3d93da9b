#include "local/analysis/rfm.hpp"

#include <algorithm>
#include <functional>

namespace regua {
namespace {

// The value at the last position of the lowest k - 1 fifths, for k = 2..5, in `sorted` (worst
// first): a value strictly better than it has at least ceil((k - 1) N / 5) worse ones.
template <class Worse>
std::array<std::int64_t, 4> cuts(std::vector<std::int64_t>& values, Worse worse_first) {
  std::array<std::int64_t, 4> out{};
  const auto n = static_cast<std::int64_t>(values.size());
  if (n == 0) return out;
  std::sort(values.begin(), values.end(), worse_first);
  for (int k = 2; k <= 5; ++k) {
    const std::int64_t m = ((k - 1) * n + 4) / 5;  // ceil((k - 1) n / 5) >= 1
    out[static_cast<std::size_t>(k - 2)] = values[static_cast<std::size_t>(m - 1)];
  }
  return out;
}

}  // namespace

int rfm_recency_score(const RfmCutpoints& c, std::int64_t days_since_last) {
  int score = 1;
  for (const auto cut : c.recency)
    score += days_since_last < cut ? 1 : 0;
  return score;
}

int rfm_frequency_score(const RfmCutpoints& c, std::int64_t purchases) {
  int score = 1;
  for (const auto cut : c.frequency)
    score += purchases > cut ? 1 : 0;
  return score;
}

int rfm_monetary_score(const RfmCutpoints& c, std::int64_t total_cents) {
  int score = 1;
  for (const auto cut : c.monetary)
    score += total_cents > cut ? 1 : 0;
  return score;
}

RfmCutpoints rfm_cutpoints(RfmValues v) {
  RfmCutpoints c;
  c.customers = static_cast<std::int64_t>(v.purchases.size());
  c.recency = cuts(v.days, std::greater<>());  // more days is worse
  c.frequency = cuts(v.purchases, std::less<>());
  c.monetary = cuts(v.cents, std::less<>());
  return c;
}

Result<RfmReport> compute_rfm(sqlite::Db& db, const SegmentPolicy& policy, std::int64_t today) {
  auto stmt = db.prepare("SELECT purchases, last_at, total_cents FROM customer_stats WHERE purchases > 0");
  if (!stmt) return stmt.error();
  RfmValues values;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("reading the customer stats for RFM scores");
    if (!*row) break;
    const auto last_day = policy.local_day(Seconds{std::chrono::seconds{stmt->int64(1)}});
    values.days.push_back(std::max<std::int64_t>(0, today - last_day));
    values.purchases.push_back(stmt->int64(0));
    values.cents.push_back(stmt->int64(2));
  }
  RfmReport report;
  const RfmValues copy = values;
  report.cutpoints = rfm_cutpoints(std::move(values));
  for (std::size_t i = 0; i < copy.days.size(); ++i) {
    ++report.recency[static_cast<std::size_t>(rfm_recency_score(report.cutpoints, copy.days[i]) - 1)];
    ++report
          .frequency[static_cast<std::size_t>(rfm_frequency_score(report.cutpoints, copy.purchases[i]) - 1)];
    ++report.monetary[static_cast<std::size_t>(rfm_monetary_score(report.cutpoints, copy.cents[i]) - 1)];
  }
  return report;
}

}  // namespace regua
