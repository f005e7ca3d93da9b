#include "local/predict/summaries.hpp"

#include <algorithm>
#include <span>

#include "local/core/clock.hpp"

namespace regua {

std::string_view time_unit_name(TimeUnit unit) {
  return unit == TimeUnit::week ? "week" : "day";
}

double days_per_unit(TimeUnit unit) {
  return unit == TimeUnit::week ? 7.0 : 1.0;
}

namespace {

// Folds one customer's purchases, sorted by day, into a summary.
CustomerSummary fold(std::span<const Purchase> purchases, std::int64_t as_of_day, double unit_days) {
  CustomerSummary s;
  s.customer_id = purchases.front().customer_id;
  s.first_day = purchases.front().local_day;
  s.last_day = s.first_day;
  s.occasions = 1;
  for (const Purchase& p : purchases) {
    if (p.local_day != s.last_day) {
      ++s.occasions;
      s.last_day = p.local_day;
    }
    if (p.local_day != s.first_day) s.repeat_spend += p.total;
  }
  s.x = static_cast<double>(s.occasions - 1);
  s.t_x = static_cast<double>(s.last_day - s.first_day) / unit_days;
  s.T = static_cast<double>(as_of_day - s.first_day) / unit_days;
  return s;
}

bool by_customer_then_day(const Purchase& a, const Purchase& b) {
  return a.customer_id != b.customer_id ? a.customer_id < b.customer_id : a.local_day < b.local_day;
}

}  // namespace

std::vector<CustomerSummary> summarise(std::vector<Purchase> purchases, std::int64_t as_of_day,
                                       TimeUnit unit) {
  std::erase_if(purchases, [&](const Purchase& p) { return p.local_day > as_of_day; });
  std::sort(purchases.begin(), purchases.end(), by_customer_then_day);
  std::vector<CustomerSummary> out;
  const std::span<const Purchase> all(purchases);
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].customer_id == all[i].customer_id)
      ++j;
    out.push_back(fold(all.subspan(i, j - i), as_of_day, days_per_unit(unit)));
    i = j;
  }
  return out;
}

Result<std::vector<CustomerSummary>> load_customer_summaries(sqlite::Db& db, std::int64_t as_of_day,
                                                             const LocalDay& local_day, TimeUnit unit) {
  // A cheap upper bound in UTC first (no zone is a day or more away from UTC), then the exact
  // store-local day of each sale.
  auto stmt = db.prepare(
      "SELECT customer_id, sold_at, total_cents FROM sales "
      "WHERE customer_id IS NOT NULL AND cancelled_at IS NULL AND sold_at < ?1 ORDER BY customer_id");
  if (!stmt) return stmt.error().within("reading the sales for predictions");
  stmt->bind(1, (as_of_day + 2) * kSecondsPerDay);
  // One customer's sales at a time (the query walks the index on customer_id), so memory stays
  // small however long the history. Days are sorted per customer: an instant later in UTC can fall
  // on an earlier local day when clocks go back at midnight.
  std::vector<CustomerSummary> out;
  std::vector<Purchase> one;
  auto flush = [&] {
    if (one.empty()) return;
    std::sort(one.begin(), one.end(), by_customer_then_day);
    out.push_back(fold(one, as_of_day, days_per_unit(unit)));
    one.clear();
  };
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("reading the sales for predictions");
    if (!*row) break;
    const Purchase p{stmt->int64(0), local_day(Seconds{std::chrono::seconds{stmt->int64(1)}}),
                     stmt->int64(2)};
    if (p.local_day > as_of_day) continue;
    if (!one.empty() && one.front().customer_id != p.customer_id) flush();
    one.push_back(p);
  }
  flush();
  return out;
}

}  // namespace regua
