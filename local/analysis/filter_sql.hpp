#pragma once
// Turns a parsed filter (filter_parser.hpp) into a SQL condition over one customer row, with every
// value as a bound parameter: nothing the user wrote is ever spliced into the SQL text, only the
// fixed fragments of the fields and operators the parser accepted.
//
// The condition reads the tables under these aliases:
//   customers c, customer_stats s (LEFT JOIN: customers without purchases have no row),
//   customer_predictions p (LEFT JOIN, only when the filter reads p_alive or clv),
// and needs local_day() on the connection (sql_local_day.hpp). A customer without a value for a
// field (no purchase, no prediction) matches no comparison on it, not even under "not".

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "local/analysis/filter_parser.hpp"
#include "local/analysis/lifecycle_matrix.hpp"
#include "local/analysis/rfm.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

using SqlValue = std::variant<std::int64_t, double, std::string>;

struct CompiledFilter {
  std::string where;             // a condition with "?" parameters
  std::vector<SqlValue> params;  // in the order of the "?"
  bool reads_predictions = false;
};

struct FilterContext {
  std::int64_t today = 0;  // store-local day
  LifecycleThresholds thresholds;
  std::optional<RfmCutpoints> rfm;  // needed when the filter reads rfm_r, rfm_f or rfm_m
};

// The RFM fields, for filter_uses().
inline constexpr FieldId kRfmFields[] = {FieldId::rfm_r, FieldId::rfm_f, FieldId::rfm_m};

Result<CompiledFilter> compile_filter(const FilterNode& root, const FilterContext& context);

// "FROM customers c LEFT JOIN customer_stats s ..." for a compiled filter.
std::string filter_from_clause(const CompiledFilter& filter);

// Binds `params` to `stmt` from parameter number `first` on.
void bind_params(sqlite::Stmt& stmt, const std::vector<SqlValue>& params, int first = 1);

}  // namespace regua
