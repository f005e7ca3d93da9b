#pragma once
// TOML text to a toml++ table, with the limits and messages every Régua file shares (the agent's
// configuration, a store's rules file, HQ's rule packs checked at the hub). toml++ is header-only
// and this touches no file, so the pure core may hold it: the hub validates rule packs with exactly
// the parser and schema the agent applies (local/rules/rule_toml.hpp).

#include <cstdint>
#include <filesystem>
#include <string_view>

#include <toml++/toml.h>

#include "local/core/result.hpp"

namespace regua {

// The most parts a dotted key or table header may have ("a.b.c" has 3). toml++ bounds arrays and
// inline tables (256) but not tables: "[a.a.a...]" nests one table per part, and destroying half a
// million of them (a 1 MiB rule pack) recursed off the stack. No Régua file needs more than 4.
inline constexpr int kMaxTomlKeyParts = 64;

// toml::parse with that bound checked first; errors (ErrorKind::config) name the file, the line
// (and column) and what is wrong: "agent.toml:3:7: not valid TOML: ...".
Result<toml::table> parse_toml_text(std::string_view text, const std::filesystem::path& file);

// "a string", "an integer", ... for messages.
std::string_view describe_type(toml::node_type type);

}  // namespace regua
