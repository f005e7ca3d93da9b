#include <set>

#include "agent/config/segments_options_reader.hpp"

namespace regua {
namespace {

void read_matrix(const toml::table& root, SegmentsConfig& segments, ConfigErrors& errors) {
  if (root.contains("segments") && !root["segments"].is_table()) {
    errors.add(root.get("segments")->source(), "segments must be a table: [segments]");
    return;
  }
  TomlTable t(root["segments"].as_table(), "[segments]", errors);
  auto& limits = segments.thresholds;
  limits.new_max_purchases =
      static_cast<int>(t.integer("new_max_purchases", 1, 1000).value_or(limits.new_max_purchases));
  limits.promising_max_purchases = static_cast<int>(
      t.integer("promising_max_purchases", 2, 10'000).value_or(limits.promising_max_purchases));
  limits.active_max_days =
      static_cast<int>(t.integer("active_max_days", 0, 3650).value_or(limits.active_max_days));
  limits.slipping_max_days =
      static_cast<int>(t.integer("slipping_max_days", 1, 3660).value_or(limits.slipping_max_days));
  if (auto s = check_thresholds(limits); !s) {
    const bool purchases = limits.promising_max_purchases <= limits.new_max_purchases;
    t.bad_value(purchases ? "promising_max_purchases" : "slipping_max_days", s.error().message);
  }
  if (auto language = t.choice("language", {"pt-BR", "en"}))
    segments.language = *language_from_name(*language);
  segments.refresh_minutes =
      static_cast<int>(t.integer("refresh_minutes", 1, 1440).value_or(segments.refresh_minutes));
  t.reject_unknown_keys();
}

void read_custom(const toml::table& root, SegmentsConfig& segments, ConfigErrors& errors) {
  const toml::node* node = root.get("segment");
  if (node == nullptr) return;
  const toml::array* list = node->as_array();
  if (list == nullptr || !list->is_array_of_tables()) {
    errors.add(node->source(), "segment must be an array of tables: write each one as [[segment]]");
    return;
  }
  std::set<std::string> names;
  int index = 0;
  for (const toml::node& element : *list) {
    ++index;
    TomlTable t(element.as_table(), "[[segment]] #" + std::to_string(index), errors);
    CustomSegment s;
    s.name = t.required_string("name").value_or("");
    s.filter = t.required_string("filter").value_or("");
    s.description = t.string("description").value_or("");
    t.reject_unknown_keys();
    if (s.name.empty() || !element.as_table()->contains("filter")) continue;
    if (auto ok = check_custom_segment(s); !ok) {
      // The message names the segment and the filter's column: only the line is added.
      const bool in_filter = ok.error().message.starts_with("segment \"" + s.name + "\" filter");
      errors.add(element.as_table()->get(in_filter ? "filter" : "name")->source(), ok.error().message);
      continue;
    }
    if (!names.insert(s.name).second) {
      t.bad_value("name", "another [[segment]] is already called \"" + s.name + "\"");
      continue;
    }
    segments.custom.push_back(std::move(s));
  }
}

}  // namespace

void read_segments(const toml::table& root, SegmentsConfig& segments, ConfigErrors& errors) {
  read_matrix(root, segments, errors);
  read_custom(root, segments, errors);
}

}  // namespace regua
