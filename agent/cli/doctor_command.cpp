#include <fmt/format.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/cli/doctor_checks.hpp"

namespace regua {

int doctor_command(const AgentConfig& config) {
  SystemClock clock;
  DoctorFacts facts;
  facts.config = &config;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) {
    facts.ledger_problem = ledger.error().message;
  } else {
    // One read transaction: the figures describe one moment even while `run` writes.
    auto begun = ledger->db().exec("BEGIN");
    auto quality = begun ? measure_quality(ledger->db()) : Result<DataQuality>(begun.error());
    (void)ledger->db().exec("COMMIT");
    if (quality) {
      facts.quality = std::move(*quality);
    } else {
      facts.ledger_problem = quality.error().message;
    }
  }
  const auto findings = run_doctor_checks(facts);
  fmt::print("{}", render_doctor(facts, findings));
  return doctor_exit_code(findings);
}

}  // namespace regua
