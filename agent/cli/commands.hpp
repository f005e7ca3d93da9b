#pragma once
// The regua-agent commands. Each returns the process exit code (see common.hpp).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"

namespace regua {

int run_command(const AgentConfig& config);
// `source`: read the files as that configured source does (its kind and its CSV columns).
int import_command(const AgentConfig& config, const std::vector<std::filesystem::path>& files,
                   const std::optional<std::string>& format, const std::optional<std::string>& source);
int status_command(const AgentConfig& config, bool json);

struct PredictOptions {
  std::optional<std::string> at;  // YYYY-MM-DD, store-local; default today
  int horizon_days = 90;
  int clv_days = 365;
  std::string unit = "week";
  double monthly_discount = 0;
  int limit = 20;  // rows of the text table; 0 = all (--json always lists everyone)
  bool json = false;
};
int predict_command(const AgentConfig& config, const PredictOptions& options);

// `customers duplicates [--json]` and `customers merge KEEP OTHER... [--dry-run] [--json]`.
struct CustomersOptions {
  enum class Action { duplicates, merge } action = Action::duplicates;
  std::vector<std::string> refs;  // merge: KEEP then OTHER..., ledger numbers or pos:ID
  bool dry_run = false;
  bool json = false;
};
int customers_command(const AgentConfig& config, const CustomersOptions& options);

// Exit code 0 when no finding needs action, 1 when one does (docs/cli.md).
int doctor_command(const AgentConfig& config);

struct DemoOptions {
  std::filesystem::path dir = "regua-demo";
  int sales = 300;
  double seconds = 5;
};
int demo_command(const DemoOptions& options);

}  // namespace regua
