#pragma once
// What every regua-agent command shares: exit codes, how errors are printed, logging set-up and
// opening the configuration and the ledger.

#include <filesystem>
#include <string>

#include "agent/config/config.hpp"
#include "local/core/clock.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {

// Exit codes every command keeps (docs/cli.md): scripts rely on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // something failed while running
inline constexpr int kExitUsage = 2;    // the command line or the configuration is wrong

// Prints "regua-agent: <message>" on stderr and returns the exit code for the error's kind.
int report_error(const Error& error);

// Logs go to stderr; under systemd (JOURNAL_STREAM set) without a timestamp, which journald adds.
void setup_logging(const std::string& level);

// /etc/regua/agent.toml, or $REGUA_CONFIG when set.
std::filesystem::path default_config_path();

Result<Ledger> open_ledger_for_writing(const AgentConfig& config, const Clock& clock);
Result<Ledger> open_ledger_for_reading(const AgentConfig& config, const Clock& clock);

}  // namespace regua
