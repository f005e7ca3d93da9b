#pragma once
// The smallest valid agent configuration, for configuration tests that add one section to it.

#include <string>
#include <string_view>

#include "agent/config/config.hpp"

namespace regua::test {

inline constexpr std::string_view kMinimalConfig = R"(
[store]
id = "centro"

[[source]]
kind = "jsonl"
path = "/var/pos/sales.jsonl"
)";

// The minimal configuration plus `extra` (whole tables), read as if from /etc/regua/agent.toml.
inline Result<AgentConfig> parse_minimal_plus(const std::string& extra) {
  return parse_config(std::string(kMinimalConfig) + extra, "/etc/regua/agent.toml");
}

}  // namespace regua::test
