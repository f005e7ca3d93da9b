#pragma once
// Reads [rules] (with [rules.quiet_hours] and [rules.cap]) and [links] with the same
// strictness as the rest of the configuration. The rules file itself is read when a command needs
// the rules (agent/rules/store_rules.hpp), so that `status` still works while it has a mistake.

#include <filesystem>

#include <toml++/toml.h>

#include "agent/config/rules_options.hpp"
#include "agent/config/toml_reader.hpp"

namespace regua {

// `base` anchors relative paths.
void read_rules(const toml::table& root, const std::filesystem::path& base, RulesConfig& rules,
                ConfigErrors& errors);
void read_links(const toml::table& root, StoreLinks& links, ConfigErrors& errors);
}  // namespace regua
