#include "local/rules/rule_toml.hpp"

#include <algorithm>
#include <tuple>

#include "local/core/toml_text.hpp"

namespace regua {
namespace {

struct RuleTomlFlattener {
  std::string file;
  RawRule& raw;
  std::vector<std::tuple<std::uint32_t, std::uint32_t, std::string, RawValue>> found;

  [[nodiscard]] std::string origin(const toml::node& node) const {
    return file + ":" + std::to_string(node.source().begin.line);
  }

  void value(const std::string& key, const toml::node& node) {
    RawValue v;
    v.origin = origin(node);
    if (const auto* i = node.as_integer()) {
      v.value = i->get();
    } else if (const auto* b = node.as_boolean()) {
      v.value = b->get();
    } else if (const auto* s = node.as_string()) {
      v.value = s->get();
    } else {
      v.value = RawOther{std::string(describe_type(node.type()))};
    }
    found.emplace_back(node.source().begin.line, node.source().begin.column, key, std::move(v));
  }

  void table(const toml::table& t, const std::string& prefix) {
    for (const auto& [key, node] : t) {
      const std::string name(key.str());
      const bool section = prefix.empty() && std::find(rule_sections().begin(), rule_sections().end(),
                                                       name) != rule_sections().end();
      if (section && node.is_table()) {
        table(*node.as_table(), name + ".");
      } else {
        // Anything else, a nested table included, goes to the schema as is: it names what is wrong.
        value(prefix + name, node);
      }
    }
  }

  void finish() {
    // toml++ keeps keys sorted; the schema reports mistakes in the order they were written.
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    for (auto& [line, column, key, v] : found)
      raw.fields.emplace_back(std::move(key), std::move(v));
  }
};

}  // namespace

Result<std::vector<RawRule>> parse_rule_file(std::string_view text, const std::filesystem::path& file) {
  const std::string name = file.string();
  auto parsed = parse_toml_text(text, file);
  if (!parsed) return parsed.error();
  const toml::table& root = *parsed;
  std::vector<std::string> errors;
  for (const auto& [key, node] : root) {
    if (key.str() == "rule") continue;
    errors.push_back(name + ":" + std::to_string(node.source().begin.line) + ": unknown key \"" +
                     std::string(key.str()) +
                     "\" (a rules file holds only [[rule]] tables; see docs/rules.md)");
  }
  std::vector<RawRule> rules;
  if (const toml::node* node = root.get("rule")) {
    const toml::array* list = node->as_array();
    if (list == nullptr || !list->is_array_of_tables()) {
      errors.push_back(name + ":" + std::to_string(node->source().begin.line) +
                       ": rule must be an array of tables: write each rule as [[rule]]");
    } else {
      int index = 0;
      for (const toml::node& element : *list) {
        ++index;
        RawRule raw;
        raw.label = "[[rule]] #" + std::to_string(index);
        raw.origin = name + ":" + std::to_string(element.source().begin.line);
        RuleTomlFlattener f{name, raw, {}};
        f.table(*element.as_table(), "");
        f.finish();
        rules.push_back(std::move(raw));
      }
    }
  }
  if (!errors.empty()) {
    std::string out;
    for (const auto& e : errors)
      out += (out.empty() ? "" : "\n") + e;
    return make_error(ErrorKind::config, out);
  }
  return rules;
}

}  // namespace regua
