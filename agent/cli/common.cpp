#include "agent/cli/common.hpp"

#include <cstdio>
#include <cstdlib>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace regua {

int report_error(const Error& error) {
  std::fprintf(stderr, "regua-agent: %s\n", error.message.c_str());
  return error.kind == ErrorKind::usage || error.kind == ErrorKind::config ? kExitUsage : kExitFailure;
}

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_logger_st("regua");
  logger->set_pattern(std::getenv("JOURNAL_STREAM") != nullptr ? "%l: %v" : "%Y-%m-%d %H:%M:%S.%e %l: %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

std::filesystem::path default_config_path() {
  if (const char* env = std::getenv("REGUA_CONFIG"); env != nullptr && *env != '\0') return env;
  return "/etc/regua/agent.toml";
}

Result<Ledger> open_ledger_for_writing(const AgentConfig& config, const Clock& clock) {
  auto ledger = Ledger::open(LedgerOptions{config.ledger.path, config.store.id, false, true}, clock);
  if (ledger && !ledger->upgrade_backup().empty()) {
    spdlog::info("ledger {}: schema upgraded to version {}; the ledger as it was is kept in {}",
                 config.ledger.path.string(), ledger->schema_version(), ledger->upgrade_backup().string());
  }
  return ledger;
}

Result<Ledger> open_ledger_for_reading(const AgentConfig& config, const Clock& clock) {
  return Ledger::open(LedgerOptions{config.ledger.path, config.store.id, true, false}, clock);
}

}  // namespace regua
