#include "local/analysis/kpis.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>

#include "local/core/clock.hpp"
#include "local/predict/predictions.hpp"

namespace regua {
namespace {

constexpr int kDayBits = 25;  // a customer's purchase day, relative to the first day kept, in a packed key

struct DayTotals {
  std::int64_t orders = 0, identified = 0, anonymous = 0;
  Cents revenue = 0, identified_revenue = 0;
};

std::int64_t month_start(std::int64_t day) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{day}}};
  return sys_days{ymd.year() / ymd.month() / 1}.time_since_epoch().count();
}

std::int64_t next_month_start(std::int64_t day) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{day}}};
  return sys_days{(ymd.year() / ymd.month() + months{1}) / 1}.time_since_epoch().count();
}

// 1970-01-01 was a Thursday: Monday is 3 days before a multiple of 7.
std::int64_t week_start(std::int64_t day) {
  return day - (((day + 3) % 7) + 7) % 7;
}

KpiPeriod period(std::string label, std::int64_t first, std::int64_t last) {
  KpiPeriod p;
  p.label = std::move(label);
  p.first_day = first;
  p.last_day = last;
  return p;
}

Cents divide_rounded(Cents a, std::int64_t b) {
  const Cents q = a / b;
  return 2 * (a % b) >= b ? q + 1 : q;  // a >= 0, b > 0: half up
}

// One customer's purchase days: how many fell before the first day kept, and the days from it on.
struct History {
  std::int64_t early = 0;
  std::span<const std::int64_t> recent;  // sorted

  // Purchases up to and including `day`.
  [[nodiscard]] std::int64_t up_to(std::int64_t day) const {
    return early + (std::upper_bound(recent.begin(), recent.end(), day) - recent.begin());
  }
  // Whether a purchase fell on one of the days from .. to.
  [[nodiscard]] bool any_in(std::int64_t from, std::int64_t to) const {
    auto it = std::lower_bound(recent.begin(), recent.end(), from);
    return it != recent.end() && *it <= to;
  }
};

void account(KpiPeriod& p, const History& h, int window) {
  const std::int64_t a = p.first_day, b = p.last_day;
  const std::int64_t by_end = h.up_to(b);
  if (by_end == 0) return;
  const std::int64_t before = h.up_to(a - 1);
  const bool active_start = h.any_in(a - 1 - window, a - 1);
  const bool active_end = h.any_in(b - window, b);
  ++p.customers_total;
  if (active_start) ++p.customers_at_start;
  if (active_end) ++p.customers_at_end;
  if (active_start && active_end) ++p.retained_customers;
  if (active_start && !active_end) ++p.lost_customers;
  if (by_end > before) {
    ++p.buyers;
    if (before == 0) {
      ++p.new_customers;
    } else {
      ++p.returning_customers;
      if (!active_start) ++p.reactivated_customers;
    }
    if (by_end >= 2) ++p.repeat_buyers;
  }
}

void finish(KpiPeriod& p) {
  if (p.orders > 0) p.average_ticket = divide_rounded(p.revenue, p.orders);
  const auto pct = [](std::int64_t n, std::int64_t d) -> std::optional<double> {
    if (d == 0) return std::nullopt;
    return round2(100.0 * static_cast<double>(n) / static_cast<double>(d));
  };
  p.retention_rate = pct(p.customers_at_end - p.new_customers, p.customers_at_start);
  p.churn_rate = pct(p.lost_customers, p.customers_at_start);
  p.repeat_purchase_rate = pct(p.repeat_buyers, p.buyers);
  p.active_base_share = pct(p.customers_at_end, p.customers_total);
  if (p.buyers > 0) {
    p.purchase_frequency = round2(static_cast<double>(p.identified_orders) / static_cast<double>(p.buyers));
  }
  if (p.customers_total > 0) p.historic_clv = divide_rounded(p.identified_revenue_to_date, p.customers_total);
}

}  // namespace

std::vector<KpiPeriod> kpi_periods(std::int64_t first, std::int64_t last, KpiGrouping g) {
  std::vector<KpiPeriod> out;
  if (g == KpiGrouping::none) {
    out.push_back(period(format_local_day(first) + ".." + format_local_day(last), first, last));
    return out;
  }
  for (std::int64_t start = first; start <= last;) {
    std::int64_t next = start + 1;
    std::string label = format_local_day(start);
    if (g == KpiGrouping::week) {
      next = week_start(start) + 7;
      label = format_local_day(week_start(start));
    } else if (g == KpiGrouping::month) {
      next = next_month_start(start);
      label = format_local_day(month_start(start)).substr(0, 7);
    }
    out.push_back(period(std::move(label), start, std::min(last, next - 1)));
    start = next;
  }
  return out;
}

double round2(double v) {
  return std::round(v * 100.0) / 100.0;
}

Result<KpiReport> compute_kpis(sqlite::Db& db, const SegmentPolicy& policy, std::int64_t first_day,
                               std::int64_t last_day, KpiGrouping grouping) {
  if (last_day < first_day) {
    return make_error(ErrorKind::usage, "--to (" + format_local_day(last_day) + ") is before --from (" +
                                            format_local_day(first_day) + ")");
  }
  if (last_day - first_day > 36'600)
    return make_error(ErrorKind::usage, "the range is longer than 100 years");
  const int window = policy.thresholds.slipping_max_days;
  KpiReport report;
  report.first_day = first_day;
  report.last_day = last_day;
  report.grouping = grouping;
  report.active_days = window;
  report.periods = kpi_periods(first_day, last_day, grouping);
  report.total = period("total", first_day, last_day);

  // Purchases before `kept` matter only as how many and when the first was; from `kept` on (the
  // active window before the range, and the range) their days are kept, packed with the customer.
  const std::int64_t kept = first_day - window - 1;
  auto max_id = db.query_int("SELECT coalesce(max(id), 0) FROM customers");
  if (!max_id) return max_id.error();
  const auto customers = static_cast<std::size_t>(*max_id) + 1;
  std::vector<std::int32_t> early(customers, 0);
  std::vector<std::int64_t> first_purchase(customers, 0);
  std::vector<std::uint64_t> recent;
  std::vector<DayTotals> days(static_cast<std::size_t>(last_day - first_day + 1));
  Cents identified_before = 0;

  auto stmt = db.prepare(
      "SELECT customer_id, sold_at, total_cents FROM sales WHERE cancelled_at IS NULL AND sold_at < ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, (last_day + 2) * kSecondsPerDay);
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("reading the sales for the KPIs");
    if (!*row) break;
    const std::int64_t day = policy.local_day(Seconds{std::chrono::seconds{stmt->int64(1)}});
    if (day > last_day) continue;
    const Cents total = stmt->int64(2);
    const bool anonymous = stmt->is_null(0);
    if (day >= first_day) {
      auto& d = days[static_cast<std::size_t>(day - first_day)];
      ++d.orders;
      d.revenue += total;
      if (anonymous) {
        ++d.anonymous;
      } else {
        ++d.identified;
        d.identified_revenue += total;
      }
    } else if (!anonymous) {
      identified_before += total;
    }
    if (anonymous) continue;
    const auto id = static_cast<std::uint64_t>(stmt->int64(0));
    if (id >= customers) continue;  // a customer created after max(id) was read: not possible in one read
    if (day < kept) {
      if (early[id] == 0 || day < first_purchase[id]) first_purchase[id] = day;
      ++early[id];
    } else {
      recent.push_back(id << kDayBits | static_cast<std::uint64_t>(day - kept));
    }
  }
  std::sort(recent.begin(), recent.end());

  // Per-day figures into their periods, and the identified revenue to date.
  Cents to_date = identified_before;
  std::size_t k = 0;
  for (std::int64_t day = first_day; day <= last_day; ++day) {
    const auto& d = days[static_cast<std::size_t>(day - first_day)];
    while (report.periods[k].last_day < day)
      ++k;
    for (KpiPeriod* p : {&report.periods[k], &report.total}) {
      p->orders += d.orders;
      p->identified_orders += d.identified;
      p->anonymous_orders += d.anonymous;
      p->revenue += d.revenue;
    }
    to_date += d.identified_revenue;
    if (day == report.periods[k].last_day) report.periods[k].identified_revenue_to_date = to_date;
  }
  report.total.identified_revenue_to_date = to_date;

  // Per customer: every period from its first purchase on, until it can no longer be active or
  // buy (then it only counts among the customers to date, added below in one go).
  std::vector<std::int64_t> tail(report.periods.size() + 1, 0);
  std::vector<std::int64_t> mine;
  std::size_t r = 0;
  for (std::uint64_t id = 1; id < customers; ++id) {
    mine.clear();
    while (r < recent.size() && (recent[r] >> kDayBits) == id) {
      mine.push_back(static_cast<std::int64_t>(recent[r] & ((1ULL << kDayBits) - 1)) + kept);
      ++r;
    }
    if (early[id] == 0 && mine.empty()) continue;
    const History h{early[id], mine};
    const std::int64_t first = early[id] > 0 ? first_purchase[id] : mine.front();
    const std::int64_t last = mine.empty() ? kept - 1 : mine.back();
    account(report.total, h, window);
    auto p = std::lower_bound(report.periods.begin(), report.periods.end(), first,
                              [](const KpiPeriod& x, std::int64_t day) { return x.last_day < day; });
    for (; p != report.periods.end(); ++p) {
      if (p->first_day - 1 - window > last) {
        ++tail[static_cast<std::size_t>(p - report.periods.begin())];
        break;
      }
      account(*p, h, window);
    }
  }
  std::int64_t carried = 0;
  for (std::size_t i = 0; i < report.periods.size(); ++i) {
    carried += tail[i];
    report.periods[i].customers_total += carried;
    finish(report.periods[i]);
  }
  finish(report.total);
  return report;
}

}  // namespace regua
