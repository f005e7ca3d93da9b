#include <atomic>
#include <mutex>

#include <spdlog/spdlog.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/http/local_server.hpp"
#include "agent/rules/store_rules.hpp"
#include "agent/rules/tz_store_zone.hpp"
#include "agent/run/agent_loop.hpp"
#include "sync/rule_pack.hpp"
#include "sync/sync_service.hpp"

namespace regua {
namespace {

// The rules the agent runs: the last good rule pack from HQ when there is one, else the store's.
Result<StoreRules> rules_in_force(const AgentConfig& config, Ledger& ledger) {
  auto pack = sync::latest_rule_pack(ledger.db());
  if (!pack) return pack.error();
  if (!*pack) return load_store_rules(config);
  auto rules = load_store_rules(config, std::nullopt, PackRules{(*pack)->version, (*pack)->rules});
  if (rules) spdlog::info("rules: running HQ's rule pack version {}", (*pack)->version);
  return rules;
}

// What lets the sync thread (a new rule pack) end the current loop so that the next one runs it.
struct LoopSwitch {
  std::mutex mutex;
  AgentLoop* loop = nullptr;
  std::atomic<bool> reload{false};

  void rules_changed() {
    reload = true;
    std::lock_guard lock(mutex);
    if (loop != nullptr) loop->stop();
  }
  void set(AgentLoop* l) {
    std::lock_guard lock(mutex);
    loop = l;
    if (loop != nullptr && reload) loop->stop();  // a pack came while the rules were loading
  }
};

}  // namespace

int run_command(const AgentConfig& config) {
  // The rules first: a mistake in them stops the agent before it touches anything.
  if (auto checked = load_store_rules(config); !checked) return report_error(checked.error());
  SystemClock clock;
  auto ledger = open_ledger_for_writing(config, clock);
  if (!ledger) return report_error(ledger.error());
  spdlog::info("regua-agent {} running for store {} ({}); ledger {}", REGUA_VERSION, config.store.id,
               config.store.name, ledger->path().string());

  LoopSwitch loops;
  const TzStoreZone sync_zone(*config.store.zone);
  std::unique_ptr<sync::SyncService> syncing;  // its own thread and ledger connection; never blocks ingest
  if (config.sync && config.sync->enabled) {
    auto started =
        sync::SyncService::start(config.sync->settings, LedgerOptions{config.ledger.path, config.store.id},
                                 clock, sync_zone, [&loops](std::int64_t) { loops.rules_changed(); });
    if (!started) return report_error(started.error());
    syncing = std::move(*started);
  }

  for (;;) {
    loops.reload = false;
    auto rules = rules_in_force(config, *ledger);
    if (!rules) {
      // A pack HQ signed that this agent cannot run: the store's own rules keep the store going.
      spdlog::error("{}; running the store's own rules instead", rules.error().message);
      rules = load_store_rules(config);
      if (!rules) return report_error(rules.error());
    }
    for (const auto& warning : rules->warnings)
      spdlog::warn("rules: {}", warning);
    AgentLoop loop(config, *ledger, clock, &*rules);
    loops.set(&loop);
    std::unique_ptr<LocalServer> http;  // after the loop, which it wakes; stopped before it
    if (config.http.enabled) {
      // The POS files are followed even when the HTTP server cannot start: a store that only posts
      // events sees the error in the log and in `doctor`, the others lose nothing.
      auto started = LocalServer::start(
          config, clock, [&loop] { loop.ledger_written_elsewhere(); },
          [&loop] { return loop.seconds_since_tick(); });
      if (started) {
        http = std::move(*started);
      } else {
        spdlog::error("{}", started.error().message);
      }
    }
    auto ran = loop.run(true);
    http.reset();  // answers the requests in flight before the loop goes
    loops.set(nullptr);
    if (!ran) return report_error(ran.error());
    if (!loops.reload) break;
    spdlog::info("rules: a new rule pack from HQ was applied; restarting the rules with it");
  }
  if (syncing) syncing->stop();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace regua
