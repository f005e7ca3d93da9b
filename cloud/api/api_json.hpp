#pragma once
// The JSON the HQ API answers (docs/hub-api.md has an example of each), kept apart from the HTTP
// plumbing so that a dashboard or the CLI prints the same shapes.

#include <nlohmann/json.hpp>

#include "cloud/network/cross_store.hpp"
#include "cloud/network/network_kpis.hpp"
#include "cloud/network/store_rankings.hpp"
#include "cloud/network/task_backlog.hpp"

namespace regua::hub {

nlohmann::json kpi_period_json(const NetworkKpiPeriod& p);
nlohmann::json group_kpis_json(const GroupKpis& g);
nlohmann::json group_matrix_json(const GroupMatrix& g);
nlohmann::json backlog_json(const TaskBacklog& b);
nlohmann::json ranking_json(const StoreRanking& r);
// `with_people`: the list of shared customers too (network_admin only).
nlohmann::json cross_store_json(const CrossStoreReport& report, bool with_people);

}  // namespace regua::hub
