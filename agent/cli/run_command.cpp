#include <atomic>
#include <mutex>

#include <spdlog/spdlog.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/http/local_server.hpp"
#include "agent/rules/rule_switches.hpp"
#include "agent/rules/store_rules.hpp"
#include "agent/rules/tz_store_zone.hpp"
#include "agent/run/agent_loop.hpp"
#include "sync/rule_pack.hpp"
#include "sync/sync_service.hpp"

namespace regua {
namespace {

// The rules the agent runs: the last good rule pack from HQ when there is one, else the store's;
// without those the store turned off from the web app.
Result<StoreRules> rules_in_force(const AgentConfig& config, Ledger& ledger) {
  auto off = rules_switched_off(ledger.db());
  if (!off) return off.error();
  auto pack = sync::latest_rule_pack(ledger.db());
  if (!pack) return pack.error();
  auto rules = *pack ? load_store_rules(config, std::nullopt, PackRules{(*pack)->version, (*pack)->rules})
                     : load_store_rules(config);
  if (!rules) return rules;
  if (*pack) spdlog::info("rules: running HQ's rule pack version {}", (*pack)->version);
  apply_rule_switches(*rules, *off);
  for (const auto& id : *off)
    spdlog::info("rules: {} is off (turned off from the web app)", id);
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
  // The loop of the moment learns of what the HTTP API wrote (the server outlives each loop).
  void written_elsewhere() {
    std::lock_guard lock(mutex);
    if (loop != nullptr) loop->ledger_written_elsewhere();
  }
  // Seconds since the loop of the moment last ticked; 0 between two loops (a rules reload).
  double seconds_since_tick() {
    std::lock_guard lock(mutex);
    return loop != nullptr ? loop->seconds_since_tick() : 0.0;
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
    auto started = sync::SyncService::start(
        config.sync->settings, LedgerOptions{config.ledger.path, config.store.id}, clock, sync_zone,
        [&loops](std::int64_t) { loops.rules_changed(); },
        // A pack the store could not load (a link or [[segment]] it lacks) is
        // refused and reported to HQ, and the rules in force stay.
        [&config](const sync::RulePack& pack) -> Status {
          auto rules = load_store_rules(config, std::nullopt, PackRules{pack.version, pack.rules});
          if (!rules) return rules.error();
          return {};
        });
    if (!started) return report_error(started.error());
    syncing = std::move(*started);
  }

  // One HTTP server for the whole run: a reload of the rules keeps the web app's sessions and the
  // POS API up. The POS files are followed even when it cannot start: a store that only posts
  // events sees the error in the log and in `doctor`, the others lose nothing.
  std::unique_ptr<LocalServer> http;
  if (config.http.enabled) {
    auto started = LocalServer::start(
        config, clock, [&loops] { loops.written_elsewhere(); }, [&loops] { loops.rules_changed(); },
        [&loops] { return loops.seconds_since_tick(); });
    if (started) {
      http = std::move(*started);
    } else {
      spdlog::error("{}", started.error().message);
    }
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
    auto ran = loop.run(true);
    loops.set(nullptr);
    if (!ran) return report_error(ran.error());
    if (!loops.reload) break;
    spdlog::info(
        "rules: changed (a new rule pack from HQ, or a rule turned on or off in the web app); restarting "
        "the rules with it");
  }
  http.reset();  // answers the requests in flight
  if (syncing) syncing->stop();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace regua
