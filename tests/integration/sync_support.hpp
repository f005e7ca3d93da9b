#pragma once
// A franchise network on this machine for the sync tests: certificates made by installer/pki.sh,
// a real Mosquitto with TLS and the project's ACL, the real regua-hub, and stores running the real
// regua-agent with a [sync] section. Every wait is on a condition, with a generous limit.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sync/mqtt_link.hpp"
#include "tests/support/agent_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/sync_reconcile.hpp"
#include "tests/support/temp_dir.hpp"

namespace regua::test {

inline const std::string kHubBinary = REGUA_HUB_BIN;
inline constexpr const char* kNetwork = "rede";

// Waits for `ready`, looking every 50 ms, at most `limit`.
inline bool wait_until(const std::function<bool()>& ready,
                       std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ready();
}

class SyncNetwork {
 public:
  explicit SyncNetwork(const std::vector<std::string>& stores) : pki_{dir / "pki", kNetwork} {
    make_network_pki(pki_, stores);
    hub_config = dir / "hub.toml";
    hub_db = dir / "hub.db";
  }

  // Starts the broker; ASSERT on ok() after.
  MosquittoBroker& start_broker() {
    broker = std::make_unique<MosquittoBroker>(dir / "broker", pki_);
    write_hub_config();
    return *broker;
  }

  void write_hub_config(int port = 0) {
    const auto p = port != 0 ? port : broker->port();
    write_file(hub_config, "[hub]\nnetwork = \"" + std::string(kNetwork) +
                               "\"\ndatabase = \"hub.db\"\nresend_after_ms = 300\norder_resend_s = 2\n" +
                               hub_keys +
                               "\n[broker]\n"
                               "url = \"ssl://127.0.0.1:" +
                               std::to_string(p) + "\"\nca = \"" + pki_.ca().string() + "\"\ncert = \"" +
                               pki_.hub_cert().string() + "\"\nkey = \"" + pki_.hub_key().string() +
                               "\"\n\n[rules]\nsigning_key = \"" + pki_.signer_key().string() + "\"\n");
  }

  std::unique_ptr<ChildProcess> start_hub(const std::string& log = "hub.log") {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{kHubBinary, "run", "--config", hub_config.string()}, dir / log);
  }

  CommandResult hub_command(std::vector<std::string> args) const {
    args.insert(args.begin(), kHubBinary);
    args.push_back("--config");
    args.push_back(hub_config.string());
    return run_command(args);
  }

  // The hub's row for `store` in `regua-hub status --json`; null when none yet.
  nlohmann::json hub_store(const std::string& store) const {
    auto r = hub_command({"status", "--json"});
    if (r.exit_code != 0) return nullptr;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_object()) return nullptr;
    for (const auto& s : j["stores"]) {
      if (s["store"] == store) return s;
    }
    return nullptr;
  }

  std::int64_t hub_parked() const {
    auto r = hub_command({"status", "--json"});
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j.value("parked", std::int64_t{-1}) : -1;
  }

  // Adds [sync] to a store's configuration: quick timers so that a test sees recoveries in seconds.
  void join(AgentStore& store, const std::string& id, int port = 0) const {
    const auto p = port != 0 ? port : broker->port();
    append_file(store.config,
                "\n[sync]\nbroker = \"ssl://127.0.0.1:" + std::to_string(p) + "\"\nnetwork = \"" + kNetwork +
                    "\"\nca = \"" + pki_.ca().string() + "\"\ncert = \"" + pki_.cert(id).string() +
                    "\"\nkey = \"" + pki_.key(id).string() + "\"\nrules_key = \"" +
                    pki_.signer_pub().string() +
                    "\"\npii = \"hashed\"\npii_key = \"test-network-secret-0001\"\n"
                    "ack_timeout_s = 3\nheartbeat_s = 2\nreconnect_min_ms = 100\n"
                    "reconnect_max_ms = 1500\ninitial_delay_max_ms = 100\nbatch_records = 500\n");
  }

  // A client with a store's (or, with "hub", the hub's) certificate.
  std::unique_ptr<sync::MqttLink> client(const std::string& who) const {
    sync::LinkOptions o;
    o.url = broker->url();
    o.client_id = "test-" + who + "-" + std::to_string(::getpid()) + "-" + std::to_string(++clients_);
    o.tls = who == "hub" ? sync::TlsFiles{pki_.ca(), pki_.hub_cert(), pki_.hub_key()}
                         : sync::TlsFiles{pki_.ca(), pki_.cert(who), pki_.key(who)};
    auto link = sync::MqttLink::create(o);
    EXPECT_TRUE(link.ok()) << (link.ok() ? "" : link.error().message);
    if (!link.ok()) return nullptr;
    auto s = (*link)->connect();
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return std::move(*link);
  }

  [[nodiscard]] const NetworkPki& pki() const { return pki_; }

  TempDir dir;
  std::filesystem::path hub_config, hub_db;
  std::string hub_keys;  // more [hub] lines ("key = value\n"), e.g. PostgreSQL storage
  std::unique_ptr<MosquittoBroker> broker;

 private:
  NetworkPki pki_;
  mutable int clients_ = 0;
};

// POS lines: sale S-<n> of customer C-<n % customers> (or anonymous), at `when`.
inline std::string pos_sale(int n, const std::string& when, int customers = 50) {
  const int c = n % (customers + 1);
  std::string line = R"({"type":"sale","id":"S-)" + std::to_string(n) + R"(","ts":")" + when +
                     R"(","total":")" + std::to_string(10 + n % 90) + ".90\"";
  if (c != customers) {
    line += R"(,"customer":{"id":"C-)" + std::to_string(c) + R"(","name":"Cliente )" + std::to_string(c) +
            R"(","phone":"(11) 9)" + std::to_string(8000'0000 + c).substr(0, 4) + "-" +
            std::to_string(8000'0000 + c).substr(4) + "\"}";
  }
  return line + "}\n";
}

inline std::string pos_cancel(int n, const std::string& when) {
  return R"({"type":"cancel","id":"S-)" + std::to_string(n) + R"(","ts":")" + when + "\"}\n";
}

}  // namespace regua::test
