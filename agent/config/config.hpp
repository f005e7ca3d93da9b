#pragma once
// The agent's configuration: one TOML file (docs/config.md lists every key with its default).
// Relative paths in it are relative to the folder of the file itself, so a store's folder can be
// moved as a whole.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/channels_options.hpp"
#include "agent/config/rules_options.hpp"
#include "agent/config/segments_options.hpp"
#include "agent/config/source_options.hpp"
#include "agent/config/sync_options.hpp"
#include "local/core/result.hpp"

namespace date {
class time_zone;
}

namespace regua {

struct StoreConfig {
  std::string id;    // short and stable: letters, digits, '-' and '_'
  std::string name;  // what people read; defaults to the id
  std::string timezone = "America/Sao_Paulo";
  std::string country = "BR";  // ISO 3166-1 alpha-2: the region of phone numbers written without +CC
  const date::time_zone* zone = nullptr;
};

struct LedgerConfig {
  std::filesystem::path path;
};

enum class SourceKind { jsonl, csv, nfe };

struct SourceConfig {
  std::string name;  // the key of its checkpoint; defaults to the path as written
  SourceKind kind = SourceKind::jsonl;
  std::filesystem::path path;            // the file followed; for kind nfe, the folder watched
  std::int64_t poll_interval_ms = 1000;  // safety re-scan even when file notifications work
  CsvOptions csv;                        // kind csv: [source.csv] and [source.columns]
  NfeOptions nfe;                        // kind nfe: [source.nfe]
};

struct LogConfig {
  std::string level = "info";
};

// The agent's local HTTP server: POS event ingest now, the store's web app later.
struct HttpConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1";  // localhost only unless the store opts in to LAN access
  int port = 8610;
  std::string token;  // bearer token for the API and the web app's sign-in; $REGUA_HTTP_TOKEN overrides
};

struct AgentConfig {
  std::filesystem::path file;  // where it was read from
  StoreConfig store;
  LedgerConfig ledger;
  std::vector<SourceConfig> sources;
  LogConfig log;
  HttpConfig http;
  SegmentsConfig segments;         // [segments] and [[segment]]
  RulesConfig rules;               // [rules], [rules.quiet_hours], [rules.cap]
  ConsentPolicy consent;           // [consent]
  StoreLinks links;                // [links]
  ChannelsConfig channels;         // [channels] and its providers
  std::optional<SyncConfig> sync;  // [sync]; none: the store does not sync
};

// Reads and checks a configuration file. Errors are ErrorKind::config with one line per mistake.
Result<AgentConfig> load_config(const std::filesystem::path& file);
// The same from text; `file` names it in messages and anchors relative paths.
Result<AgentConfig> parse_config(std::string_view text, const std::filesystem::path& file);

// A store id: 1 to 64 letters, digits, '-' and '_' (it names topics, files and certificates).
bool is_store_id(std::string_view id);

std::string_view source_kind_name(SourceKind kind);
std::optional<SourceKind> source_kind_from_name(std::string_view name);

}  // namespace regua
