#include "agent/rules/store_rules.hpp"

#include "agent/rules/rule_file.hpp"
#include "agent/rules/tz_store_zone.hpp"

namespace regua {

Result<StoreRules> load_store_rules(const AgentConfig& config,
                                    const std::optional<std::filesystem::path>& rules_file,
                                    const std::optional<PackRules>& pack) {
  RuleSetOptions options;
  options.store_name = config.store.name;
  options.default_pack = config.rules.default_pack;
  options.disable = config.rules.disable;
  options.context.segments = config.segments.custom;
  if (pack) {
    auto raw = parse_rule_file(pack->text, "rule pack version " + std::to_string(pack->version));
    if (!raw) return raw.error();
    options.store_rules = std::move(*raw);
  } else if (const auto file = rules_file ? rules_file : config.rules.file) {
    auto raw = read_rule_file(*file);
    if (!raw) return raw.error();
    options.store_rules = std::move(*raw);
  }
  auto set = assemble_rules(options, config.links);
  if (!set) return set.error();

  StoreRules out;
  out.zone = std::make_unique<TzStoreZone>(*config.store.zone);
  auto& s = out.settings;
  s.rules = std::move(set->rules);
  s.quiet = config.rules.quiet;
  s.cap = config.rules.cap;
  s.store_name = config.store.name;
  s.links = config.links;
  s.thresholds = config.segments.thresholds;
  s.language = config.rules.language;
  s.segments = config.segments.custom;
  s.consent = config.consent;
  s.holdout_percent = config.rules.holdout_percent;
  s.zone = out.zone.get();
  out.warnings = std::move(set->warnings);
  out.off = std::move(set->off);
  return out;
}

}  // namespace regua
