#pragma once
// A rules text in TOML (a store's rules file, or the body of HQ's rule pack): `[[rule]]` tables with
// the sub-tables trigger, action and guards (docs/rules.md). Only an adapter: it flattens each rule
// into a RawRule (dotted keys, each value with its "file:line") and leaves every check to the one
// schema (local/rules/rule_schema.hpp), so every source accepts exactly the same rules. It lives in
// the core so that the hub (cloud/rules/) refuses a pack with the very checks the agent applies.

#include <filesystem>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"
#include "local/rules/rule_schema.hpp"

namespace regua {

// Errors are ErrorKind::config and name `file` (how messages call the text) and the line.
Result<std::vector<RawRule>> parse_rule_file(std::string_view text, const std::filesystem::path& file);

}  // namespace regua
