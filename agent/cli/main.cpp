// regua-agent: the store's agent. docs/cli.md documents every command, option and exit code.

#include <CLI/CLI.hpp>

#include "agent/cli/analysis_commands.hpp"
#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/platform/stop_signals.hpp"

namespace {

using namespace regua;

// Loads --config, sets up logging from it, then runs `command`.
template <class Command>
int with_config(const std::filesystem::path& file, bool verbose, Command&& command) {
  auto config = load_config(file);
  if (!config) return report_error(config.error());
  setup_logging(verbose ? "debug" : config->log.level);
  return command(*config);
}

}  // namespace

int main(int argc, char** argv) {
  catch_stop_signals_early();
  CLI::App app{"Régua agent: keeps a store's customers coming back. See docs/cli.md.", "regua-agent"};
  app.set_version_flag("--version", "regua-agent " REGUA_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  std::filesystem::path config_file = default_config_path();
  bool verbose = false;
  app.add_option("--config", config_file,
                 "configuration file (TOML; default /etc/regua/agent.toml or $REGUA_CONFIG)");
  app.add_flag("-v,--verbose", verbose, "log more (debug level)");

  auto* run = app.add_subcommand("run", "follow the POS sources into the ledger until SIGINT/SIGTERM");

  std::vector<std::filesystem::path> files;
  std::optional<std::string> format;
  std::optional<std::string> import_source;
  auto* import = app.add_subcommand("import", "ingest whole files (history), with a progress bar");
  import
      ->add_option("files", files,
                   "files to import (.jsonl, .csv, .xml) or folders of fiscal XML documents (.xml files)")
      ->required()
      ->check(CLI::ExistingPath);
  import->add_option("--format", format, "input format when the extension does not tell (jsonl, csv, nfe)");
  import->add_option("--source", import_source,
                     "read the files as this configured [[source]] reads its input (its kind, CSV columns)");

  bool json = false;
  auto* status = app.add_subcommand("status", "ledger counts, sources and their positions, quarantine");
  status->add_flag("--json", json, "one JSON object (documented in docs/cli.md)");

  PredictOptions predict_options;
  auto* predict = app.add_subcommand(
      "predict", "fit BG/NBD and Gamma-Gamma on the history; P(alive), expected purchases, CLV per customer");
  predict->add_option("--at", predict_options.at,
                      "history up to the end of this store-local date (YYYY-MM-DD)");
  predict
      ->add_option("--horizon-days", predict_options.horizon_days, "expected purchases over the next N days")
      ->check(CLI::Range(1, 36'500));
  predict->add_option("--clv-days", predict_options.clv_days, "CLV over the next N days")
      ->check(CLI::Range(1, 36'500));
  predict->add_option("--unit", predict_options.unit, "time unit of the model: week or day");
  predict->add_option("--monthly-discount", predict_options.monthly_discount, "CLV discount rate per 30 days")
      ->check(CLI::Range(0.0, 1.0));
  predict->add_option("--limit", predict_options.limit, "rows of the text table (0: all)")
      ->check(CLI::NonNegativeNumber);
  predict->add_flag("--json", predict_options.json, "one JSON object (documented in docs/predictions.md)");

  CustomersOptions customers_options;
  auto* customers = app.add_subcommand("customers", "customer records: a segment's list, duplicates, merge");
  customers->require_subcommand(0, 1);
  CustomersSegmentOptions segment_list;
  auto* segment_option = customers->add_option(
      "--segment", segment_list.segment, "list a segment: a lifecycle cell, an RFM segment or a [[segment]]");
  customers->add_flag("--json", segment_list.json, "with --segment: one JSON object (docs/cli.md)");
  customers->add_flag("--csv", segment_list.csv, "with --segment: CSV with a header line");
  auto* duplicates = customers->add_subcommand(
      "duplicates", "groups of records that share a valid CPF, a mobile or an e-mail");
  duplicates->add_flag("--json", customers_options.json, "one JSON object (documented in docs/cli.md)");
  auto* merge = customers->add_subcommand("merge", "merge records of one person into the first one named");
  merge
      ->add_option("customers", customers_options.refs,
                   "KEEP OTHER...: ledger numbers (as duplicates shows) or pos:ID")
      ->required()
      ->expected(2, -1);
  merge->add_flag("--dry-run", customers_options.dry_run, "show the result, write nothing");
  merge->add_flag("--json", customers_options.json, "one JSON object (documented in docs/cli.md)");
  auto* consent =
      customers->add_subcommand("consent", "a customer's consent per channel; --grant or --deny one");
  consent
      ->add_option("customer", customers_options.refs, "the POS's customer id (or #N, the ledger's number)")
      ->required()
      ->expected(1);
  auto* consent_channel = consent->add_option("--channel", customers_options.channel,
                                              "the channel to set: sms, whatsapp or email");
  auto* grant = consent->add_flag("--grant", customers_options.grant, "record that the customer agrees");
  auto* deny = consent->add_flag("--deny", customers_options.deny, "record that the customer refuses");
  grant->excludes(deny);
  grant->needs(consent_channel);
  deny->needs(consent_channel);
  consent->add_flag("--json", customers_options.json, "one JSON object (documented in docs/cli.md)");
  auto* forget = customers->add_subcommand(
      "forget", "erase a customer's personal data (LGPD), keeping their sales without a person");
  forget->add_option("customer", customers_options.refs, "the POS's customer id (or #N, the ledger's number)")
      ->required()
      ->expected(1);
  forget
      ->add_option("--requested-by", customers_options.requested_by,
                   "who asked: customer (default), store or authority; never a name")
      ->check(CLI::IsMember({"customer", "store", "authority"}));
  forget->add_flag("--dry-run", customers_options.dry_run, "show what would be erased, write nothing");
  forget->add_flag("--json", customers_options.json, "one JSON object (documented in docs/cli.md)");

  SegmentsOptions segments_options;
  auto* segments = app.add_subcommand("segments", "the lifecycle matrix, RFM scores and the named segments");
  segments->add_option("--at", segments_options.at,
                       "the matrix at the end of this store-local date (YYYY-MM-DD)");
  segments->add_flag("--all", segments_options.all, "also the RFM scores and every named segment's count");
  segments->add_flag("--json", segments_options.json, "one JSON object (documented in docs/segments.md)");
  segments->add_flag("--csv", segments_options.csv, "the matrix as CSV");

  KpisOptions kpis_options;
  auto* kpis =
      app.add_subcommand("kpis", "retention, churn, repeat rate, active base, revenue, CLV over dates");
  kpis->add_option("--from", kpis_options.from, "first store-local date (YYYY-MM-DD)");
  kpis->add_option("--to", kpis_options.to, "last store-local date (YYYY-MM-DD), included");
  auto* by = kpis->add_option("--by", kpis_options.by, "one row per day, week (Monday to Sunday) or month");
  kpis->add_flag("--actions", kpis_options.actions,
                 "revenue per action: each rule's sends against its control group (docs/kpis.md)")
      ->excludes(by);
  kpis->add_flag("--json", kpis_options.json, "one JSON object (documented in docs/kpis.md)");

  TasksOptions tasks_options;
  auto* tasks = app.add_subcommand("tasks", "the staff's tasks the rules create: list, done, archive");
  tasks->require_subcommand(1);
  auto* tasks_list = tasks->add_subcommand("list", "the tasks, open ones first by due moment");
  tasks_list->add_flag("--json", tasks_options.json, "one JSON object (documented in docs/cli.md)");
  tasks_list->add_option("--state", tasks_options.state,
                         "only tasks in this state (open, done, archived, "
                         "cancelled, expired)");
  auto* tasks_done = tasks->add_subcommand("done", "close an open task with its outcome");
  tasks_done->add_option("id", tasks_options.id, "the task's number (as tasks list shows it)")->required();
  tasks_done->add_option("--outcome", tasks_options.outcome, "contacted, no_answer, sold or wrong_number")
      ->required();
  tasks_done->add_option("--note", tasks_options.note, "what happened, for the record");
  tasks_done->add_flag("--json", tasks_options.json, "print the task as JSON");
  auto* tasks_archive = tasks->add_subcommand("archive", "put an open task away without an outcome");
  tasks_archive->add_option("id", tasks_options.id, "the task's number (as tasks list shows it)")->required();
  tasks_archive->add_flag("--json", tasks_options.json, "print the task as JSON");

  WhyOptions why_options;
  auto* why = app.add_subcommand("why", "a customer's timeline of rule decisions, each with its reason");
  why->add_option("customer", why_options.customer, "the POS's customer id (or #N, the ledger's number)")
      ->required();
  why->add_flag("--json", why_options.json, "JSON Lines, one decision per line (docs/rules.md)");

  SimulateOptions simulate_options;
  auto* simulate = app.add_subcommand(
      "simulate", "replay the history on a virtual clock: what the rules would have done (nothing is sent)");
  simulate->add_option("--from", simulate_options.from, "first store-local date (YYYY-MM-DD)")->required();
  simulate->add_option("--to", simulate_options.to, "last store-local date (YYYY-MM-DD), included")
      ->required();
  simulate->add_option("--rules", simulate_options.rules, "a rules file to try instead of [rules] file")
      ->check(CLI::ExistingFile);
  simulate->add_flag("--json", simulate_options.json, "JSON Lines, then a totals line (docs/rules.md)");

  auto* doctor = app.add_subcommand("doctor", "what is wrong with this install and its data, and what to do");

  SetupOptions setup_options;
  auto* setup = app.add_subcommand("setup", "first run: ask for the store's details and write --config");
  setup->add_option("--store-id", setup_options.store_id, "the store's short, stable id");
  setup->add_option("--store-name", setup_options.store_name, "the store's name as people read it");
  setup->add_option("--timezone", setup_options.timezone, "IANA time zone (default America/Sao_Paulo)");
  setup->add_option("--country", setup_options.country, "country of phone numbers (default BR)");
  setup->add_option("--pos-kind", setup_options.pos_kind, "jsonl, csv or nfe (default jsonl)");
  setup->add_option("--pos", setup_options.pos_path_text, "the file the POS writes (nfe: the folder)");
  setup->add_option("--csv-delimiter", setup_options.csv_delimiter, "CSV: the column separator (default ,)");
  setup->add_option("--csv-sale-id", setup_options.csv_sale_id, "CSV: the column with the sale's id");
  setup->add_option("--csv-datetime", setup_options.csv_datetime, "CSV: the column with the date and time");
  setup->add_option("--csv-total", setup_options.csv_total, "CSV: the column with the total");
  setup->add_option("--csv-customer-id", setup_options.csv_customer_id,
                    "CSV: the column with the customer id");
  setup->add_option("--ledger", setup_options.ledger_text, "the ledger file");
  setup->add_option("--hub", setup_options.hub, "the hub's broker, mqtts://HOST:PORT");
  setup->add_flag("--non-interactive", setup_options.non_interactive, "never ask: take flags and defaults");
  setup->add_flag("--force", setup_options.force, "replace an existing configuration file");

  EnrollOptions enroll_options;
  auto* enroll =
      app.add_subcommand("enroll", "get this store's certificate from the hub with a one-time token");
  enroll->add_option("--hub", enroll_options.hub, "the hub's enrolment endpoint, https://HOST:PORT")
      ->required();
  enroll->add_option("--token", enroll_options.token, "the token `regua-hub enrol token` printed")
      ->required();
  enroll->add_option("--dir", enroll_options.dir,
                     "write store.key, store.crt and ca.crt here (default: where [sync] key, cert, ca say)");
  enroll->add_flag("--force", enroll_options.force, "replace an existing key, certificate or CA");

  BackupOptions backup_options;
  auto* backup = app.add_subcommand("backup", "a checked copy of the ledger (works while the agent runs)");
  backup->add_option("--to", backup_options.file,
                     "the copy's file (default: backups/STORE-TIME.db beside "
                     "the ledger); never overwritten");
  backup->add_flag("--json", backup_options.json, "one JSON object (documented in docs/cli.md)");

  RestoreOptions restore_options;
  auto* restore =
      app.add_subcommand("restore", "replace the ledger by a backup of this store (agent stopped)");
  restore->add_option("file", restore_options.file, "the backup to restore")
      ->required()
      ->check(CLI::ExistingFile);
  restore->add_flag("--json", restore_options.json, "one JSON object (documented in docs/cli.md)");

  DemoOptions demo_options;
  auto* demo = app.add_subcommand(
      "demo", "a demo store: a POS file fills with generated sales, the agent ingests them");
  demo->add_option("--dir", demo_options.dir, "folder of the demo store (created if needed)");
  demo->add_option("--sales", demo_options.sales, "sales the demo POS writes")
      ->check(CLI::Range(1, 10'000'000));
  demo->add_option("--seconds", demo_options.seconds, "over how long")->check(CLI::Range(0.1, 3600.0));

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (*run) return with_config(config_file, verbose, [](const AgentConfig& c) { return run_command(c); });
  if (*import) {
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return import_command(c, files, format, import_source); });
  }
  if (*status)
    return with_config(config_file, verbose, [&](const AgentConfig& c) { return status_command(c, json); });
  if (*predict) {
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return predict_command(c, predict_options); });
  }
  if (*customers && (*segment_option || customers->get_subcommands().empty())) {
    if (!*segment_option || !customers->get_subcommands().empty()) {
      return report_error(make_error(
          ErrorKind::usage, "customers needs --segment NAME, or one of duplicates, merge, consent, forget"));
    }
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return customers_segment_command(c, segment_list); });
  }
  if (*customers) {
    customers_options.action = *merge     ? CustomersOptions::Action::merge
                               : *consent ? CustomersOptions::Action::consent
                               : *forget  ? CustomersOptions::Action::forget
                                          : CustomersOptions::Action::duplicates;
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return customers_command(c, customers_options); });
  }
  if (*segments) {
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return segments_command(c, segments_options); });
  }
  if (*kpis)
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return kpis_command(c, kpis_options); });
  if (*tasks) {
    tasks_options.action = *tasks_done      ? TasksOptions::Action::done
                           : *tasks_archive ? TasksOptions::Action::archive
                                            : TasksOptions::Action::list;
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return tasks_command(c, tasks_options); });
  }
  if (*why)
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return why_command(c, why_options); });
  if (*simulate) {
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return simulate_command(c, simulate_options); });
  }
  if (*doctor)
    return with_config(config_file, verbose, [](const AgentConfig& c) { return doctor_command(c); });
  if (*setup) {
    setup_logging(verbose ? "debug" : "info");
    return setup_command(config_file, setup_options);
  }
  if (*enroll) {
    setup_logging(verbose ? "debug" : "info");
    return enroll_command(config_file, enroll_options);
  }
  if (*backup) {
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return backup_command(c, backup_options); });
  }
  if (*restore) {
    return with_config(config_file, verbose,
                       [&](const AgentConfig& c) { return restore_command(c, restore_options); });
  }
  if (*demo) {
    setup_logging(verbose ? "debug" : "info");
    return demo_command(demo_options);
  }
  return kExitUsage;
}
