#include "local/rules/rule_set.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "local/rules/default_pack.hpp"

namespace regua {
namespace {

std::string default_list() {
  std::string out;
  for (const auto id : default_rule_ids())
    out += (out.empty() ? "" : ", ") + std::string(id);
  return out;
}

bool is_default(std::string_view id) {
  const auto ids = default_rule_ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The first link placeholder the rule uses that the store has not configured.
std::optional<std::string> missing_link(const Rule& rule, const StoreLinks& links) {
  for (const auto& key : rule.placeholders()) {
    const std::string* link = links.find(key);
    if (link != nullptr && link->empty()) return key;
  }
  return std::nullopt;
}

}  // namespace

SmsLength estimated_sms_length(const Rule& rule, const StoreLinks& links, std::string_view store_name) {
  const TemplateValues typical = [&](std::string_view key) -> std::optional<std::string> {
    if (key == "first_name") return "Alessandra";
    if (key == "name") return "Alessandra Cristina Oliveira";
    if (key == "store") return std::string(store_name);
    if (key == "days_since_last") return "180";
    if (key == "purchases") return "12";
    if (key == "last_purchase") return "17/03/2026";
    if (const std::string* link = links.find(key)) return *link;
    return std::nullopt;
  };
  return sms_length(render_template(rule.action.text, typical));
}

std::optional<std::string> sms_length_warning(const Rule& rule, const StoreLinks& links,
                                              std::string_view store_name) {
  if (rule.action.kind != ActionKind::message || rule.action.channel != ContactChannel::sms) return {};
  const SmsLength length = estimated_sms_length(rule, links, store_name);
  if (length.segments <= 1) return {};
  const bool gsm = length.encoding == SmsEncoding::gsm7;
  std::string why = gsm ? std::to_string(length.units) + " GSM-7 characters"
                        : std::to_string(length.units) + " characters in UCS-2, because '" +
                              length.first_non_gsm + "' is not in the GSM-7 alphabet";
  return (rule.action.text_origin.empty() ? rule.origin : rule.action.text_origin) + ": rule \"" + rule.id +
         "\" action.template: each SMS is billed as " + std::to_string(length.segments) + " SMS (" + why +
         " with typical names and links; one SMS holds " +
         (gsm ? "160, or 153 per part" : "70, or 67 per part") + "): shorten the text" +
         (gsm ? "" : " or write it without characters outside GSM-7");
}

const std::string* StoreLinks::find(std::string_view key) const {
  if (key == "rating_url") return &rating_url;
  if (key == "review_url") return &review_url;
  if (key == "survey_url") return &survey_url;
  return nullptr;
}

bool is_toggle(const RawRule& raw) {
  bool has_id = false;
  bool has_enabled = false;
  for (const auto& [key, value] : raw.fields) {
    if (key == "id") {
      has_id = true;
    } else if (key == "enabled") {
      has_enabled = true;
    } else {
      return false;
    }
  }
  return has_id && has_enabled;
}

Result<RuleSet> assemble_rules(const RuleSetOptions& options, const StoreLinks& links) {
  std::vector<std::string> errors;
  for (const auto& id : options.disable) {
    if (!is_default(id)) {
      errors.push_back("[rules] disable: \"" + id +
                       "\" is not a default rule (default rules: " + default_list() + ")");
    }
  }

  std::map<std::string, bool> toggles;
  std::vector<Rule> own;
  std::set<std::string> seen;
  for (const RawRule& raw : options.store_rules) {
    if (is_toggle(raw)) {
      const RawValue* id_value = nullptr;
      const RawValue* enabled = nullptr;
      for (const auto& [key, value] : raw.fields)
        (key == "id" ? id_value : enabled) = &value;
      const auto* id = std::get_if<std::string>(&id_value->value);
      const auto* on = std::get_if<bool>(&enabled->value);
      if (id == nullptr || on == nullptr) {
        errors.push_back(raw.origin + ": " + raw.label + ": id must be a string and enabled true or false");
        continue;
      }
      if (!is_default(*id)) {
        errors.push_back(
            id_value->origin + ": rule \"" + *id +
            "\" has only id and enabled, which turns a default rule on or off, but it is not one "
            "(default rules: " +
            default_list() + "); a rule of the store's own needs a trigger and an action");
        continue;
      }
      if (!seen.insert(*id).second) {
        errors.push_back(id_value->origin + ": rule \"" + *id + "\" is defined twice in the store's rules");
        continue;
      }
      toggles[*id] = *on;
      continue;
    }
    auto rule = build_rule(raw, options.context);
    if (!rule) {
      errors.push_back(rule.error().message);
      continue;
    }
    if (!seen.insert(rule->id).second) {
      errors.push_back(rule->origin + ": rule \"" + rule->id + "\" is defined twice in the store's rules");
      continue;
    }
    if (auto link = missing_link(*rule, links)) {
      errors.push_back(rule->origin + ": rule \"" + rule->id + "\" uses {" + *link + "} but [links] " +
                       *link + " is not set: set it in the configuration");
      continue;
    }
    own.push_back(std::move(*rule));
  }
  if (!errors.empty()) {
    std::string text;
    for (const auto& e : errors)
      text += (text.empty() ? "" : "\n") + e;
    return make_error(ErrorKind::config, text);
  }

  RuleSet set;
  auto pack = default_pack();
  if (!pack) return pack.error();
  for (Rule& rule : *pack) {
    const bool replaced = std::any_of(own.begin(), own.end(), [&](const Rule& r) { return r.id == rule.id; });
    if (replaced) continue;
    bool on = options.default_pack &&
              std::find(options.disable.begin(), options.disable.end(), rule.id) == options.disable.end();
    if (auto t = toggles.find(rule.id); t != toggles.end()) on = t->second;
    if (!on) {
      set.off.push_back(rule.id);
      continue;
    }
    if (auto link = missing_link(rule, links)) {
      set.warnings.push_back("default rule " + rule.id + " is off: its text needs {" + *link +
                             "}; set [links] " + *link +
                             " to turn it on (or turn the rule off in [rules] disable)");
      set.off.push_back(rule.id);
      continue;
    }
    set.rules.push_back(std::move(rule));
  }
  for (Rule& rule : own) {
    if (!rule.enabled) {
      set.off.push_back(rule.id);
      continue;
    }
    if (auto warning = sms_length_warning(rule, links, options.store_name))
      set.warnings.push_back(std::move(*warning));
    set.rules.push_back(std::move(rule));
  }
  return set;
}

}  // namespace regua
