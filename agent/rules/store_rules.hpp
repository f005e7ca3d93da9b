#pragma once
// The rules a store runs, ready for the engine: the default pack and the store's rules file
// assembled (local/rules/rule_set.hpp), with the configuration's quiet hours, cap, links, segments
// and the store's time zone. `run` and `simulate` both build their Engine from this, so a backtest
// runs exactly what the agent would run.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "local/core/result.hpp"
#include "local/scheduler/engine.hpp"

namespace regua {

struct StoreRules {
  std::unique_ptr<StoreZone> zone;  // settings.zone points at it
  EngineSettings settings;
  std::vector<std::string> warnings;  // default rules left off, SMS texts of several parts (for the log)
  std::vector<std::string> off;       // rule ids defined but not running
};

// A rule pack from HQ (sync/rule_pack.hpp): its rules take the place of the store's rules file.
struct PackRules {
  std::int64_t version = 0;
  std::string text;  // a rules file (TOML)
};

// `rules_file` replaces [rules] file when given (simulate --rules); `pack`, when given, replaces
// both. Errors are ErrorKind::config and name the file (or the pack), the line, the rule and the
// field.
Result<StoreRules> load_store_rules(const AgentConfig& config,
                                    const std::optional<std::filesystem::path>& rules_file = std::nullopt,
                                    const std::optional<PackRules>& pack = std::nullopt);

}  // namespace regua
