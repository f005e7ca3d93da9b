#pragma once
// The network model HQ sees: every store the hub knows (from its stream or from HQ's profile), its
// groups (region, format) and its health, read from the store's own newest heartbeat and the
// hub's rows: last seen, agent version, outbox depth, sync lag, clock skew, last sale, how far the hub's copy
// is behind, and whether it has been silent longer than its threshold.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cloud/storage/hub_store.hpp"

namespace regua::hub {

struct StoreHealth {
  std::string store;
  std::string name, region, format;          // HQ's profile ("" when not set)
  std::optional<std::int64_t> last_seen;     // hub clock, Unix seconds: its last hello or batch
  std::string agent;                         // agent version (hello)
  std::int64_t rules_version = 0;            // rule pack it runs (hello)
  std::int64_t contiguous = 0;               // the hub's mark: everything up to it is stored
  std::int64_t records = 0;                  // records the hub holds
  std::int64_t lost = 0;                     // records lost to a hub restore (docs/sync.md)
  std::optional<std::int64_t> heartbeat_at;  // hub clock: when its newest heartbeat was stored
  std::optional<std::int64_t> outbox_depth;  // records waiting for an ack at the store, at that heartbeat
  std::optional<std::int64_t> clock_skew_s;  // the store's clock minus the hub's at that heartbeat
  std::optional<std::int64_t> last_sale_at;  // the store's newest sale (store clock, Unix seconds)
  // How long its oldest record still waiting for the hub's ack had waited at that heartbeat (its
  // clock minus the record's time; 0 when nothing waited); empty before any heartbeat says it.
  std::optional<std::int64_t> sync_lag_s;
  bool behind = false;              // the hub's mark is below that heartbeat: records are missing
  std::int64_t silent_after_s = 0;  // the threshold that applies
  bool silent = false;              // never seen, or not seen for longer than the threshold
};

// Every store, ordered by id; `now` is the hub's clock.
Result<std::vector<StoreHealth>> network_health(HubStore& store, Seconds now,
                                                std::chrono::seconds default_silent_after);

nlohmann::json health_json(const StoreHealth& health);

}  // namespace regua::hub
