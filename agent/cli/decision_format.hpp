#pragma once
// How `why` and `simulate` print a rule decision: one JSON object (a line of JSON Lines; docs/rules.md
// documents its fields, scripts rely on them) or a few readable lines. Deterministic: the same
// decision always prints the same bytes.

#include <string>

#include <nlohmann/json.hpp>

#include "local/rules/store_zone.hpp"
#include "local/scheduler/decisions.hpp"

namespace regua {

// The POS customer id, or "#N" (the ledger's number) for a customer the POS gave none.
std::string decision_customer(const DecisionView& d);
nlohmann::ordered_json decision_json(const DecisionView& d, const StoreZone& zone);
// "2026-03-01 15:05 -03:00  rating-1h  fired (due): ..." and, indented, what was sent or asked.
std::string decision_text(const DecisionView& d, const StoreZone& zone, bool with_customer);

// One JSON line, as every JSON Lines output of the agent writes it.
std::string json_line(const nlohmann::ordered_json& j);

}  // namespace regua
