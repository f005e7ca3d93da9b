#pragma once
// `regua-agent doctor`: what is wrong with this install, in plain words, with what to do about each
// finding. A list of independent checks over facts gathered once; later versions add checks (the
// service, the clock, the hub connection, ...) to the list in doctor_checks.cpp.

#include <optional>
#include <string>
#include <vector>

#include "agent/cli/sync_status.hpp"
#include "agent/config/config.hpp"
#include "local/identity/quality.hpp"
#include "local/tasks/tasks.hpp"

namespace regua {

// What the checks look at, read once.
struct DoctorFacts {
  const AgentConfig* config = nullptr;
  std::optional<DataQuality> quality;       // empty when the ledger could not be read
  std::string ledger_problem;               // why, then
  std::string rules_problem;                // the rules cannot be read (`run` refuses to start): why
  std::vector<std::string> rules_warnings;  // default rules left off, and why
  std::size_t rules_running = 0;
  std::optional<TaskCounts> tasks;  // empty when the ledger has no tasks table yet
  std::optional<SyncStatus> sync;   // empty when the ledger could not be read
};

enum class Severity {
  ok,      // fine: said so that people see what was checked
  advice,  // worth doing; does not make doctor fail
  action,  // needs doing: doctor exits with 1
};

struct Finding {
  Severity severity = Severity::ok;
  std::string text;  // what was found and, unless ok, what to do
};

// The thresholds below which a share is a finding that needs action (docs/cli.md lists them).
inline constexpr double kMinIdentifiedSales = 0.80;
inline constexpr double kMinCustomersWithMobile = 0.80;
inline constexpr double kMinCustomersWithEmail = 0.50;  // advice only

std::vector<Finding> run_doctor_checks(const DoctorFacts& facts);

// 0 when no finding needs action, else 1.
int doctor_exit_code(const std::vector<Finding>& findings);

std::string render_doctor(const DoctorFacts& facts, const std::vector<Finding>& findings);

}  // namespace regua
