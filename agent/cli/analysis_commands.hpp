#pragma once
// The analysis commands: `segments`, `kpis` and `customers --segment` (docs/cli.md, docs/segments.md,
// docs/kpis.md). Each returns the process exit code (common.hpp). They only read the ledger, so they
// work while `run` is running.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/config/config.hpp"
#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

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

}  // namespace regua
