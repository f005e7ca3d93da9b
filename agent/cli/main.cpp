// regua-agent: the store's agent. docs/cli.md documents every command, option and exit code.

#include <CLI/CLI.hpp>

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
  auto* import = app.add_subcommand("import", "ingest whole files (history), with a progress bar");
  import->add_option("files", files, "files to import (.jsonl)")->required()->check(CLI::ExistingFile);
  import->add_option("--format", format, "input format when the extension does not tell (jsonl)");

  bool json = false;
  auto* status = app.add_subcommand("status", "ledger counts, sources and their positions, quarantine");
  status->add_flag("--json", json, "one JSON object (documented in docs/cli.md)");

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
                       [&](const AgentConfig& c) { return import_command(c, files, format); });
  }
  if (*status)
    return with_config(config_file, verbose, [&](const AgentConfig& c) { return status_command(c, json); });
  if (*demo) {
    setup_logging(verbose ? "debug" : "info");
    return demo_command(demo_options);
  }
  return kExitUsage;
}
