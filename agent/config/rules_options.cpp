#include <algorithm>

#include "agent/config/rules_options_reader.hpp"
#include "local/rules/default_pack.hpp"
#include "local/rules/durations.hpp"

namespace regua {
namespace {

bool table_or_error(const toml::table& parent, std::string_view key, std::string_view label,
                    ConfigErrors& errors) {
  if (!parent.contains(key) || parent.get(key)->is_table()) return true;
  errors.add(parent.get(key)->source(), std::string(key) + " must be a table: " + std::string(label));
  return false;
}

void read_quiet_hours(const toml::table* rules, QuietHours& quiet, ConfigErrors& errors) {
  const toml::table* table = rules != nullptr ? (*rules)["quiet_hours"].as_table() : nullptr;
  TomlTable t(table, "[rules.quiet_hours]", errors);
  const auto time = [&](std::string_view key, std::chrono::minutes& into) {
    auto s = t.string(key);
    if (!s) return;
    if (auto m = parse_time_of_day(*s)) {
      into = *m;
    } else {
      t.bad_value(key, "\"" + *s + "\" is not a time of day (write \"HH:MM\", 00:00 to 23:59)");
    }
  };
  time("start", quiet.start);
  time("end", quiet.end);
  if (auto enabled = t.boolean("enabled"); enabled && !*enabled) quiet.end = quiet.start;
  t.reject_unknown_keys();
}

void read_cap(const toml::table* rules, FrequencyCap& cap, ConfigErrors& errors) {
  const toml::table* table = rules != nullptr ? (*rules)["cap"].as_table() : nullptr;
  TomlTable t(table, "[rules.cap]", errors);
  cap.max = static_cast<int>(t.integer("max_messages", 0, 100).value_or(cap.max));
  if (auto days = t.integer("days", 1, 365)) cap.window = std::chrono::days{*days};
  t.reject_unknown_keys();
}

std::string default_ids() {
  std::string out;
  for (const auto id : default_rule_ids())
    out += (out.empty() ? "" : ", ") + std::string(id);
  return out;
}

}  // namespace

void read_rules(const toml::table& root, const std::filesystem::path& base, RulesConfig& rules,
                ConfigErrors& errors) {
  if (!table_or_error(root, "rules", "[rules]", errors)) return;
  const toml::table* table = root["rules"].as_table();
  TomlTable t(table, "[rules]", errors);
  if (auto file = t.string("file")) {
    if (file->empty()) {
      t.bad_value("file", "must not be empty (leave the key out for the default pack only)");
    } else {
      rules.file = config_relative_path(base, *file);
    }
  }
  rules.default_pack = t.boolean("default_pack").value_or(rules.default_pack);
  if (const toml::node* node = t.get("disable")) {
    const toml::array* list = node->as_array();
    if (list == nullptr) {
      t.bad_value("disable", "must be an array of default rule ids, e.g. [\"review-3d\"]");
    } else {
      for (const toml::node& element : *list) {
        const auto* id = element.as_string();
        const auto ids = default_rule_ids();
        if (id == nullptr || std::find(ids.begin(), ids.end(), id->get()) == ids.end()) {
          errors.add(element.source(), "[rules] disable: " +
                                           (id != nullptr ? "\"" + id->get() + "\" is not a default rule"
                                                          : std::string("each entry must be a string")) +
                                           " (default rules: " + default_ids() + ")");
          continue;
        }
        rules.disable.push_back(id->get());
      }
    }
  }
  if (auto language = t.choice("language", {"pt-BR", "en"})) rules.language = *language_from_name(*language);
  rules.holdout_percent = static_cast<int>(t.integer("holdout", 0, 50).value_or(rules.holdout_percent));
  t.allow("quiet_hours");
  t.allow("cap");
  t.reject_unknown_keys();
  if (table != nullptr && table_or_error(*table, "quiet_hours", "[rules.quiet_hours]", errors))
    read_quiet_hours(table, rules.quiet, errors);
  if (table != nullptr && table_or_error(*table, "cap", "[rules.cap]", errors))
    read_cap(table, rules.cap, errors);
}

void read_links(const toml::table& root, StoreLinks& links, ConfigErrors& errors) {
  if (!table_or_error(root, "links", "[links]", errors)) return;
  TomlTable t(root["links"].as_table(), "[links]", errors);
  const auto link = [&](std::string_view key, std::string& into) {
    auto s = t.string(key);
    if (!s) return;
    if (!s->starts_with("https://") && !s->starts_with("http://")) {
      t.bad_value(key, "\"" + *s + "\" is not a web address (write it whole: \"https://...\")");
      return;
    }
    into = *s;
  };
  link("rating_url", links.rating_url);
  link("review_url", links.review_url);
  link("survey_url", links.survey_url);
  t.reject_unknown_keys();
}

void read_consent(const toml::table& root, ConsentPolicy& consent, ConfigErrors& errors) {
  if (!table_or_error(root, "consent", "[consent]", errors)) return;
  TomlTable t(root["consent"].as_table(), "[consent]", errors);
  for (auto [key, into] : {std::pair<std::string_view, ConsentRule*>{"sms", &consent.sms},
                           {"whatsapp", &consent.whatsapp},
                           {"email", &consent.email}}) {
    if (auto rule = t.choice(key, {"opt_out", "opt_in"})) *into = *consent_rule_from_name(*rule);
  }
  t.reject_unknown_keys();
}

}  // namespace regua
