#pragma once
// Reads, for the stores asked, what the network's figures are computed from: each store's
// `kpi_day` roll-ups and `segment` changes (network_kpis.hpp), its `customer` and `sale` records
// (cross_store.hpp). A record the hub cannot read (a field missing or of the wrong type) is skipped
// and counted, never fatal: the figures say how many they left out.

#include <cstdint>
#include <vector>

#include "cloud/network/cross_store.hpp"
#include "cloud/network/network_kpis.hpp"
#include "cloud/network/store_health.hpp"

namespace regua::hub {

struct LoadedFigures {
  std::vector<StoreFigures> stores;
  std::int64_t unreadable = 0;  // kpi_day and segment records skipped
};

Result<LoadedFigures> load_store_figures(HubStore& hub, const std::vector<StoreHealth>& stores);

Result<std::vector<CrossStoreInput>> load_cross_store_input(HubStore& hub,
                                                            const std::vector<StoreHealth>& stores);

}  // namespace regua::hub
