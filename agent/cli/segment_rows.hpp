#pragma once
// One segment's customers as `customers --segment NAME` writes them (CSV and JSON rows), shared by
// that command and the web app's list and CSV export, so that the two can never disagree.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/config/config.hpp"
#include "local/analysis/segment_catalog.hpp"
#include "local/analysis/segment_query.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

// A cell, an RFM segment or a [[segment]] by name; ErrorKind::usage naming every known one.
Result<SegmentDefinition> resolve_segment(const AgentConfig& config, const SegmentPolicy& policy,
                                          std::string_view name);
std::string_view segment_kind_name(SegmentDefinition::Kind kind);

// The CSV header line and one row (each with its "\n").
std::string segment_csv_header();
std::string segment_csv_row(const SegmentMember& m, const SegmentPolicy& policy);
nlohmann::ordered_json segment_member_json(const SegmentMember& m, const SegmentPolicy& policy);

// The segment's members on `today`, biggest spenders first, read in the caller's transaction.
Status for_each_segment_member(sqlite::Db& db, const SegmentDefinition& segment, const SegmentPolicy& policy,
                               std::int64_t today, const std::function<Status(const SegmentMember&)>& each);

}  // namespace regua
