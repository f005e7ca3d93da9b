#pragma once
// The store's own rules file (TOML): `[[rule]]` tables with the sub-tables trigger, action and
// guards, as docs/rules.md describes. Reading it is local/rules/rule_toml.hpp's parse_rule_file (the
// hub checks HQ's rule packs with the same adapter and schema), from the file named here.
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
#include "local/rules/rule_toml.hpp"

namespace regua {

// Errors are ErrorKind::config and name the file and line.
Result<std::vector<RawRule>> read_rule_file(const std::filesystem::path& file);

}  // namespace regua
