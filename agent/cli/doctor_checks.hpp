#pragma once
// `regua-agent doctor`: what is wrong with this install, in plain words, with what to do about each
// finding. A list of independent checks over facts gathered once; later versions add checks (the
// service, the clock, the hub connection, ...) to the list in doctor_checks.cpp.

#include <optional>
#include <string>
#include <vector>

#include "agent/cli/doctor_host.hpp"
#include "agent/cli/doctor_links.hpp"
#include "agent/cli/sync_status.hpp"
#include "agent/config/config.hpp"
#include "local/identity/quality.hpp"
#include "local/tasks/tasks.hpp"
#include "sync/hub_clock.hpp"
#include "sync/outbox_age.hpp"

namespace regua {

// What the checks look at, read once.
struct DoctorFacts {
  const AgentConfig* config = nullptr;
  std::optional<DataQuality> quality;       // empty when the ledger could not be read
  std::string ledger_problem;               // why, then
  std::string rules_problem;                // the rules cannot be read (`run` refuses to start): why
  std::vector<std::string> rules_warnings;  // default rules left off, and why
  std::size_t rules_running = 0;
  std::optional<TaskCounts> tasks;                 // empty when the ledger has no tasks table yet
  std::optional<SyncStatus> sync;                  // empty when the ledger could not be read
  std::optional<DiskFact> disk;                    // empty: not looked at
  std::vector<CertificateFact> certificates;       // [sync] cert and ca, when syncing
  Seconds now{};                                   // when the facts were read
  std::optional<sync::OutboxAge> outbox_age;       // with [sync], when the ledger could be read
  bool hub_clock_read = false;                     // with [sync]: the ledger was asked for the hub's clock
  std::optional<sync::HubClockReading> hub_clock;  // empty: never heard from a hub that sends it
  std::optional<BrokerFact> broker;                // with [sync]: what connecting to it showed
  std::vector<ChannelFact> channels;               // the providers in use other than `file`
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

// Free space on the ledger's filesystem: under the first needs action (SQLite fails its writes when
// the disk is full; the WAL and a backup need room), under the second is advice.
inline constexpr std::uintmax_t kMinFreeBytes = 200ull << 20;
inline constexpr std::uintmax_t kLowFreeBytes = 2ull << 30;
// A certificate with fewer days left than this is advice (renew it); expired needs action.
inline constexpr std::int64_t kCertificateRenewDays = 30;
// Records waiting for the hub longer than this are advice, never action: a store may be offline
// for days by design and nothing is lost; past a day HQ's daily figures lack this store.
inline constexpr std::chrono::hours kOutboxOldAge{24};
// This machine's clock against the hub's: from a minute off it is advice (the network's transit
// stays well under it), from 15 minutes action (sale times, quiet hours and "due" moments are
// visibly wrong; certificates' validity is judged by it).
inline constexpr std::chrono::seconds kClockSkewAdvice{60};
inline constexpr std::chrono::minutes kClockSkewAction{15};
// Each connection doctor makes (broker, providers) waits at most this long for each step.
inline constexpr std::chrono::seconds kDoctorConnectTimeout{5};
// Quiet hours longer than this leave too little of the day for messages: advice.
inline constexpr std::chrono::hours kMaxQuietHours{16};

std::vector<Finding> run_doctor_checks(const DoctorFacts& facts);

// 0 when no finding needs action, else 1.
int doctor_exit_code(const std::vector<Finding>& findings);

std::string render_doctor(const DoctorFacts& facts, const std::vector<Finding>& findings);

}  // namespace regua
