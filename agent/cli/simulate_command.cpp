// `regua-agent simulate --from DATE --to DATE [--rules FILE] [--json]`: the store's history replayed
// on a virtual clock through the rules (local/scheduler/simulation.hpp), printing every decision
// and then totals per rule. The ledger is only read and nothing is sent; docs/rules.md documents
// the output, which is byte-identical for the same ledger, configuration and dates.

#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include "agent/cli/analysis_commands.hpp"
#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/cli/decision_format.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "agent/rules/store_rules.hpp"
#include "local/scheduler/simulation.hpp"

namespace regua {
namespace {

// A scratch folder for the replay's ledger, removed at the end whatever happens.
class ScratchDir {
 public:
  static Result<ScratchDir> create() {
    std::error_code ec;
    auto base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / "regua-simulate-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return make_error(ErrorKind::io, "cannot create a scratch folder in " + base.string() +
                                           " for the simulation (set TMPDIR to a writable folder)");
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& o) noexcept : path_(std::exchange(o.path_, {})) {}
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

}  // namespace

Result<SimulationRun> run_simulation(const AgentConfig& config, sqlite::Db& source, const StoreRules& rules,
                                     std::int64_t from_day, std::int64_t to_day,
                                     const std::function<Status(const DecisionView&)>& each) {
  auto phones = LibphonenumberNormaliser::create(config.store.country);
  if (!phones) return phones.error();
  auto scratch = ScratchDir::create();
  if (!scratch) return scratch.error();
  const StoreZone& zone = *rules.zone;
  SimulationOptions sim;
  sim.from = zone.to_utc(from_day, std::chrono::seconds{0});
  sim.to = zone.to_utc(to_day + 1, std::chrono::seconds{0});  // to_day is the last day replayed
  sim.work_dir = scratch->path();
  sim.store_id = config.store.id;
  SimulationRun run;
  for (const auto& r : rules.settings.rules)
    run.totals[r.id];
  auto summary = simulate(source, *phones, rules.settings, sim, [&](const DecisionView& d) -> Status {
    auto& t = run.totals[d.rule_id];
    if (d.decision == "fired") {
      ++t.fired;
      if (d.message_id) ++t.messages;
      if (d.task_id) ++t.tasks;
    } else if (d.decision == "deferred") {
      ++t.deferred;
    } else if (d.decision == "skipped") {
      ++t.skipped;
    } else if (d.decision == "holdout") {
      ++t.holdout;
    } else {
      ++t.cancelled;
    }
    return each(d);
  });
  if (!summary) return summary.error().within("simulating");
  run.summary = *summary;
  return run;
}

nlohmann::ordered_json simulation_totals_json(const SimulationRun& run) {
  nlohmann::ordered_json t = nlohmann::ordered_json::object();
  for (const auto& [id, n] : run.totals) {
    t[id] = {{"fired", n.fired},         {"deferred", n.deferred}, {"skipped", n.skipped},
             {"cancelled", n.cancelled}, {"holdout", n.holdout},   {"messages", n.messages},
             {"tasks", n.tasks}};
  }
  return t;
}

int simulate_command(const AgentConfig& config, const SimulateOptions& options) {
  auto from_day = parse_day_option(options.from, "--from");
  if (!from_day) return report_error(from_day.error());
  auto to_day = parse_day_option(options.to, "--to");
  if (!to_day) return report_error(to_day.error());
  if (*to_day < *from_day) {
    return report_error(make_error(ErrorKind::usage, "--to " + options.to + " is before --from " +
                                                         options.from +
                                                         ": give the first and the last day to replay"));
  }
  auto rules = load_store_rules(config, options.rules);
  if (!rules) return report_error(rules.error());
  // On stderr: stdout is the replay, byte-identical from run to run.
  for (const auto& warning : rules->warnings)
    fmt::print(stderr, "regua-agent: warning: {}\n", warning);
  // The source ledger is opened read-only: the replay writes only into its own scratch ledger.
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  const StoreZone& zone = *rules->zone;
  std::string out;
  auto run =
      run_simulation(config, ledger->db(), *rules, *from_day, *to_day, [&](const DecisionView& d) -> Status {
        out += options.json ? json_line(decision_json(d, zone)) : decision_text(d, zone, true);
        // Large replays print as they go rather than holding everything.
        if (out.size() > (1U << 20)) {
          std::fwrite(out.data(), 1, out.size(), stdout);
          out.clear();
        }
        return {};
      });
  if (!run) return report_error(run.error());
  const auto* summary = &run->summary;
  const auto& totals = run->totals;

  if (options.json) {
    out += json_line(nlohmann::ordered_json{{"totals", simulation_totals_json(*run)}});
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kExitOk;
  }
  out += fmt::format("\nreplayed {} to {}: {} customer(s), {} sale(s), {} cancellation(s); {} decision(s)\n",
                     options.from, options.to, summary->customers, summary->sales, summary->cancellations,
                     summary->decisions);
  out += fmt::format("{:<24} {:>7} {:>9} {:>8} {:>9} {:>8} {:>9} {:>6}\n", "rule", "fired", "deferred",
                     "skipped", "cancelled", "holdout", "messages", "tasks");
  for (const auto& [id, n] : totals) {
    out += fmt::format("{:<24} {:>7} {:>9} {:>8} {:>9} {:>8} {:>9} {:>6}\n", id, n.fired, n.deferred,
                       n.skipped, n.cancelled, n.holdout, n.messages, n.tasks);
  }
  out += "nothing was sent and the ledger was not changed\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace regua
