#pragma once
// The JSON of customer records, duplicate groups and merges: what `customers duplicates --json`
// and `customers merge --json` print (docs/cli.md) and what the web app's customer endpoints answer
// (docs/http-api.md), built in one place so that the page and the command never disagree.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "local/identity/duplicates.hpp"
#include "local/identity/merge.hpp"

namespace regua {

nlohmann::ordered_json customer_record_json(const CustomerRecord& r);
// The record with its sales: count, total in cents and the last one (UTC).
nlohmann::ordered_json customer_overview_json(const CustomerOverview& o);
// The record to keep when a person does not say: the one with the most sales, then the oldest.
std::int64_t suggested_keep(const DuplicateGroup& g);
// {"groups": [{"shared", "suggested_keep", "customers"}], "placeholders": [...]}
nlohmann::ordered_json duplicates_json(const DuplicateReport& report);
// {"written", "survivor", "before", "merged", "sales_moved", "survivor_sales", "consents"}
nlohmann::ordered_json merge_outcome_json(const MergeOutcome& outcome);

}  // namespace regua
