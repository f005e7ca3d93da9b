#include "cloud/network/store_rankings.hpp"

#include <algorithm>

namespace regua::hub {
namespace {

// Higher is better for rates, lower for backlogs; empty: no figure.
std::optional<double> ranking_score(const StoreRanking& s, RankBy by) {
  switch (by) {
    case RankBy::retention:
      return s.kpis.retention_rate;
    case RankBy::active_base:
      return s.kpis.active_base_share;
    case RankBy::open_tasks:
      return -static_cast<double>(s.tasks.open);
    case RankBy::overdue_tasks:
      return -static_cast<double>(s.tasks.overdue);
  }
  return std::nullopt;
}

}  // namespace

std::optional<RankBy> rank_by_from_name(std::string_view name) {
  if (name == "retention") return RankBy::retention;
  if (name == "active_base") return RankBy::active_base;
  if (name == "open_tasks") return RankBy::open_tasks;
  if (name == "overdue_tasks") return RankBy::overdue_tasks;
  return std::nullopt;
}

std::vector<StoreRanking> rank_stores(std::vector<StoreRanking> stores, RankBy by) {
  std::stable_sort(stores.begin(), stores.end(), [by](const StoreRanking& a, const StoreRanking& b) {
    const auto sa = ranking_score(a, by), sb = ranking_score(b, by);
    if (sa.has_value() != sb.has_value()) return sa.has_value();
    if (sa && *sa != *sb) return *sa > *sb;
    return a.store < b.store;
  });
  // Equal figures share a rank (1, 2, 2, 4).
  for (std::size_t i = 0; i < stores.size(); ++i) {
    const auto score = ranking_score(stores[i], by);
    if (!score) break;
    stores[i].rank = i > 0 && ranking_score(stores[i - 1], by) == score ? stores[i - 1].rank
                                                                        : static_cast<std::int64_t>(i + 1);
  }
  return stores;
}

}  // namespace regua::hub
