#pragma once
// The default rule pack, embedded in the binary: the five rules of seed 000 (rating-1h, review-3d,
// inactive-15d, inactive-180d, loyal-quiet-30d) and what seed 002 adds that fits a physical store
// (welcome, birthday, survey-3rd), with texts in Portuguese for real customers. Written in the
// schema's raw form and built through it, like any other rule. On unless the store turns a rule
// off; docs/rules.md lists them. The ids never change: stores and HQ refer to them.

#include <span>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"
#include "local/rules/rule.hpp"
#include "local/rules/rule_schema.hpp"

namespace regua {

std::span<const std::string_view> default_rule_ids();
std::vector<RawRule> default_pack_raw();
// Built and checked; an error here is a bug of the pack itself.
Result<std::vector<Rule>> default_pack();

}  // namespace regua
