#pragma once
// The JSON of the web app's customers page (docs/web.md): search, a customer's page (details,
// sales figures, consent per channel, and the timeline of what they did and what the store did,
// rule decisions with their reasons included), consent answers given at the counter, and merging
// duplicates. Built from the functions the commands use (customer_json.hpp, consent_overview,
// for_each_decision, find_duplicates, merge_customers), and kept apart from HTTP so that it can be
// tested on a ledger alone.
//
// Errors: ErrorKind::usage for an unknown customer or a query with nothing to search by,
// ErrorKind::input for a change refused (a forgotten customer, a merge the rules refuse).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/identity/phone.hpp"
#include "local/ledger/ledger.hpp"
#include "local/model/events.hpp"
#include "local/rules/guards.hpp"
#include "local/rules/store_zone.hpp"

namespace regua {

// {"query", "kind": cpf|phone|name, "customers": [overview + "erased"], "more"}
Result<nlohmann::ordered_json> customer_search_json(sqlite::Db& db, std::string_view query,
                                                    const PhoneNormaliser& phones);

// {"customer": overview + "erased" + "erased_at", "consents": [...], "timeline": [...]}; a
// forgotten customer has no consents and a timeline without personal data (the ledger kept none).
Result<nlohmann::ordered_json> customer_page_json(sqlite::Db& db, std::int64_t customer_id,
                                                  const StoreZone& zone, const ConsentPolicy& policy);

// Records the answers as the customer's newest (source `source`), committed with a full sync, and
// answers {"changed": {"sms": true, ...}, "consents": [...]}.
Result<nlohmann::ordered_json> set_customer_consents_json(
    Ledger& ledger, std::int64_t customer_id, const std::vector<std::pair<Channel, bool>>& answers,
    std::string_view source, Seconds now, const ConsentPolicy& policy);

// What `customers duplicates --json` prints.
Result<nlohmann::ordered_json> customer_duplicates_json(sqlite::Db& db);

// What `customers merge KEEP OTHER... [--dry-run] --json` prints.
Result<nlohmann::ordered_json> merge_customers_json(Ledger& ledger, std::int64_t keep,
                                                    const std::vector<std::int64_t>& others, bool dry_run,
                                                    const PhoneNormaliser& phones);

}  // namespace regua
