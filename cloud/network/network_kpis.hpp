#pragma once
// The network's retention KPIs and lifecycle matrix, per store, per group (region, format) and for
// the whole network, computed from what the stores send: their daily KPI roll-ups (`kpi_day`) and
// their segment changes (`segment`: "customer C is in cell X from day D", docs/protocol.md).
// Pure functions over what cloud/network/network_data.hpp loads, so that the HQ API, a dashboard
// and the CLI read the same figures. docs/hub-api.md defines each figure.
//
// A store's customers are its own: a person who buys in two stores counts in both (the network
// figures are sums over stores; cloud/network/cross_store.hpp recognises such people).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "local/analysis/kpis.hpp"
#include "local/analysis/matrix_counts.hpp"
#include "local/core/money.hpp"

namespace regua::hub {

// One store-local day's roll-up, as the store sent it.
struct KpiDayFigures {
  std::int64_t day = 0;  // days since 1970-01-01 (store-local calendar date)
  std::int64_t sales = 0, revenue_cents = 0, customers = 0, new_customers = 0, cancellations = 0;
};

// One segment change; `cell` empty: the customer left the matrix.
struct SegmentChange {
  std::int64_t seq = 0;  // the store's recording order
  std::int64_t customer = 0;
  std::optional<Cell> cell;
  std::int64_t day = 0;  // from this store-local day on
};

struct StoreFigures {
  std::string store, region, format;
  std::vector<KpiDayFigures> days;
  std::vector<SegmentChange> segments;
};

enum class GroupBy { network, region, format, store };
std::optional<GroupBy> group_by_from_name(std::string_view name);  // "network", "region", ...
// The group a store belongs to ("network" for GroupBy::network; "" when the profile leaves it blank).
std::string group_of(const StoreFigures& store, GroupBy by);

struct NetworkKpiPeriod {
  std::string label;  // like local KPIs: "2026-03-01" (day, week), "2026-03" (month), "total"
  std::int64_t first_day = 0, last_day = 0;
  std::int64_t days_reported = 0;  // kpi_day roll-ups in the period (stores x days)
  std::int64_t orders = 0;         // sales not cancelled
  Cents revenue = 0;
  std::int64_t cancellations = 0;
  std::int64_t new_customers = 0;           // CN: first purchase in the period
  std::int64_t buyer_days = 0;              // customers who bought, counted once per day
  std::int64_t customers_at_start = 0;      // CS: active at the end of the day before first_day
  std::int64_t customers_at_end = 0;        // CE: active at the end of last_day
  std::int64_t retained_customers = 0;      // active at both
  std::int64_t lost_customers = 0;          // active at the start, not at the end
  std::int64_t customers_total = 0;         // in the matrix at the end of last_day
  std::optional<Cents> average_ticket;      // revenue / orders, half up
  std::optional<double> retention_rate;     // (CE - CN) / CS x 100
  std::optional<double> churn_rate;         // lost / CS x 100
  std::optional<double> active_base_share;  // CE / customers_total x 100
};

struct GroupKpis {
  std::string group;
  std::vector<std::string> stores;
  std::vector<NetworkKpiPeriod> periods;  // empty without a grouping
  NetworkKpiPeriod total;
};

// Groups in name order; `first_day` <= `last_day` (the caller checks).
std::vector<GroupKpis> network_kpis(const std::vector<StoreFigures>& stores, GroupBy by,
                                    std::int64_t first_day, std::int64_t last_day, KpiGrouping grouping);

struct GroupMatrix {
  std::string group;
  std::vector<std::string> stores;
  MatrixCounts counts;  // without_purchases is empty: the hub does not know it
};

// The matrix at the end of `day`.
std::vector<GroupMatrix> network_matrix(const std::vector<StoreFigures>& stores, GroupBy by,
                                        std::int64_t day);

// Store-local days <-> "YYYY-MM-DD".
std::optional<std::int64_t> day_from_text(std::string_view text);
std::string day_text(std::int64_t day);

}  // namespace regua::hub
