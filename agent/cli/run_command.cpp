#include <spdlog/spdlog.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/run/agent_loop.hpp"

namespace regua {

int run_command(const AgentConfig& config) {
  SystemClock clock;
  auto ledger = open_ledger_for_writing(config, clock);
  if (!ledger) return report_error(ledger.error());
  spdlog::info("regua-agent {} running for store {} ({}); ledger {}", REGUA_VERSION, config.store.id,
               config.store.name, ledger->path().string());
  AgentLoop loop(config, *ledger, clock);
  if (auto s = loop.run(true); !s) return report_error(s.error());
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace regua
