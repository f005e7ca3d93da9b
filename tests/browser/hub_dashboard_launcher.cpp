// The HQ dashboard's browser test, prepared the way the hub integration tests prepare a network:
// certificates from installer/pki.sh, the real Mosquitto with TLS and the project's ACL, the real
// `regua-hub run` with its HQ API (and so the dashboard) on, and a store running the real
// `regua-agent run` connected to it. Then it runs hub/dashboard.test.cjs (Node's test runner,
// playwright-core, Debian's headless Chromium) against that hub and passes on its verdict.
// Started by tests/browser/run-hub.sh, which installs playwright-core and says where node is.

#include <cstdlib>

#include "local/core/timestamp.hpp"
#include "tests/integration/sync_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {
namespace {

std::string hub_token(const SyncNetwork& net, const std::vector<std::string>& args) {
  auto command = std::vector<std::string>{"token", "create"};
  command.insert(command.end(), args.begin(), args.end());
  command.push_back("--json");
  auto r = net.hub_command(command);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_object() ? j.value("token", std::string{}) : std::string{};
}

TEST(HubDashboardBrowser, APackPublishedFromThePageIsAppliedByTheStore) {
  const char* node = std::getenv("REGUA_NODE");
  ASSERT_NE(node, nullptr) << "run through tests/browser/run-hub.sh (it sets REGUA_NODE and NODE_PATH)";

  SyncNetwork net({"centro"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  TestPki api_pki{net.dir / "api-pki"};
  ASSERT_TRUE(api_pki.ok()) << api_pki.error();
  const int port = free_loopback_port();
  append_file(net.hub_config, "\n[api]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\ncert = \"" +
                                  api_pki.server_cert().string() + "\"\nkey = \"" +
                                  api_pki.server_key().string() + "\"\n");
  auto profiled = net.hub_command(
      {"store", "set", "--store", "centro", "--name", "Loja Centro", "--region", "sul", "--format", "loja"});
  ASSERT_EQ(profiled.exit_code, 0) << profiled.err;
  // A second store HQ profiled that never connected: the admin sees it (silent), centro's manager not.
  auto norte =
      net.hub_command({"store", "set", "--store", "norte", "--name", "Quiosque Norte", "--region", "norte"});
  ASSERT_EQ(norte.exit_code, 0) << norte.err;
  const auto admin = hub_token(net, {"--role", "network_admin", "--name", "HQ Operações"});
  const auto manager =
      hub_token(net, {"--role", "store_manager", "--store", "centro", "--name", "Gerente Centro"});
  const auto analyst = hub_token(net, {"--role", "analyst", "--name", "BI"});
  ASSERT_FALSE(admin.empty() || analyst.empty() || manager.empty());

  // One sale yesterday (store time): the store's first roll-up is yesterday's, so the network
  // chart has a point.
  AgentStore store{"centro"};
  net.join(store, "centro");
  const auto yesterday =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - std::chrono::hours(24);
  write_file(store.pos_file, pos_sale(1, format_utc(Seconds{yesterday.time_since_epoch()})));
  auto hub = net.start_hub();
  auto agent = store.start_agent();
  ASSERT_TRUE(wait_until([&] { return net.hub_store("centro").is_object(); }))
      << read_file(net.dir / "hub.log") << read_file(store.dir / "agent.log");

  ::setenv("REGUA_HUB_URL", ("https://127.0.0.1:" + std::to_string(port)).c_str(), 1);
  ::setenv("REGUA_ADMIN_TOKEN", admin.c_str(), 1);
  ::setenv("REGUA_ANALYST_TOKEN", analyst.c_str(), 1);
  ::setenv("REGUA_MANAGER_TOKEN", manager.c_str(), 1);
  ::setenv("REGUA_STORE_LEDGER", store.ledger.c_str(), 1);
  const auto result = run_command({node, "--test", "--test-reporter=spec",
                                   std::string(REGUA_SOURCE_DIR) + "/tests/browser/hub/dashboard.test.cjs"});
  std::cout << result.out << result.err;
  EXPECT_EQ(result.exit_code, 0) << "the browser test failed (its output is above)\n--- hub.log\n"
                                 << read_file(net.dir / "hub.log") << "\n--- agent.log\n"
                                 << read_file(store.dir / "agent.log");

  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  hub->signal(SIGTERM);
  hub->wait();
}

}  // namespace
}  // namespace regua::test
