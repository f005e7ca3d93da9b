#pragma once
// The agent's local HTTP API in tests that drive the real `regua-agent run`: turning it on in a
// store's configuration, and waiting until the started agent answers on it (start-up takes longer
// on a loaded machine, so the wait is on the answer, never a fixed sleep).

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/support/agent_store.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/waiting.hpp"

namespace regua::test {

// Replaces the AgentStore configuration's `[http] enabled = false` with `port` and `token`.
inline void enable_agent_http(const AgentStore& store, int port, std::string_view token) {
  std::string config = read_file(store.config);
  const std::string off = "[http]\nenabled = false\n";
  const auto at = config.find(off);
  ASSERT_NE(at, std::string::npos) << "the store's configuration has no disabled [http]:\n" << config;
  config.replace(at, off.size(),
                 "[http]\nport = " + std::to_string(port) + "\ntoken = \"" + std::string(token) + "\"\n");
  write_file(store.config, config);
}

// True once an agent answers HTTP on 127.0.0.1:`port` (`/healthz` needs no token); false after `limit`.
inline bool agent_http_listening(int port, std::chrono::seconds limit = std::chrono::seconds(30)) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(1));
  return eventually([&] { return static_cast<bool>(client.Get("/healthz")); }, limit);
}

// A fixture for tests of the agent's HTTP API: a store (AgentStore's configuration) whose real agent
// serves on a free loopback port with the API token `token`, started in SetUp and stopped with
// SIGTERM (exit 0 expected) in TearDown.
class AgentHttpFixture : public ::testing::Test {
 protected:
  explicit AgentHttpFixture(std::string token) : api_token(std::move(token)) {}

  void SetUp() override {
    port = free_loopback_port();
    ASSERT_GT(port, 0);
    enable_agent_http(store, port, api_token);
    agent = store.start_agent();
    client = std::make_unique<httplib::Client>("127.0.0.1", port);
    ASSERT_TRUE(agent_http_listening(port))
        << "the agent did not listen on port " << port << ": " << read_file(store.dir / "agent.log");
  }

  void TearDown() override {
    if (agent) {
      agent->signal(SIGTERM);
      EXPECT_EQ(agent->wait(), 0);
    }
  }

  httplib::Headers bearer() const { return {{"Authorization", "Bearer " + api_token}}; }

  AgentStore store;
  std::string api_token;
  int port = 0;
  std::unique_ptr<ChildProcess> agent;
  std::unique_ptr<httplib::Client> client;
};

}  // namespace regua::test
