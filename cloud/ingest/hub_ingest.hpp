#pragma once
// The hub's receiving end (`regua-hub run`): consumes every store's up/ through an MQTT v5 shared
// subscription, stores each batch (cloud/storage/hub_store.hpp) and acknowledges end to end only
// after the commit, asks a store to send again when its stream has a hole, parks what it cannot
// take (with the reason) and goes on, answers a store's hello (ack, pending orders, its rule pack)
// and sends HQ's orders and rule packs.

#include <atomic>
#include <cstdint>

#include "cloud/hub_config.hpp"
#include "cloud/storage/hub_store.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace regua::hub {

struct HubCounts {
  std::int64_t batches = 0;
  std::int64_t records = 0;
  std::int64_t duplicates = 0;
  std::int64_t parked = 0;
  std::int64_t resends = 0;
};

// What this process stored since it started; atomic, because the HQ API's /metrics reads them from
// its own threads while the ingest counts.
struct HubCounters {
  std::atomic<std::int64_t> batches{0};
  std::atomic<std::int64_t> records{0};
  std::atomic<std::int64_t> duplicates{0};
  std::atomic<std::int64_t> parked{0};
  std::atomic<std::int64_t> resends{0};

  [[nodiscard]] HubCounts snapshot() const {
    return HubCounts{batches.load(), records.load(), duplicates.load(), parked.load(), resends.load()};
  }
};

// Runs until `stop` becomes true (checked every few hundred ms); reconnects on its own.
Status run_hub(const HubConfig& config, HubStore& store, const Clock& clock, const std::atomic<bool>& stop,
               HubCounters* counters = nullptr);

}  // namespace regua::hub
