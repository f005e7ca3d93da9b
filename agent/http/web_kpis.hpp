#pragma once
// The JSON and charts of the web app's KPI page (docs/web.md): the figures of `kpis --json` for a
// range (by default the last twelve months, by month), charts of them over time drawn as SVG on
// the server (retention, active base, new vs returning customers, and the incremental revenue of
// the rules' sends against their control groups, as `kpis --actions` computes it), and what
// `status --json` says about data quality and sync. Kept apart from HTTP so that it can be tested
// on a ledger alone.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/config/config.hpp"
#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {

// The range a page asked for: YYYY-MM-DD days (empty: the default) and the grouping.
struct KpiRange {
  std::string from, to, by;
};

// What `kpis --from F --to T --by B --json` prints. Empty `from`/`to`: the 365 days to today;
// empty `by`: month. ErrorKind::usage for a bad day or grouping. Read in the caller's snapshot.
Result<nlohmann::ordered_json> web_kpis_json(sqlite::Db& db, const AgentConfig& config,
                                             const SegmentPolicy& policy, const KpiRange& range, Seconds now);

// One chart as SVG: `chart` is retention, active_base, new_returning or revenue_per_action;
// `lang` pt-BR or en. Begins and ends its own read transactions (the effects are computed period
// by period). ErrorKind::usage for an unknown chart or a bad range.
Result<std::string> web_kpi_chart(sqlite::Db& db, const AgentConfig& config, const SegmentPolicy& policy,
                                  const KpiRange& range, const std::string& chart, const std::string& lang,
                                  Seconds now);

// What `status --json` prints, plus "thresholds": the shares below which `doctor` asks for action
// (identified sales, customers with a mobile) or advises (customers with an e-mail).
Result<nlohmann::ordered_json> web_status_json(const AgentConfig& config, Ledger& ledger);

}  // namespace regua
