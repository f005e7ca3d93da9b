#include "agent/config/sync_options.hpp"

#include <cstdlib>

#include "sync/protocol/topics.hpp"

namespace regua {
void read_sync(const toml::table& root, const std::filesystem::path& base, const std::string& store_id,
               std::optional<SyncConfig>& sync_config, ConfigErrors& errors) {
  const toml::node* node = root.get("sync");
  if (node == nullptr) return;
  if (!node->is_table()) {
    errors.add(node->source(), "sync must be a table: [sync]");
    return;
  }
  TomlTable t(node->as_table(), "[sync]", errors);
  SyncConfig config;
  auto& s = config.settings;
  s.store = store_id;
  config.enabled = t.boolean("enabled").value_or(true);
  if (auto url = t.required_string("broker")) {
    if (url->rfind("ssl://", 0) == 0 || url->rfind("mqtts://", 0) == 0) {
      s.url = *url;
    } else {
      t.bad_value("broker", "\"" + *url +
                                "\" is not a TLS URL: write ssl://host:port (the hub's broker only "
                                "takes TLS with a client certificate)");
    }
  }
  if (auto network = t.required_string("network")) {
    if (sync::is_sync_id(*network)) {
      s.network = *network;
    } else {
      t.bad_value("network",
                  "\"" + *network + "\" is not a network id (1 to 64 letters, digits, '-' or '_')");
    }
  }
  if (auto ca = t.required_string("ca")) s.tls.ca = config_relative_path(base, *ca);
  if (auto cert = t.required_string("cert")) s.tls.cert = config_relative_path(base, *cert);
  if (auto key = t.required_string("key")) s.tls.key = config_relative_path(base, *key);
  if (auto rules_key = t.string("rules_key")) s.rules_public_key = config_relative_path(base, *rules_key);
  if (auto pii = t.choice("pii", {"full", "hashed", "none"}))
    s.pii.policy = *sync::pii_policy_from_name(*pii);
  if (auto key = t.string("pii_key")) s.pii.key = *key;
  if (const char* env = std::getenv("REGUA_SYNC_PII_KEY"); env != nullptr && *env != '\0') s.pii.key = env;
  if (s.pii.policy == sync::PiiPolicy::hashed && s.pii.key.size() < 16) {
    if (s.pii.key.empty()) {
      errors.add(
          node->source(),
          "[sync] pii = \"hashed\" needs pii_key: the network's secret (the same in every store of the "
          "network, at least 16 characters, e.g. `openssl rand -hex 32`), or $REGUA_SYNC_PII_KEY");
    } else {
      t.bad_value("pii_key",
                  "is too short: use at least 16 random characters, the same in every store of the network");
    }
  }
  s.limits.window = static_cast<int>(t.integer("window", 1, 256).value_or(s.limits.window));
  s.limits.batch_records =
      static_cast<int>(t.integer("batch_records", 1, 100'000).value_or(s.limits.batch_records));
  if (auto v = t.integer("ack_timeout_s", 1, 3600)) s.limits.ack_timeout = std::chrono::seconds(*v);
  if (auto v = t.integer("heartbeat_s", 1, 86'400)) s.heartbeat_every = std::chrono::seconds(*v);
  s.outbox_max_records = t.integer("outbox_max_records", 1000, 1'000'000'000).value_or(s.outbox_max_records);
  if (auto v = t.integer("reconnect_min_ms", 10, 3'600'000)) s.reconnect_min = std::chrono::milliseconds(*v);
  if (auto v = t.integer("reconnect_max_ms", 10, 86'400'000)) s.reconnect_max = std::chrono::milliseconds(*v);
  if (auto v = t.integer("initial_delay_max_ms", 0, 3'600'000))
    s.initial_spread = std::chrono::milliseconds(*v);
  if (auto v = t.integer("keep_alive_s", 5, 3600)) s.keep_alive = std::chrono::seconds(*v);
  if (s.reconnect_max < s.reconnect_min) {
    t.bad_value("reconnect_max_ms", "must not be below reconnect_min_ms");
  }
  t.reject_unknown_keys();
  sync_config = std::move(config);
}

}  // namespace regua
