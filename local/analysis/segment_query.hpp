#pragma once
// Runs a segment's filter over the customers: how many match, and the always-current list with
// what a campaign needs (seed 003's one-click list). One SQL query over customers and their
// maintained stats; the RFM cut points are computed first only when the filter reads RFM scores.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "local/analysis/filter_sql.hpp"
#include "local/analysis/lifecycle_matrix.hpp"
#include "local/analysis/rfm.hpp"
#include "local/core/money.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

// Parses `filter` and compiles it for the store-local day `today`. The RFM cut points are computed
// when the filter needs them, unless `rfm` gives them (to count many segments at once).
Result<CompiledFilter> compile_segment(sqlite::Db& db, std::string_view filter, const SegmentPolicy& policy,
                                       std::int64_t today, const RfmCutpoints* rfm = nullptr);

Result<std::int64_t> count_segment(sqlite::Db& db, const CompiledFilter& filter, const SegmentPolicy& policy);

struct SegmentMember {
  std::int64_t id = 0;
  std::optional<std::string> pos_id, name;
  std::optional<std::string> mobile;  // E.164, only when the phone is a valid mobile
  std::optional<std::string> email;   // only when valid
  std::int64_t purchases = 0;
  std::optional<std::int64_t> last_at;  // UTC seconds of the last purchase
  Cents total = 0;
  std::optional<Cell> cell;              // today
  std::optional<std::int64_t> last_day;  // store-local day of the last purchase
  // Consent per channel as the POS last said it; empty: never said.
  std::optional<bool> sms, whatsapp, email_consent;
};

// Calls `each` for every customer that matches, the biggest spenders first. Forgotten customers
// (erasure.hpp) are never listed: a list is what a campaign exports.
Status for_each_in_segment(sqlite::Db& db, const CompiledFilter& filter, const SegmentPolicy& policy,
                           std::int64_t today, const std::function<Status(const SegmentMember&)>& each);

}  // namespace regua
