#pragma once
// The agent's configuration: one TOML file (docs/config.md lists every key with its default).
// Relative paths in it are relative to the folder of the file itself, so a store's folder can be
// moved as a whole.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"

namespace date {
class time_zone;
}

namespace regua {

struct StoreConfig {
  std::string id;    // short and stable: letters, digits, '-' and '_'
  std::string name;  // what people read; defaults to the id
  std::string timezone = "America/Sao_Paulo";
  const date::time_zone* zone = nullptr;
};

struct LedgerConfig {
  std::filesystem::path path;
};

enum class SourceKind { jsonl };

struct SourceConfig {
  std::string name;  // the key of its checkpoint; defaults to the path as written
  SourceKind kind = SourceKind::jsonl;
  std::filesystem::path path;
  std::int64_t poll_interval_ms = 1000;  // safety re-scan even when file notifications work
};

struct LogConfig {
  std::string level = "info";
};

struct AgentConfig {
  std::filesystem::path file;  // where it was read from
  StoreConfig store;
  LedgerConfig ledger;
  std::vector<SourceConfig> sources;
  LogConfig log;
};

// Reads and checks a configuration file. Errors are ErrorKind::config with one line per mistake.
Result<AgentConfig> load_config(const std::filesystem::path& file);
// The same from text; `file` names it in messages and anchors relative paths.
Result<AgentConfig> parse_config(std::string_view text, const std::filesystem::path& file);

std::string_view source_kind_name(SourceKind kind);

}  // namespace regua
