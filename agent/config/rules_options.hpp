#pragma once
// The store's rule settings: [rules] (its own rules file, the default pack and which default rules
// are off), [rules.quiet_hours], [rules.cap] and the links rules may send ([links]).
// docs/config.md lists the keys; docs/rules.md says what the rules do with them.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/rules/frequency_cap.hpp"
#include "local/rules/quiet_hours.hpp"
#include "local/rules/rule_set.hpp"

namespace regua {

struct RulesConfig {
  std::optional<std::filesystem::path> file;  // the store's own rules (TOML); none: the default pack only
  bool default_pack = true;
  std::vector<std::string> disable;  // default rule ids turned off
  Language language = Language::pt_br;
  QuietHours quiet;  // start == end: none
  FrequencyCap cap;  // max 0: none
};

}  // namespace regua
