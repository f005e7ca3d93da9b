#include <fmt/format.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/cli/doctor_checks.hpp"
#include "agent/cli/doctor_host.hpp"
#include "agent/rules/store_rules.hpp"

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
    // A ledger older than the rules' migration (never upgraded by a reader) has no tasks yet.
    constexpr int kRulesSchema = 6;
    if (quality && ledger->schema_version() >= kRulesSchema) {
      if (auto tasks = count_tasks(ledger->db(), clock.now())) facts.tasks = *tasks;
    }
    if (auto sync = gather_sync_status(config, ledger->db(), ledger->schema_version(), clock.now())) {
      facts.sync = std::move(*sync);
    }
    constexpr int kSyncSchema = 10;
    if (config.sync && config.sync->enabled && ledger->schema_version() >= kSyncSchema) {
      if (auto age = sync::read_outbox_age(ledger->db())) facts.outbox_age = *age;
      if (auto heard = sync::read_hub_clock(ledger->db())) {
        facts.hub_clock_read = true;
        facts.hub_clock = *heard;
      }
    }
    (void)ledger->db().exec("COMMIT");
    if (quality) {
      facts.quality = std::move(*quality);
    } else {
      facts.ledger_problem = quality.error().message;
    }
  }
  if (auto rules = load_store_rules(config)) {
    facts.rules_running = rules->settings.rules.size();
    facts.rules_warnings = std::move(rules->warnings);
  } else {
    facts.rules_problem = rules.error().message;
  }
  facts.now = clock.now();
  facts.disk = read_disk_fact(config.ledger.path);
  if (config.sync && config.sync->enabled) {
    const auto& tls = config.sync->settings.tls;
    facts.certificates.push_back(read_certificate_fact("[sync] cert", tls.cert, clock.now()));
    facts.certificates.push_back(read_certificate_fact("[sync] ca", tls.ca, clock.now()));
    facts.broker = check_broker_link(config.sync->settings, kDoctorConnectTimeout);
  }
  facts.channels = check_channel_endpoints(config.channels, kDoctorConnectTimeout);
  const auto findings = run_doctor_checks(facts);
  fmt::print("{}", render_doctor(facts, findings));
  return doctor_exit_code(findings);
}

}  // namespace regua
