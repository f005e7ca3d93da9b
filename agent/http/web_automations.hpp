#pragma once
// The JSON of the web app's automations page (docs/web.md): every rule the store defines, whether
// it runs, its decisions in a range (sends, and skips by reason: `count_decisions`), and its revenue
// against its control group with the verdict (`kpis --actions`: gather_action_effects); and the
// `simulate` backtest run from the page (run_simulation: the same replay, totals per rule).

#include <string>

#include <nlohmann/json.hpp>

#include "agent/config/config.hpp"
#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

// `from`, `to`: YYYY-MM-DD, store-local, both included; empty: the 90 days to today. Begins and
// ends its own read transactions. ErrorKind::usage for a bad day, config for rules that cannot load.
Result<nlohmann::ordered_json> automations_json(sqlite::Db& db, const AgentConfig& config,
                                                const SegmentPolicy& policy, const std::string& from,
                                                const std::string& to, Seconds now);

// `simulate --from F --to T --json`'s totals, with the replay's summary. Both days required.
Result<nlohmann::ordered_json> simulate_json(sqlite::Db& db, const AgentConfig& config,
                                             const std::string& from, const std::string& to);

}  // namespace regua
