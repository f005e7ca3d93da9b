#pragma once
// The sync part of `regua-agent status` (and what `doctor` checks): what the running agent's sync
// thread last wrote to the ledger (ledger_info "sync.*") and the outbox itself. docs/cli.md
// documents the JSON.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/config/config.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct SyncStatus {
  bool configured = false;  // a [sync] section, enabled
  std::string broker, network;
  std::string state = "not running";  // connected, connecting, waiting, stopped; "not running": never ran
  std::optional<Seconds> state_since;
  std::string error;                  // why the link is down, when it is
  std::int64_t waiting = 0;           // outbox records the hub has not acknowledged
  std::int64_t acked = 0;             // the hub's end-to-end ack
  std::optional<Seconds> acked_at;    // when the hub last acked or was found caught up
  std::optional<std::int64_t> lag_s;  // records wait: how long since the hub was last current
  std::string alarm;                  // the outbox is over its limit
  std::int64_t parked = 0;            // downlink messages parked
  std::int64_t rules_version = 0;     // the rule pack in force (0: none)
  std::int64_t rules_refused = 0;     // packs refused (`status` says the newest reason)
  std::string last_refusal;
};

// `schema_version` below 10: no sync tables yet (all zero).
Result<SyncStatus> gather_sync_status(const AgentConfig& config, sqlite::Db& db, int schema_version,
                                      Seconds now);
nlohmann::ordered_json render_sync_json(const SyncStatus& s);
std::string render_sync_text(const SyncStatus& s);

}  // namespace regua
