#pragma once
// The network's stores ranked against each other over a period: by retention rate, by active
// base, or by their task backlog (open or overdue tasks, fewest first: seed 009's "zero the
// tasks"). Pure: over network_kpis.hpp's per-store figures and task_backlog.hpp's backlogs.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/network/network_kpis.hpp"
#include "cloud/network/task_backlog.hpp"

namespace regua::hub {

enum class RankBy { retention, active_base, open_tasks, overdue_tasks };
std::optional<RankBy> rank_by_from_name(std::string_view name);  // "retention", "active_base", ...

struct StoreRanking {
  std::int64_t rank = 0;  // 1 = best; stores without the figure (no customers yet) come last, unranked (0)
  std::string store;
  NetworkKpiPeriod kpis;  // the period's total
  TaskBacklog tasks;
};

// Best first: highest retention or active base share, fewest open or overdue tasks; ties by store id.
std::vector<StoreRanking> rank_stores(std::vector<StoreRanking> stores, RankBy by);

}  // namespace regua::hub
