#pragma once
// How many customers are in each cell of the lifecycle matrix: as of today from the maintained
// stats (one pass over customer_stats), or as of the end of any past store-local day from the
// ledger's history (the sales sold up to the end of that day; a sale cancelled by now never
// counts, whenever it was cancelled). On a day the stats were current, both give the same matrix.

#include <array>
#include <cstdint>
#include <optional>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

// Seed 003: a business is doing well when at least this share of its customers is active.
inline constexpr double kHealthyActiveShare = 30.0;

struct MatrixCounts {
  std::int64_t day = 0;  // the store-local day it describes
  std::array<std::int64_t, kCells> cells{};
  std::int64_t customers = 0;  // with at least one purchase: the matrix's total
  std::int64_t active = 0;     // the active and slipping columns (lifecycle_matrix.hpp: is_active)
  std::optional<std::int64_t> without_purchases;  // customer records outside the matrix (today only)

  // Percent of `customers`, 0 when there is none.
  [[nodiscard]] double share(std::int64_t n) const;
  [[nodiscard]] double active_share() const { return share(active); }
};

Result<MatrixCounts> matrix_now(sqlite::Db& db, const SegmentPolicy& policy, std::int64_t today);
Result<MatrixCounts> matrix_at(sqlite::Db& db, const SegmentPolicy& policy, std::int64_t day);

}  // namespace regua
