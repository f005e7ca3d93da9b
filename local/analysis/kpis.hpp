#pragma once
// The store's retention KPIs over a range of store-local dates, whole or by day, week or month:
// seed 004's retention rate ((CE - CN) / CS) x 100, churn, repeat-purchase rate, active-base share
// (seed 003), new vs returning customers, revenue, orders, average ticket, purchase frequency and
// historic CLV. docs/kpis.md defines each figure exactly, with a worked example.
//
// In short: a cancelled sale never counts (cancellations as known now); anonymous sales count in
// orders and revenue but belong to no customer; a customer is someone with at least one purchase,
// and an active customer on a day is one whose last purchase by the end of that day is at most
// `slipping_max_days` days old (the matrix's active and slipping columns).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/money.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

enum class KpiGrouping { none, day, week, month };  // week: Monday to Sunday

struct KpiPeriod {
  std::string label;           // "2026-03-01" (day, week: its first day), "2026-03" (month), "total"
  std::int64_t first_day = 0;  // store-local days, inclusive; clipped to the range asked for
  std::int64_t last_day = 0;

  std::int64_t orders = 0;  // sales not cancelled, anonymous included
  std::int64_t identified_orders = 0;
  std::int64_t anonymous_orders = 0;
  Cents revenue = 0;
  std::optional<Cents> average_ticket;  // revenue / orders, to the cent

  std::int64_t customers_at_start = 0;     // CS: active at the end of the day before first_day
  std::int64_t customers_at_end = 0;       // CE: active at the end of last_day
  std::int64_t new_customers = 0;          // CN: first purchase ever in the period
  std::int64_t buyers = 0;                 // customers who bought in the period
  std::int64_t returning_customers = 0;    // buyers who had bought before the period
  std::int64_t retained_customers = 0;     // active at the start and at the end
  std::int64_t reactivated_customers = 0;  // returning buyers who were not active at the start
  std::int64_t lost_customers = 0;         // active at the start, not at the end
  std::int64_t repeat_buyers = 0;          // buyers with at least two purchases by last_day
  std::int64_t customers_total = 0;        // with at least one purchase by last_day
  Cents identified_revenue_to_date = 0;    // of all identified purchases by last_day

  std::optional<double> retention_rate;        // (CE - CN) / CS x 100
  std::optional<double> churn_rate;            // lost / CS x 100
  std::optional<double> repeat_purchase_rate;  // repeat_buyers / buyers x 100
  std::optional<double> active_base_share;     // CE / customers_total x 100
  std::optional<double> purchase_frequency;    // identified_orders / buyers
  std::optional<Cents> historic_clv;           // identified_revenue_to_date / customers_total
};

struct KpiReport {
  std::int64_t first_day = 0, last_day = 0;
  KpiGrouping grouping = KpiGrouping::none;
  int active_days = 0;  // the window of "active"
  std::vector<KpiPeriod> periods;
  KpiPeriod total;  // the whole range
};

// The periods of a range, each clipped to it, with empty figures: the whole range (grouping none,
// labelled "first..last"), or each day, week (labelled by its Monday) or month ("2026-03"). The
// hub's network KPIs (cloud/network/network_kpis.hpp) use the same periods.
std::vector<KpiPeriod> kpi_periods(std::int64_t first_day, std::int64_t last_day, KpiGrouping grouping);

// Refuses a range that ends before it starts, or longer than 100 years.
Result<KpiReport> compute_kpis(sqlite::Db& db, const SegmentPolicy& policy, std::int64_t first_day,
                               std::int64_t last_day, KpiGrouping grouping);

// Percentages and frequencies are rounded to two decimals, half away from zero.
double round2(double v);

}  // namespace regua
