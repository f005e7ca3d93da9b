#include <spdlog/spdlog.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/http/local_server.hpp"
#include "agent/rules/store_rules.hpp"
#include "agent/run/agent_loop.hpp"

namespace regua {

int run_command(const AgentConfig& config) {
  // The rules first: a mistake in them stops the agent before it touches anything.
  auto rules = load_store_rules(config);
  if (!rules) return report_error(rules.error());
  SystemClock clock;
  auto ledger = open_ledger_for_writing(config, clock);
  if (!ledger) return report_error(ledger.error());
  spdlog::info("regua-agent {} running for store {} ({}); ledger {}", REGUA_VERSION, config.store.id,
               config.store.name, ledger->path().string());
  for (const auto& warning : rules->warnings)
    spdlog::warn("rules: {}", warning);
  AgentLoop loop(config, *ledger, clock, &*rules);
  std::unique_ptr<LocalServer> http;  // after the loop, which it wakes; stopped before it
  if (config.http.enabled) {
    // The POS files are followed even when the HTTP server cannot start: a store that only posts
    // events sees the error in the log and in `doctor`, the others lose nothing.
    auto started = LocalServer::start(config, clock, [&loop] { loop.ledger_written_elsewhere(); });
    if (started) {
      http = std::move(*started);
    } else {
      spdlog::error("{}", started.error().message);
    }
  }
  if (auto s = loop.run(true); !s) return report_error(s.error());
  http.reset();  // answers the requests in flight before the ledger closes
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace regua
