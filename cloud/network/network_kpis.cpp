#include "cloud/network/network_kpis.hpp"

#include <algorithm>
#include <chrono>

#include "local/core/timestamp.hpp"

namespace regua::hub {
namespace {

// A store's customers' segment changes, each customer's in (day, recording) order: the cell a
// customer is in at the end of day D is that of its last change dated D or before.
class CellHistory {
 public:
  explicit CellHistory(const std::vector<SegmentChange>& changes) {
    for (const auto& c : changes)
      by_customer_[c.customer].push_back(c);
    for (auto& [customer, list] : by_customer_) {
      std::sort(list.begin(), list.end(), [](const SegmentChange& a, const SegmentChange& b) {
        return a.day != b.day ? a.day < b.day : a.seq < b.seq;
      });
    }
  }

  // Calls f(cell) for every customer in the matrix at the end of `day`.
  template <typename F>
  void each_cell_at(std::int64_t day, F&& f) const {
    for (const auto& [customer, list] : by_customer_) {
      if (auto cell = cell_at(list, day)) f(customer, *cell);
    }
  }

  [[nodiscard]] std::optional<Cell> cell_of(std::int64_t customer, std::int64_t day) const {
    auto it = by_customer_.find(customer);
    return it == by_customer_.end() ? std::nullopt : cell_at(it->second, day);
  }

 private:
  static std::optional<Cell> cell_at(const std::vector<SegmentChange>& list, std::int64_t day) {
    auto after = std::upper_bound(list.begin(), list.end(), day,
                                  [](std::int64_t d, const SegmentChange& c) { return d < c.day; });
    if (after == list.begin()) return std::nullopt;
    return std::prev(after)->cell;
  }

  std::map<std::int64_t, std::vector<SegmentChange>> by_customer_;
};

std::optional<double> kpi_percent_of(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return round2(100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

// The counts of one store over one period; group figures add them up before the rates.
void add_store_period(const StoreFigures& store, const CellHistory& cells, NetworkKpiPeriod& p) {
  for (const auto& d : store.days) {
    if (d.day < p.first_day || d.day > p.last_day) continue;
    ++p.days_reported;
    p.orders += d.sales;
    p.revenue += d.revenue_cents;
    p.cancellations += d.cancellations;
    p.new_customers += d.new_customers;
    p.buyer_days += d.customers;
  }
  std::map<std::int64_t, bool> active_at_start;
  cells.each_cell_at(p.first_day - 1, [&](std::int64_t customer, Cell cell) {
    active_at_start[customer] = is_active(cell.recency);
  });
  cells.each_cell_at(p.last_day, [&](std::int64_t customer, Cell cell) {
    ++p.customers_total;
    const bool active_end = is_active(cell.recency);
    if (active_end) ++p.customers_at_end;
    auto start = active_at_start.find(customer);
    if (start != active_at_start.end() && start->second && active_end) ++p.retained_customers;
  });
  for (const auto& [customer, active] : active_at_start) {
    if (!active) continue;
    ++p.customers_at_start;
    auto end = cells.cell_of(customer, p.last_day);
    if (!end || !is_active(end->recency)) ++p.lost_customers;
  }
}

void derive_kpi_rates(NetworkKpiPeriod& p) {
  if (p.orders > 0) {
    const Cents q = p.revenue / p.orders;
    p.average_ticket = 2 * (p.revenue % p.orders) >= p.orders ? q + 1 : q;
  }
  if (p.customers_at_start > 0) {
    p.retention_rate = round2(100.0 * static_cast<double>(p.customers_at_end - p.new_customers) /
                              static_cast<double>(p.customers_at_start));
  }
  p.churn_rate = kpi_percent_of(p.lost_customers, p.customers_at_start);
  p.active_base_share = kpi_percent_of(p.customers_at_end, p.customers_total);
}

NetworkKpiPeriod empty_kpi_period(std::string label, std::int64_t first, std::int64_t last) {
  NetworkKpiPeriod p;
  p.label = std::move(label);
  p.first_day = first;
  p.last_day = last;
  return p;
}

// Stores by group, groups in name order, stores in id order within each.
std::map<std::string, std::vector<const StoreFigures*>> stores_by_group(
    const std::vector<StoreFigures>& stores, GroupBy by) {
  std::map<std::string, std::vector<const StoreFigures*>> out;
  for (const auto& s : stores)
    out[group_of(s, by)].push_back(&s);
  for (auto& [group, list] : out) {
    std::sort(list.begin(), list.end(), [](const auto* a, const auto* b) { return a->store < b->store; });
  }
  return out;
}

}  // namespace

std::optional<GroupBy> group_by_from_name(std::string_view name) {
  if (name == "network") return GroupBy::network;
  if (name == "region") return GroupBy::region;
  if (name == "format") return GroupBy::format;
  if (name == "store") return GroupBy::store;
  return std::nullopt;
}

std::string group_of(const StoreFigures& store, GroupBy by) {
  switch (by) {
    case GroupBy::network:
      return "network";
    case GroupBy::region:
      return store.region;
    case GroupBy::format:
      return store.format;
    case GroupBy::store:
      return store.store;
  }
  return {};
}

std::vector<GroupKpis> network_kpis(const std::vector<StoreFigures>& stores, GroupBy by,
                                    std::int64_t first_day, std::int64_t last_day, KpiGrouping grouping) {
  std::vector<GroupKpis> out;
  for (const auto& [group, members] : stores_by_group(stores, by)) {
    GroupKpis g;
    g.group = group;
    g.total = empty_kpi_period("total", first_day, last_day);
    if (grouping != KpiGrouping::none) {
      for (const auto& p : kpi_periods(first_day, last_day, grouping))
        g.periods.push_back(empty_kpi_period(p.label, p.first_day, p.last_day));
    }
    for (const auto* store : members) {
      g.stores.push_back(store->store);
      const CellHistory cells(store->segments);
      add_store_period(*store, cells, g.total);
      for (auto& p : g.periods)
        add_store_period(*store, cells, p);
    }
    derive_kpi_rates(g.total);
    for (auto& p : g.periods)
      derive_kpi_rates(p);
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<GroupMatrix> network_matrix(const std::vector<StoreFigures>& stores, GroupBy by,
                                        std::int64_t day) {
  std::vector<GroupMatrix> out;
  for (const auto& [group, members] : stores_by_group(stores, by)) {
    GroupMatrix g;
    g.group = group;
    g.counts.day = day;
    for (const auto* store : members) {
      g.stores.push_back(store->store);
      CellHistory(store->segments).each_cell_at(day, [&](std::int64_t, Cell cell) {
        ++g.counts.cells[static_cast<std::size_t>(cell.index())];
        ++g.counts.customers;
        if (is_active(cell.recency)) ++g.counts.active;
      });
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::optional<std::int64_t> day_from_text(std::string_view text) {
  auto date = parse_date(text);
  if (!date) return std::nullopt;
  return std::chrono::sys_days{*date}.time_since_epoch().count();
}

std::string day_text(std::int64_t day) {
  return format_date(std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}});
}

}  // namespace regua::hub
