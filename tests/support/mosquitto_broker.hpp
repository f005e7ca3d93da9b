#pragma once
// A real Mosquitto for a test: the project's own broker configuration (installer/mosquitto/regua.conf
// and its ACL) with TLS and client certificates made by installer/pki.sh, on a loopback port the test
// picks, persistence off. Killed (SIGKILL) and restarted on the same port to play a broker crash;
// stopped when the object goes. Issue 8's tests reuse it.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace regua::test {

// A network's certificates in `dir` (installer/pki.sh): the CA, the broker's, the hub's, one per
// store, and HQ's rule-pack signing key.
struct NetworkPki {
  std::filesystem::path dir;
  std::string network;
  [[nodiscard]] std::filesystem::path ca() const { return dir / "ca.crt"; }
  [[nodiscard]] std::filesystem::path cert(const std::string& store) const {
    return dir / (network + "-" + store + ".crt");
  }
  [[nodiscard]] std::filesystem::path key(const std::string& store) const {
    return dir / (network + "-" + store + ".key");
  }
  [[nodiscard]] std::filesystem::path hub_cert() const { return dir / ("hub-" + network + ".crt"); }
  [[nodiscard]] std::filesystem::path hub_key() const { return dir / ("hub-" + network + ".key"); }
  [[nodiscard]] std::filesystem::path signer_key() const { return dir / ("rules-" + network + ".key"); }
  [[nodiscard]] std::filesystem::path signer_pub() const { return dir / ("rules-" + network + ".pub"); }
};

// Runs installer/pki.sh; ASSERTs inside (use ASSERT_NO_FATAL_FAILURE around it).
void make_network_pki(const NetworkPki& pki, const std::vector<std::string>& stores);

class MosquittoBroker {
 public:
  // Writes the configuration into `dir` and starts the broker; `ok()` says whether it listens.
  MosquittoBroker(std::filesystem::path dir, const NetworkPki& pki);
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url() const { return "ssl://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] const std::filesystem::path& log() const { return log_; }

  // SIGKILL: what a crash looks like to the clients.
  void kill();
  // Starts again on the same port; true when it listens.
  bool restart();

 private:
  bool start();

  std::filesystem::path dir_, config_, log_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  bool ok_ = false;
};

// True when something accepts TCP connections on 127.0.0.1:port.
bool port_listening(int port);

}  // namespace regua::test
