#pragma once
// The regua-agent commands. Each returns the process exit code (see common.hpp).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"

namespace regua {

int run_command(const AgentConfig& config);
int import_command(const AgentConfig& config, const std::vector<std::filesystem::path>& files,
                   const std::optional<std::string>& format);
int status_command(const AgentConfig& config, bool json);

struct DemoOptions {
  std::filesystem::path dir = "regua-demo";
  int sales = 300;
  double seconds = 5;
};
int demo_command(const DemoOptions& options);

}  // namespace regua
