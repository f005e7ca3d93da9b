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
  std::string store_name = {};  // for {store} when an SMS's length is estimated
};

struct RuleSet {
  std::vector<Rule> rules;  // enabled and runnable, default pack first, then the store's
  // Default rules left off and why; the store's SMS rules whose text needs more than one SMS.
  std::vector<std::string> warnings;
  std::vector<std::string> off;  // ids of rules defined but not running
};

Result<RuleSet> assemble_rules(const RuleSetOptions& options, const StoreLinks& links);

// What an SMS rule's text costs with typical values (a 10-letter first name, a 28-letter full
// name, the store's name and links as configured, 3-digit counts, a date), so that a store learns
// at load time that every send is billed as several SMS. The warning names where the text was
// written, the rule and the field; nullopt when the rule is no SMS or fits one.
SmsLength estimated_sms_length(const Rule& rule, const StoreLinks& links, std::string_view store_name);
std::optional<std::string> sms_length_warning(const Rule& rule, const StoreLinks& links,
                                              std::string_view store_name);

// Whether a raw rule is a toggle (only `id` and `enabled`).
bool is_toggle(const RawRule& raw);

}  // namespace regua
