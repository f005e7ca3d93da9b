#pragma once
// The regua-agent commands. Each returns the process exit code (see common.hpp).

#include <cstdint>
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

// `customers duplicates [--json]`, `customers merge KEEP OTHER... [--dry-run] [--json]`,
// `customers consent ID [--channel C --grant|--deny] [--json]` and
// `customers forget ID [--requested-by WHO] [--dry-run] [--json]`.
struct CustomersOptions {
  enum class Action { duplicates, merge, consent, forget } action = Action::duplicates;
  std::vector<std::string> refs;  // merge: KEEP then OTHER..., ledger numbers or pos:ID; consent, forget: ID
  bool dry_run = false;
  bool json = false;
  std::optional<std::string> channel;     // consent: the channel to set
  bool grant = false, deny = false;       // consent
  std::string requested_by = "customer";  // forget: customer, store or authority
};
int customers_command(const AgentConfig& config, const CustomersOptions& options);
int customers_consent_command(const AgentConfig& config, const CustomersOptions& options);
int customers_forget_command(const AgentConfig& config, const CustomersOptions& options);

// `tasks list [--json] [--state S]`, `tasks done ID --outcome O [--note T]`, `tasks archive ID`.
struct TasksOptions {
  enum class Action { list, done, archive } action = Action::list;
  bool json = false;
  std::optional<std::string> state;  // list: only tasks in this state
  std::int64_t id = 0;               // done, archive
  std::string outcome;               // done: contacted, no_answer, sold, wrong_number
  std::string note;                  // done
};
int tasks_command(const AgentConfig& config, const TasksOptions& options);

// `why CUSTOMER [--json]`: the customer's timeline of rule decisions.
struct WhyOptions {
  std::string customer;  // the POS's customer id, or #N (the ledger's number)
  bool json = false;
};
int why_command(const AgentConfig& config, const WhyOptions& options);

// `simulate --from DATE --to DATE [--rules FILE] [--json]`: the rules over the ledger's history.
struct SimulateOptions {
  std::string from, to;                        // YYYY-MM-DD, store-local, both included
  std::optional<std::filesystem::path> rules;  // replaces [rules] file
  bool json = false;
};
int simulate_command(const AgentConfig& config, const SimulateOptions& options);

// `backup [--to FILE] [--json]`: a checked copy of the ledger, also while `run` runs.
struct BackupOptions {
  std::optional<std::filesystem::path> file;  // default: backups/<store>-<UTC time>.db beside the ledger
  bool json = false;
};
int backup_command(const AgentConfig& config, const BackupOptions& options);

// `restore FILE [--json]`: the ledger replaced by a backup of this store (the agent stopped).
struct RestoreOptions {
  std::filesystem::path file;
  bool json = false;
};
int restore_command(const AgentConfig& config, const RestoreOptions& options);

// `setup [--store-id ...] [--non-interactive] [--force]`: writes a first configuration to --config.
// Every field missing from the flags is asked on stdin unless --non-interactive.
struct SetupOptions {
  std::optional<std::string> store_id, store_name, timezone, country, pos_kind, pos_path_text, ledger_text,
      hub;
  std::optional<std::string> csv_delimiter, csv_sale_id, csv_datetime, csv_total,
      csv_customer_id;                                    // kind csv
  std::optional<std::filesystem::path> pos_path, ledger;  // filled from the texts
  bool non_interactive = false;
  bool force = false;
};
int setup_command(const std::filesystem::path& config_file, SetupOptions options);

// `enroll --hub https://HOST:PORT --token TOKEN [--dir DIR] [--force]`: the store's key, certificate and
// CA from the hub's enrolment endpoint, written where [sync] key, cert and ca say (or into --dir).
struct EnrollOptions {
  std::string hub;
  std::string token;
  std::optional<std::filesystem::path> dir;
  bool force = false;  // replace an existing key, certificate or CA
};
int enroll_command(const std::filesystem::path& config_file, const EnrollOptions& options);

// Exit code 0 when no finding needs action, 1 when one does (docs/cli.md).
int doctor_command(const AgentConfig& config);

struct DemoOptions {
  std::filesystem::path dir = "regua-demo";
  int sales = 300;
  double seconds = 5;
};
int demo_command(const DemoOptions& options);

}  // namespace regua
