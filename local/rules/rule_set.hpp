#pragma once
// The rules a store runs: the default pack (unless turned off as a whole or rule by rule), the
// store's own rules (a store rule with a default rule's id replaces it), and toggles (an entry with
// only `id` and `enabled` turns a default rule on or off). A rule whose text needs a link the store
// has not configured is an error for the store's own rules, and leaves a default rule off with a
// warning that says which key to set.

#include <string>
#include <vector>

#include "local/core/result.hpp"
#include "local/rules/rule.hpp"
#include "local/rules/rule_schema.hpp"

namespace regua {

// Links rules may use ({rating_url}, ...); empty when the store has none.
struct StoreLinks {
  std::string rating_url, review_url, survey_url;
  [[nodiscard]] const std::string* find(std::string_view key) const;
};

struct RuleSetOptions {
  bool default_pack = true;
  std::vector<std::string> disable;  // default rule ids turned off
  std::vector<RawRule> store_rules;  // as read from the store's file, in its order
  RuleContext context;
};

struct RuleSet {
  std::vector<Rule> rules;            // enabled and runnable, default pack first, then the store's
  std::vector<std::string> warnings;  // rules left off and why
  std::vector<std::string> off;       // ids of rules defined but not running
};

Result<RuleSet> assemble_rules(const RuleSetOptions& options, const StoreLinks& links);

// Whether a raw rule is a toggle (only `id` and `enabled`).
bool is_toggle(const RawRule& raw);

}  // namespace regua
