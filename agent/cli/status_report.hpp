#pragma once
// What `regua-agent status` shows: the ledger's counts, each source's position and how far behind
// its file it is, the newest quarantined lines, and the staff's open and overdue tasks (seed 000:
// keep tasks at zero), the messages by state and the providers' callbacks refused. Read from the
// ledger and the files only, so it
// works while `run` is running. docs/cli.md documents the JSON form, which scripts rely on.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/config/config.hpp"
#include "local/identity/quality.hpp"
#include "local/ledger/checkpoints.hpp"
#include "local/ledger/counts.hpp"
#include "local/ledger/ledger.hpp"
#include "local/ledger/quarantine.hpp"
#include "local/tasks/tasks.hpp"

namespace regua {

struct SourceStatus {
  std::string name;
  std::string kind;
  std::string path;
  bool exists = false;
  std::int64_t file_bytes = 0;
  std::optional<FileCheckpoint> checkpoint;
  std::int64_t behind_bytes = 0;
  std::string state;  // "up to date", "reading", "waiting for the file", "rotated", "not started"
  std::int64_t files_waiting = -1;  // a folder source (kind nfe): files not read yet; -1 otherwise
};

struct StatusReport {
  std::string store_id, store_name, timezone;
  std::string ledger_path;
  int schema_version = 0;
  std::int64_t ledger_bytes = 0;
  LedgerCounts counts;
  std::vector<SourceStatus> sources;
  std::vector<QuarantinedInput> recent_quarantine;
  DataQuality quality;
  TaskCounts tasks;                   // open tasks for staff, and how many of them are overdue
  std::int64_t messages_waiting = 0;  // message intents not yet handed to the channel
  // Messages by state (intent, sending, sent, failed, unknown, cancelled) and by receipt
  // (delivered, read, undelivered): every state is present, zero or not.
  std::vector<std::pair<std::string, std::int64_t>> messages, deliveries;
  struct RefusedCallbacks {
    std::string endpoint, reason;
    std::int64_t count = 0;
    Seconds last_at{};
  };
  std::vector<RefusedCallbacks> callbacks_refused;  // provider callbacks refused, by endpoint and reason
};

Result<StatusReport> gather_status(const AgentConfig& config, Ledger& ledger);
std::string render_status_text(const StatusReport& report);
nlohmann::ordered_json render_status_json(const StatusReport& report);

}  // namespace regua
