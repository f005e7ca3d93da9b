#pragma once
// The analysis commands: `segments`, `kpis` and `customers --segment` (docs/cli.md, docs/segments.md,
// docs/kpis.md). Each returns the process exit code (common.hpp). They only read the ledger, so they
// work while `run` is running.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/config/config.hpp"
#include "agent/rules/store_rules.hpp"
#include "local/analysis/action_effects.hpp"
#include "local/analysis/kpis.hpp"
#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/scheduler/decisions.hpp"
#include "local/scheduler/simulation.hpp"

namespace regua {

struct SegmentsOptions {
  std::optional<std::string> at;  // YYYY-MM-DD, store-local: the matrix at the end of that day, from history
  bool all = false;               // also the RFM scores and every named segment's count
  bool json = false;
  bool csv = false;
};
int segments_command(const AgentConfig& config, const SegmentsOptions& options);
// What `segments --all --json` prints for today, read in the caller's transaction (the web app).
Result<nlohmann::ordered_json> segments_today_json(sqlite::Db& db, const AgentConfig& config,
                                                   const SegmentPolicy& policy, std::int64_t today);

struct KpisOptions {
  std::string from, to;  // YYYY-MM-DD, store-local, inclusive; --actions: optional (empty: all)
  std::string by;        // "", day, week, month
  bool actions = false;  // revenue per action against the control groups (docs/kpis.md)
  bool json = false;
};
int kpis_command(const AgentConfig& config, const KpisOptions& options);
// "" (none), day, week, month.
Result<KpiGrouping> parse_kpi_grouping(const std::string& by);
// What `kpis --json` prints for a report (docs/kpis.md); the web app answers the same.
nlohmann::ordered_json kpis_json(const AgentConfig& config, const KpiReport& report);

// Revenue per action as `kpis --actions` computes it: each rule's effects against its control group,
// with the rules' windows and holdout shares as the agent runs them.
struct ActionEffectsReport {
  struct Running {
    std::chrono::seconds window{};
    int holdout_percent = 0;
  };
  std::map<std::string, Running, std::less<>> running;  // the rules the agent runs, by id
  int default_holdout_percent = 0;
  std::vector<RuleEffect> effects;
  [[nodiscard]] int holdout_of(const std::string& rule_id) const;
};
// Sends decided in the store-local days [from_day, to_day] (none: from the start, to now), read in
// one snapshot of `db` (begins and ends its own transaction).
Result<ActionEffectsReport> gather_action_effects(const AgentConfig& config, sqlite::Db& db,
                                                  std::optional<std::int64_t> from_day,
                                                  std::optional<std::int64_t> to_day, Seconds now);
// What `kpis --actions --json` prints; `from`, `to` as given (empty: null).
nlohmann::ordered_json action_effects_json(const AgentConfig& config, const ActionEffectsReport& report,
                                           const std::string& from, const std::string& to);
int kpis_actions_command(const AgentConfig& config, const KpisOptions& options);

struct CustomersSegmentOptions {
  std::string segment;  // a cell, an RFM segment or a [[segment]] of the configuration
  bool json = false;
  bool csv = false;
};
int customers_segment_command(const AgentConfig& config, const CustomersSegmentOptions& options);

// What the three share: the store's policy and today's store-local day, and a date argument.
Result<SegmentPolicy> analysis_policy(const AgentConfig& config);
Result<std::int64_t> parse_day_option(const std::string& text, const std::string& option);
// A CSV field, quoted when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view v);

// The backtest of `simulate`: the history from_day..to_day (store-local, both included) replayed
// through `rules` into a scratch ledger removed at the end; `each` sees every decision in order.
struct SimulationTotals {
  std::int64_t fired = 0, deferred = 0, skipped = 0, cancelled = 0, holdout = 0, messages = 0, tasks = 0;
};
struct SimulationRun {
  SimulationSummary summary;
  std::map<std::string, SimulationTotals, std::less<>> totals;  // every rule run, by id
};
Result<SimulationRun> run_simulation(const AgentConfig& config, sqlite::Db& source, const StoreRules& rules,
                                     std::int64_t from_day, std::int64_t to_day,
                                     const std::function<Status(const DecisionView&)>& each);
// The "totals" object of `simulate --json`'s last line.
nlohmann::ordered_json simulation_totals_json(const SimulationRun& run);

}  // namespace regua
