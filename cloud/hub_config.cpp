#include "cloud/hub_config.hpp"

#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include <toml++/toml.h>

#include "sync/protocol/topics.hpp"

namespace regua::hub {
namespace {

// Reads one table against the keys it may have; every mistake is one line with file:line.
class HubTable {
 public:
  HubTable(const toml::table& root, std::string name, const std::filesystem::path& file, std::string& errors)
      : table_(root[name].as_table()), name_(std::move(name)), file_(file), errors_(errors) {
    if (root.contains(name_) && table_ == nullptr)
      add(root.get(name_)->source(), "must be a table: [" + name_ + "]");
  }

  std::optional<std::string> string(std::string_view key, bool required) {
    known_.insert(std::string(key));
    const toml::node* node = table_ != nullptr ? table_->get(key) : nullptr;
    if (node == nullptr) {
      if (required && table_ != nullptr) {
        add(table_->source(), std::string(key) + " is required");
      } else if (required) {
        errors_ += file_.string() + ": [" + name_ + "] " + std::string(key) + " is required\n";
      }
      return std::nullopt;
    }
    if (!node->is_string()) {
      add(node->source(), std::string(key) + " must be a string");
      return std::nullopt;
    }
    return node->as_string()->get();
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) {
    known_.insert(std::string(key));
    const toml::node* node = table_ != nullptr ? table_->get(key) : nullptr;
    if (node == nullptr) return std::nullopt;
    if (!node->is_integer() || node->as_integer()->get() < min || node->as_integer()->get() > max) {
      add(node->source(), std::string(key) + " must be an integer from " + std::to_string(min) + " to " +
                              std::to_string(max));
      return std::nullopt;
    }
    return node->as_integer()->get();
  }

  // An array of strings; each element is checked by `valid` (its complaint names the key).
  std::vector<std::string> string_list(std::string_view key, bool (*valid)(std::string_view),
                                       const std::string& allowed) {
    known_.insert(std::string(key));
    const toml::node* node = table_ != nullptr ? table_->get(key) : nullptr;
    std::vector<std::string> out;
    if (node == nullptr) return out;
    const auto* list = node->as_array();
    if (list == nullptr) {
      add(node->source(), std::string(key) + " must be an array of strings, e.g. [\"hq.example.com\"]");
      return out;
    }
    for (const auto& item : *list) {
      if (!item.is_string() || !valid(item.as_string()->get())) {
        add(item.source(), std::string(key) + ": each element must be " + allowed);
        continue;
      }
      out.push_back(item.as_string()->get());
    }
    return out;
  }

  void bad(std::string_view key, const std::string& why) {
    const toml::node* node = table_ != nullptr ? table_->get(key) : nullptr;
    if (node != nullptr) add(node->source(), std::string(key) + ": " + why);
  }

  void reject_unknown() {
    if (table_ == nullptr) return;
    for (const auto& [key, node] : *table_) {
      if (!known_.contains(std::string(key.str()))) {
        add(node.source(), "unknown key " + std::string(key.str()) + " (see docs/hub.md for the hub's keys)");
      }
    }
  }

 private:
  void add(const toml::source_region& where, const std::string& message) {
    errors_ +=
        file_.string() + ":" + std::to_string(where.begin.line) + ": [" + name_ + "] " + message + "\n";
  }

  const toml::table* table_;
  std::string name_;
  const std::filesystem::path& file_;
  std::string& errors_;
  std::set<std::string> known_;
};

std::filesystem::path relative_to(const std::filesystem::path& base, const std::string& path) {
  std::filesystem::path p(path);
  return (p.is_relative() ? base / p : p).lexically_normal();
}

// A DNS name a browser may put in the Host header: labels of letters, digits and '-', 1 to 253
// characters, lower case (as hosts compare).
bool is_api_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || ++label > 63) return false;
  }
  return true;
}

// "host:port" or "[v6]:port", port 1..65535: where [api] and [enrolment] listen.
std::optional<std::pair<std::string, int>> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  auto host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;
  }
  int port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return std::nullopt;
    port = port * 10 + (c - '0');
  }
  if (port < 1 || port > 65535) return std::nullopt;
  return std::pair{std::string(host), port};
}

}  // namespace

Result<HubConfig> load_hub_config(const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    return make_error(ErrorKind::config, file.string() + ":" + std::to_string(e.source().begin.line) +
                                             ": not valid TOML: " + std::string(e.description()));
  }
  HubConfig config;
  config.file = file;
  const auto base = std::filesystem::absolute(file).parent_path();
  std::string errors;
  for (const auto& [key, node] : root) {
    const std::string k(key.str());
    if (k != "hub" && k != "broker" && k != "rules" && k != "api" && k != "enrolment") {
      errors += file.string() + ":" + std::to_string(node.source().begin.line) + ": unknown section " + k +
                " (the hub reads [hub], [broker], [rules], [api] and [enrolment])\n";
    }
  }
  HubTable hub(root, "hub", file, errors);
  if (auto network = hub.string("network", true)) {
    if (sync::is_sync_id(*network)) {
      config.network = *network;
    } else {
      hub.bad("network", "\"" + *network + "\" is not a network id (1 to 64 letters, digits, '-' or '_')");
    }
  }
  if (auto storage = hub.string("storage", false)) {
    if (*storage == "postgresql") {
      config.storage = HubStorage::postgresql;
    } else if (*storage != "sqlite") {
      hub.bad("storage", "\"" + *storage + "\" is not a storage: use \"sqlite\" or \"postgresql\"");
    }
  }
  config.database = relative_to(base, hub.string("database", false).value_or("hub.db"));
  if (auto conninfo = hub.string("postgresql", false)) config.postgresql = *conninfo;
  if (config.storage == HubStorage::postgresql && config.postgresql.empty()) {
    errors += file.string() +
              ": [hub] storage = \"postgresql\" needs postgresql = \"host=... dbname=... user=...\" (a libpq "
              "connection string; keep the password in PGPASSWORD or a passfile)\n";
  }
  if (auto group = hub.string("share_group", false)) {
    if (group->empty() || sync::is_sync_id(*group)) {
      config.share_group = *group;
    } else {
      hub.bad("share_group", "use letters, digits, '-' or '_' (or \"\" for a plain subscription)");
    }
  }
  if (auto ms = hub.integer("resend_after_ms", 100, 600'000))
    config.resend_after = std::chrono::milliseconds(*ms);
  if (auto s = hub.integer("order_resend_s", 1, 86'400)) config.order_resend = std::chrono::seconds(*s);
  if (auto s = hub.integer("stats_every_s", 1, 86'400)) config.stats_every = std::chrono::seconds(*s);
  if (auto s = hub.integer("silent_after_s", 60, 30 * 86'400)) config.silent_after = std::chrono::seconds(*s);
  hub.reject_unknown();

  HubTable broker(root, "broker", file, errors);
  if (auto url = broker.string("url", true)) {
    if (url->rfind("ssl://", 0) == 0 || url->rfind("mqtts://", 0) == 0) {
      config.url = *url;
    } else {
      broker.bad("url",
                 "\"" + *url + "\" is not a TLS URL: write ssl://host:port (the broker only speaks TLS)");
    }
  }
  if (auto ca = broker.string("ca", true)) config.tls.ca = relative_to(base, *ca);
  if (auto cert = broker.string("cert", true)) config.tls.cert = relative_to(base, *cert);
  if (auto key = broker.string("key", true)) config.tls.key = relative_to(base, *key);
  broker.reject_unknown();

  HubTable rules(root, "rules", file, errors);
  if (auto key = rules.string("signing_key", false)) config.signing_key = relative_to(base, *key);
  rules.reject_unknown();

  if (root.contains("enrolment")) {
    HubTable enrolment(root, "enrolment", file, errors);
    EnrolmentConfig e;
    if (auto listen = enrolment.string("listen", true)) {
      if (auto address = parse_listen_address(*listen)) {
        e.host = address->first;
        e.port = address->second;
      } else {
        enrolment.bad("listen",
                      "\"" + *listen + "\" is not HOST:PORT (e.g. \"0.0.0.0:8443\", \"[::]:8443\")");
      }
    }
    if (auto cert = enrolment.string("cert", true)) e.cert = relative_to(base, *cert);
    if (auto key = enrolment.string("key", true)) e.key = relative_to(base, *key);
    if (auto ca_cert = enrolment.string("ca_cert", true)) e.ca_cert = relative_to(base, *ca_cert);
    if (auto ca_key = enrolment.string("ca_key", true)) e.ca_key = relative_to(base, *ca_key);
    if (auto days = enrolment.integer("cert_days", 1, 3650)) e.cert_days = static_cast<int>(*days);
    enrolment.reject_unknown();
    config.enrolment = std::move(e);
  }
  HubTable api(root, "api", file, errors);
  const bool api_wanted = root.contains("api");
  if (auto listen = api.string("listen", api_wanted)) {
    if (auto where = parse_listen_address(*listen)) {
      config.api.host = where->first;
      config.api.port = where->second;
    } else {
      api.bad("listen", "\"" + *listen + "\" is not host:port (e.g. \"127.0.0.1:8620\", \"[::1]:8620\")");
    }
  }
  if (auto cert = api.string("cert", api_wanted)) config.api.cert = relative_to(base, *cert);
  if (auto key = api.string("key", api_wanted)) config.api.key = relative_to(base, *key);
  config.api.host_names = api.string_list("host_names", is_api_host_name,
                                          "a DNS name in lower case (letters, digits, '-' and dots)");
  api.reject_unknown();

  if (!errors.empty()) {
    errors.pop_back();
    return make_error(ErrorKind::config, errors);
  }
  return config;
}

}  // namespace regua::hub
