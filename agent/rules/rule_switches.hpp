#pragma once
// Rules the store turned off from the web app (the automations page), kept in the ledger so that
// they stay off across restarts and whatever file the rules come from (the store's rules file, the
// default pack, HQ's rule pack). `run` applies them to the rules it loads (a switch makes it reload
// its rules, as a new rule pack does); a rule turned off has its pending jobs cancelled `rule_off`.
// Kept as one `ledger_info` entry (`web.rules_off`: a JSON array of rule ids).

#include <string>
#include <string_view>
#include <vector>

#include "agent/rules/store_rules.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

// The rule ids turned off, sorted.
Result<std::vector<std::string>> rules_switched_off(sqlite::Db& db);
// Turns a rule on or off; call inside the caller's transaction. Returns whether it changed.
Result<bool> switch_rule(sqlite::Db& db, std::string_view rule_id, bool running);
// Moves the running rules that are switched off to `rules.off`.
void apply_rule_switches(StoreRules& rules, const std::vector<std::string>& off);

}  // namespace regua
