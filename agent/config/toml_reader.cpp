#include "agent/config/toml_reader.hpp"

#include <algorithm>

namespace regua {

void ConfigErrors::add(const toml::source_region& where, const std::string& message) {
  messages_.emplace_back(where.begin.line,
                         file_.string() + ":" + std::to_string(where.begin.line) + ": " + message);
}

void ConfigErrors::add(const std::string& message) {
  messages_.emplace_back(0, file_.string() + ": " + message);
}

std::string ConfigErrors::text() const {
  auto sorted = messages_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [line, message] : sorted) {
    if (!out.empty()) out += '\n';
    out += message;
  }
  return out;
}

TomlTable::TomlTable(const toml::table* table, std::string label, ConfigErrors& errors)
    : table_(table), label_(std::move(label)), errors_(errors) {}

const toml::node* TomlTable::find(std::string_view key) {
  known_.emplace(key);
  return table_ != nullptr ? table_->get(key) : nullptr;
}

void TomlTable::wrong_type(std::string_view key, const toml::node& node, std::string_view expected) {
  errors_.add(node.source(), label_ + " " + std::string(key) + " must be " + std::string(expected) +
                                 ", not " + std::string(describe_type(node.type())));
}

void TomlTable::bad_value(std::string_view key, const std::string& why) {
  const toml::node* node = table_ != nullptr ? table_->get(key) : nullptr;
  const std::string message = label_ + " " + std::string(key) + ": " + why;
  if (node != nullptr) {
    errors_.add(node->source(), message);
  } else if (table_ != nullptr) {
    errors_.add(table_->source(), message);
  } else {
    errors_.add(message);
  }
}

std::optional<std::string> TomlTable::string(std::string_view key) {
  const toml::node* node = find(key);
  if (node == nullptr) return std::nullopt;
  if (const auto* s = node->as_string()) return s->get();
  wrong_type(key, *node, "a string");
  return std::nullopt;
}

std::optional<std::string> TomlTable::required_string(std::string_view key) {
  const toml::node* node = table_ != nullptr ? table_->get(key) : nullptr;
  if (node == nullptr) {
    known_.emplace(key);
    if (table_ != nullptr) {
      errors_.add(table_->source(), label_ + " needs " + std::string(key) + " = \"...\"");
    } else {
      errors_.add(label_ + " is missing; it needs " + std::string(key) + " = \"...\"");
    }
    return std::nullopt;
  }
  auto value = string(key);
  if (value && value->empty()) {
    bad_value(key, "must not be empty");
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> TomlTable::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  const toml::node* node = find(key);
  if (node == nullptr) return std::nullopt;
  const auto* v = node->as_integer();
  if (v == nullptr) {
    wrong_type(key, *node, "an integer");
    return std::nullopt;
  }
  if (v->get() < min || v->get() > max) {
    bad_value(key, std::to_string(v->get()) + " is out of range (allowed: " + std::to_string(min) + " to " +
                       std::to_string(max) + ")");
    return std::nullopt;
  }
  return v->get();
}

std::optional<bool> TomlTable::boolean(std::string_view key) {
  const toml::node* node = find(key);
  if (node == nullptr) return std::nullopt;
  if (const auto* b = node->as_boolean()) return b->get();
  wrong_type(key, *node, "true or false");
  return std::nullopt;
}

std::optional<std::string> TomlTable::choice(std::string_view key,
                                             std::initializer_list<std::string_view> allowed) {
  auto value = string(key);
  if (!value) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *value) != allowed.end()) return value;
  std::string list;
  for (const auto a : allowed) {
    if (!list.empty()) list += ", ";
    list += "\"" + std::string(a) + "\"";
  }
  bad_value(key, "\"" + *value + "\" is not allowed (allowed: " + list + ")");
  return std::nullopt;
}

void TomlTable::reject_unknown_keys() {
  if (table_ == nullptr) return;
  std::string allowed;
  for (const auto& k : known_) {
    if (!allowed.empty()) allowed += ", ";
    allowed += k;
  }
  for (const auto& [key, node] : *table_) {
    if (known_.count(key.str()) != 0) continue;
    errors_.add(key.source(), label_ + " has an unknown key \"" + std::string(key.str()) +
                                  "\" (allowed: " + allowed + "; see docs/config.md)");
  }
}

std::filesystem::path config_relative_path(const std::filesystem::path& config_dir, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = config_dir / p;
  return p.lexically_normal();
}

}  // namespace regua
