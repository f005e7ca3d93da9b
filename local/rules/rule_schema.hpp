#pragma once
// The one definition of what a rule may say: every field, its type, allowed values and default,
// and the checks that turn a rule as written into a Rule. Sources of rules are thin adapters that
// flatten what they read into a RawRule (dotted keys: "trigger.days", with where each value came
// from) and call build_rule(): the store's TOML file (agent/rules/rule_file.cpp), the embedded
// default pack (default_pack.cpp), later the hub's rule packs. So every source accepts exactly the
// same rules and reports the same mistakes. docs/rules.md documents the fields.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "local/analysis/segment_catalog.hpp"
#include "local/core/result.hpp"
#include "local/rules/rule.hpp"

namespace regua {

enum class RawType { integer, boolean, string };

// What a source had where the schema wanted a plain value (an array, a table, a float...).
struct RawOther {
  std::string type;  // "an array", "a table", ...
};

struct RawValue {
  std::variant<std::int64_t, bool, std::string, RawOther> value;
  std::string origin;  // where it was written, e.g. "rules.toml:12"; prefixes every message about it
};

struct RawRule {
  std::string label;   // how to name it before its id is known: "[[rule]] #3"
  std::string origin;  // where it starts
  std::vector<std::pair<std::string, RawValue>> fields;  // dotted keys, in the source's order
};

struct RuleField {
  std::string_view key;       // "trigger.days"
  RawType type;               //
  std::string_view kinds;     // the trigger or action kinds that take it ("" for every rule)
  std::string_view allowed;   // what values are allowed, as messages and docs say it
  std::string_view fallback;  // the default, as docs say it ("required" when it has none)
  std::string_view meaning;
};
std::span<const RuleField> rule_fields();

// The sub-tables a rule has ("trigger", "action", "guards"): sources flatten them into dotted keys.
std::span<const std::string_view> rule_sections();

struct RuleContext {
  std::span<const CustomSegment> segments;  // the store's [[segment]]s, for trigger.segment
};

// Builds and checks a rule. Every mistake is reported at once (ErrorKind::config), one per line,
// naming where, the rule, the field and what is allowed:
//   rules.toml:14: rule "inactive-15d" trigger.days: 0 is out of range (allowed: 1 to 3650)
Result<Rule> build_rule(const RawRule& raw, const RuleContext& context);

// The maximum lateness a rule gets when it does not say: docs/rules.md explains each.
std::chrono::seconds default_max_lateness(const Trigger& trigger);

// Rule ids: 1 to 64 lower-case letters, digits, '-' or '_'.
bool is_rule_id(std::string_view id);

}  // namespace regua
