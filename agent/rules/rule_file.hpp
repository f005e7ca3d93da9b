#pragma once
// The store's own rules file (TOML): `[[rule]]` tables with the sub-tables trigger, action and
// guards, as docs/rules.md describes. This is only an adapter: it flattens each rule into a RawRule
// (dotted keys, each value with its "file:line") and leaves every check to the one schema
// (local/rules/rule_schema.hpp), so the file accepts exactly what the other rule sources accept.
//
//   [[rule]]
//   id = "inactive-15d"
//   trigger = { kind = "days_without_purchase", days = 20 }
//   [rule.action]
//   kind = "message"
//   channel = "sms"
//   template = "Oi{?, {first_name}}! Sentimos sua falta na {store}."

#include <filesystem>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"
#include "local/rules/rule_schema.hpp"

namespace regua {

// Errors are ErrorKind::config and name the file and line.
Result<std::vector<RawRule>> read_rule_file(const std::filesystem::path& file);
// The same from text; `file` names it in messages.
Result<std::vector<RawRule>> parse_rule_file(std::string_view text, const std::filesystem::path& file);

}  // namespace regua
