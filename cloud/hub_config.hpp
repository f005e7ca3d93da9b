#pragma once
// The hub's configuration: one TOML file (docs/sync.md has an example and every key).
//
//   [hub]
//   network = "demo"             # the franchise network it serves (its certificate's CN is hub:demo)
//   storage = "sqlite"           # or "postgresql" (several replicas on one database)
//   database = "hub.db"          # SQLite (relative paths are relative to this file)
//   postgresql = "host=127.0.0.1 port=5432 dbname=regua_hub user=regua_hub"   # libpq conninfo
//   share_group = "regua-hub"    # MQTT v5 shared subscription group ("": a plain subscription)
//   [broker]
//   url = "ssl://127.0.0.1:8883"
//   ca = "pki/ca.crt"
//   cert = "pki/hub-demo.crt"
//   key = "pki/hub-demo.key"
//   [rules]
//   signing_key = "pki/rules-demo.key"   # HQ's Ed25519 key: signs rule packs and orders
//   [api]                        # the HQ HTTPS API (docs/hub-api.md); off without [api]
//   listen = "127.0.0.1:8620"
//   cert = "pki/hub-api.crt"
//   key = "pki/hub-api.key"
//   host_names = ["hq.example.com"]   # the names browsers open the dashboard by
//   [enrolment]                  # optional: the stores' enrolment endpoint (HTTPS, docs/sync.md)
//   listen = "0.0.0.0:8443"
//   cert = "pki/enrolment.crt"   # the endpoint's TLS certificate, signed by ca_cert
//   key = "pki/enrolment.key"
//   ca_cert = "pki/ca.crt"       # the network CA: signs the stores' certificates, pinned by tokens
//   ca_key = "pki/ca.key"
//   cert_days = 825              # how long a store's certificate lasts

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "local/core/result.hpp"
#include "sync/mqtt_link.hpp"

namespace regua::hub {

enum class HubStorage { sqlite, postgresql };

// [enrolment]: the HTTPS endpoint where stores trade a one-time token and a CSR for a certificate.
struct EnrolmentConfig {
  std::string host;  // the address to listen on ("0.0.0.0", "127.0.0.1", "::")
  int port = 0;
  std::filesystem::path cert, key;        // the endpoint's TLS certificate and key
  std::filesystem::path ca_cert, ca_key;  // the network CA
  int cert_days = 825;
};

// The HQ API's HTTPS listener ([api]); `port` 0: off.
struct HubApiConfig {
  std::string host;
  int port = 0;
  std::filesystem::path cert, key;  // PEM, relative to the configuration file
  // The names browsers reach the dashboard by (its pages refuse any other Host: DNS rebinding);
  // localhost and IP addresses are always accepted.
  std::vector<std::string> host_names;
  [[nodiscard]] bool enabled() const { return port != 0; }
};

struct HubConfig {
  std::filesystem::path file;
  std::string network;
  HubStorage storage = HubStorage::sqlite;
  std::filesystem::path database;  // storage sqlite
  std::string postgresql;          // storage postgresql: a libpq connection string or URI
  std::string share_group = "regua-hub";
  std::string url;
  sync::TlsFiles tls;
  std::filesystem::path signing_key;
  std::chrono::milliseconds resend_after{2'000};  // a hole older than this is asked for again
  std::chrono::seconds order_resend{30};          // an order not confirmed is sent again after this
  std::chrono::seconds silent_after{900};         // a store not heard from for longer is flagged silent
  std::chrono::seconds stats_every{60};           // the log's summary of what was stored, at most this often
  std::optional<EnrolmentConfig> enrolment;       // none: `run` serves no enrolment endpoint
  HubApiConfig api;
};

// Errors are ErrorKind::config, one line per mistake, naming the file, line and key.
Result<HubConfig> load_hub_config(const std::filesystem::path& file);

}  // namespace regua::hub
