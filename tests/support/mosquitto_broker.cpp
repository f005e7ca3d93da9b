#include "tests/support/mosquitto_broker.hpp"

#include <chrono>
#include <thread>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

namespace regua::test {
namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string mosquitto_program() {
  for (const char* candidate : {"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  return "/usr/sbin/mosquitto";
}

std::string current_user() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw != nullptr ? pw->pw_name : "root";
}

}  // namespace

bool port_listening(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

void make_network_pki(const NetworkPki& pki, const std::vector<std::string>& stores) {
  const std::string script = std::string(REGUA_SOURCE_DIR) + "/installer/pki.sh";
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"/bin/bash", script});
    const auto r = run_command(args);
    ASSERT_EQ(r.exit_code, 0) << "pki.sh " << args[2] << ": " << r.err;
  };
  run({"ca", pki.dir.string()});
  run({"broker", pki.dir.string(), "localhost", "127.0.0.1"});
  run({"hub", pki.dir.string(), pki.network});
  run({"signer", pki.dir.string(), pki.network});
  for (const auto& store : stores)
    run({"store", pki.dir.string(), pki.network, store});
}

MosquittoBroker::MosquittoBroker(std::filesystem::path dir, const NetworkPki& pki)
    : dir_(std::move(dir)), config_(dir_ / "mosquitto.conf"), log_(dir_ / "mosquitto.log") {
  const std::string installer = std::string(REGUA_SOURCE_DIR) + "/installer/mosquitto/";
  const auto acl = dir_ / "acl";
  write_file(acl, replace_all(read_file(installer + "acl"), "@NETWORK@", pki.network));
  port_ = free_loopback_port();
  auto conf = read_file(installer + "regua.conf");
  conf = replace_all(conf, "@PORT@", std::to_string(port_));
  conf = replace_all(conf, "@BIND@", "127.0.0.1");
  conf = replace_all(conf, "@PKI@", pki.dir.string());
  conf = replace_all(conf, "@ACL@", acl.string());
  conf = replace_all(conf, "@USER@", current_user());
  write_file(config_, conf);
  ok_ = start();
}

MosquittoBroker::~MosquittoBroker() {
  if (process_) {
    process_->signal(SIGTERM);
    if (!process_->wait_for(std::chrono::seconds(5))) process_->signal(SIGKILL);
  }
}

bool MosquittoBroker::start() {
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{mosquitto_program(), "-c", config_.string()}, log_);
  // Generous: the machine may be loaded; a broker that does not come up in 20 s is broken.
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < end) {
    if (port_listening(port_)) return true;
    if (process_->wait_for(std::chrono::milliseconds(20))) return false;  // it exited: see the log
  }
  return false;
}

void MosquittoBroker::kill() {
  if (!process_) return;
  process_->signal(SIGKILL);
  process_->wait();
  process_.reset();
}

bool MosquittoBroker::restart() {
  kill();
  ok_ = start();
  return ok_;
}

}  // namespace regua::test
