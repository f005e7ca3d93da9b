#include <fmt/format.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/cli/status_report.hpp"

namespace regua {

int status_command(const AgentConfig& config, bool json) {
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto report = gather_status(config, *ledger);
  if (!report) return report_error(report.error());
  if (json) {
    fmt::print("{}\n",
               render_status_json(*report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    fmt::print("{}", render_status_text(*report));
  }
  return kExitOk;
}

}  // namespace regua
