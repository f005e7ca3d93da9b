#include "agent/config/config.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/asio/ip/address.hpp>
#include <date/tz.h>

#include "agent/config/channels_options_reader.hpp"
#include "agent/config/rules_options_reader.hpp"
#include "agent/config/segments_options_reader.hpp"
#include "agent/config/source_options_reader.hpp"
#include "agent/config/toml_reader.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"

namespace regua {

bool is_store_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

namespace {

void read_store(const toml::table& root, AgentConfig& config, ConfigErrors& errors) {
  TomlTable t(root["store"].as_table(), "[store]", errors);
  if (root.contains("store") && !root["store"].is_table()) {
    errors.add(root.get("store")->source(), "store must be a table: [store]");
    return;
  }
  if (auto id = t.required_string("id")) {
    if (is_store_id(*id)) {
      config.store.id = *id;
    } else {
      t.bad_value("id", "\"" + *id + "\" is not a store id (use 1 to 64 letters, digits, '-' or '_')");
    }
  }
  config.store.name = t.string("name").value_or(config.store.id);
  if (auto tz = t.string("timezone")) config.store.timezone = *tz;
  try {
    config.store.zone = date::locate_zone(config.store.timezone);
  } catch (const std::exception&) {
    t.bad_value("timezone", "\"" + config.store.timezone +
                                "\" is not a known IANA time zone (e.g. America/Sao_Paulo, America/Manaus, "
                                "America/Recife; is the tzdata package installed?)");
  }
  if (auto country = t.string("country")) {
    if (is_phone_region(*country)) {
      config.store.country = *country;
    } else {
      t.bad_value("country", "\"" + *country +
                                 "\" is not a country code for phone numbers (use the two capital letters of "
                                 "ISO 3166-1, e.g. \"BR\", \"PT\", \"AR\")");
    }
  }
  t.reject_unknown_keys();
}

void read_ledger(const toml::table& root, const std::filesystem::path& base, AgentConfig& config,
                 ConfigErrors& errors) {
  TomlTable t(root["ledger"].as_table(), "[ledger]", errors);
  config.ledger.path = config_relative_path(base, t.string("path").value_or("ledger.db"));
  t.reject_unknown_keys();
}

void read_sources(const toml::table& root, const std::filesystem::path& base, AgentConfig& config,
                  ConfigErrors& errors) {
  const toml::node* node = root.get("source");
  if (node == nullptr) {
    errors.add(
        "no [[source]] is configured: add one, e.g. [[source]] kind = \"jsonl\", path = "
        "\"/var/pos/sales.jsonl\"");
    return;
  }
  const toml::array* sources = node->as_array();
  if (sources == nullptr || !sources->is_array_of_tables()) {
    errors.add(node->source(), "source must be an array of tables: write each one as [[source]]");
    return;
  }
  std::set<std::string> names;
  int index = 0;
  for (const toml::node& element : *sources) {
    ++index;
    TomlTable t(element.as_table(), "[[source]] #" + std::to_string(index), errors);
    SourceConfig source;
    const auto kind = t.choice("kind", {"jsonl", "csv", "nfe"});
    if (!kind && !element.as_table()->contains("kind")) t.required_string("kind");
    if (kind) source.kind = *source_kind_from_name(*kind);
    const auto path = t.required_string("path");
    if (path) source.path = config_relative_path(base, *path);
    source.name = t.string("name").value_or(path.value_or(""));
    source.poll_interval_ms = t.integer("poll_interval_ms", 50, 3'600'000).value_or(source.poll_interval_ms);
    read_source_options(*element.as_table(), t, base, kind.value_or(""), source.csv, source.nfe, errors);
    t.reject_unknown_keys();
    if (!source.name.empty() && !names.insert(source.name).second) {
      t.bad_value("name", "another [[source]] already uses the name \"" + source.name +
                              "\" (each source needs its own name: it keys the source's checkpoint)");
    }
    config.sources.push_back(std::move(source));
  }
}

void read_log(const toml::table& root, AgentConfig& config, ConfigErrors& errors) {
  TomlTable t(root["log"].as_table(), "[log]", errors);
  if (auto level = t.choice("level", {"trace", "debug", "info", "warn", "error"})) config.log.level = *level;
  t.reject_unknown_keys();
}

void read_http(const toml::table& root, AgentConfig& config, ConfigErrors& errors) {
  TomlTable t(root["http"].as_table(), "[http]", errors);
  auto& http = config.http;
  http.enabled = t.boolean("enabled").value_or(http.enabled);
  if (auto listen = t.string("listen")) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(*listen, ec);
    if (ec) {
      t.bad_value("listen",
                  "\"" + *listen +
                      "\" is not an IP address (use 127.0.0.1 for this machine only, or the address "
                      "of the network card for LAN access)");
    } else {
      http.listen = *listen;
    }
  }
  http.port = static_cast<int>(t.integer("port", 1, 65535).value_or(http.port));
  if (auto token = t.string("token")) {
    if (token->size() < 16) {
      t.bad_value("token", "is too short: use at least 16 random characters (e.g. `openssl rand -hex 16`)");
    } else {
      http.token = *token;
    }
  }
  if (const char* env = std::getenv("REGUA_HTTP_TOKEN"); env != nullptr && *env != '\0') http.token = env;
  t.reject_unknown_keys();
}

}  // namespace

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::jsonl:
      return "jsonl";
    case SourceKind::csv:
      return "csv";
    case SourceKind::nfe:
      return "nfe";
  }
  return "jsonl";
}

std::optional<SourceKind> source_kind_from_name(std::string_view name) {
  for (const auto kind : {SourceKind::jsonl, SourceKind::csv, SourceKind::nfe}) {
    if (name == source_kind_name(kind)) return kind;
  }
  return std::nullopt;
}

Result<AgentConfig> parse_config(std::string_view text, const std::filesystem::path& file) {
  auto parsed = parse_toml_text(text, file);
  if (!parsed) return parsed.error();
  const toml::table& root = *parsed;

  AgentConfig config;
  config.file = file;
  ConfigErrors errors(file);
  const auto base = std::filesystem::absolute(file).parent_path();
  TomlTable top(&root, "the configuration", errors);
  for (const char* section : {"store", "ledger", "source", "log", "http", "segments", "segment", "rules",
                              "consent", "links", "channels", "sync"})
    top.allow(section);
  top.reject_unknown_keys();
  read_store(root, config, errors);
  read_ledger(root, base, config, errors);
  read_sources(root, base, config, errors);
  read_log(root, config, errors);
  read_http(root, config, errors);
  read_segments(root, config.segments, errors);
  read_rules(root, base, config.rules, errors);
  read_consent(root, config.consent, errors);
  read_links(root, config.links, errors);
  read_channels(root, base, config.ledger.path, config.store.name, config.channels, errors);
  read_sync(root, base, config.store.id, config.sync, errors);
  if (!errors.empty()) return make_error(ErrorKind::config, errors.text());
  return config;
}

Result<AgentConfig> load_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return make_error(ErrorKind::config,
                      "cannot read the configuration file " + file.string() +
                          ": check the path given to --config and that this user may read it");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), file);
}

}  // namespace regua
