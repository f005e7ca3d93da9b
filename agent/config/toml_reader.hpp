#pragma once
// Reads TOML tables against the keys the configuration knows, so that every mistake (an unknown
// key, a wrong type, a bad value) becomes one readable line naming the file, the line and the key,
// and saying what is allowed. All mistakes of a file are reported at once.

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "local/core/result.hpp"
#include "local/core/toml_text.hpp"

namespace regua {

class ConfigErrors {
 public:
  explicit ConfigErrors(std::filesystem::path file) : file_(std::move(file)) {}

  void add(const toml::source_region& where, const std::string& message);
  void add(const std::string& message);  // a mistake with no line (a missing section)
  [[nodiscard]] bool empty() const { return messages_.empty(); }
  // One message per line, in file order.
  [[nodiscard]] std::string text() const;

 private:
  std::filesystem::path file_;
  std::vector<std::pair<std::uint32_t, std::string>> messages_;
};

class TomlTable {
 public:
  // `label` names the table in messages: "[store]", "[[source]] #2".
  TomlTable(const toml::table* table, std::string label, ConfigErrors& errors);

  std::optional<std::string> string(std::string_view key);
  std::optional<std::string> required_string(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(std::string_view key);
  // A string that must be one of `allowed`.
  std::optional<std::string> choice(std::string_view key, std::initializer_list<std::string_view> allowed);

  // Marks `key` as known without reading it (a sub-table read by its own TomlTable).
  void allow(std::string_view key) { known_.emplace(key); }
  // The raw value of `key` (marked as known), for values of more than one type; null when absent.
  const toml::node* get(std::string_view key) { return find(key); }

  // Reports a bad value of `key` at its line.
  void bad_value(std::string_view key, const std::string& why);

  // Reports every key of the table that was not read. Call after reading all known keys.
  void reject_unknown_keys();

  [[nodiscard]] const std::string& label() const { return label_; }

 private:
  const toml::node* find(std::string_view key);
  void wrong_type(std::string_view key, const toml::node& node, std::string_view expected);

  const toml::table* table_;
  std::string label_;
  ConfigErrors& errors_;
  std::set<std::string, std::less<>> known_;
};

// A path written in a configuration file: relative paths are relative to the file's folder, so a
// store's folder can be moved or copied whole.
std::filesystem::path config_relative_path(const std::filesystem::path& config_dir, const std::string& path);

}  // namespace regua
