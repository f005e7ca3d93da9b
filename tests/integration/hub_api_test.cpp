// The HQ API end to end: the real `regua-hub run` with [api] on, the real Mosquitto over TLS and a
// real `regua-agent run` whose rule opens a task. HQ's store manager sees the task through the
// API, closes it with a POST, and the close reaches the agent as an HQ order: the store's ledger
// has it cancelled, and the task's new state comes back up to the hub. Tokens are made, listed and
// revoked with the real CLI, and no token ever reaches the hub's log.

#include <httplib.h>

#include "local/ledger/sqlite.hpp"
#include "tests/integration/rules_support.hpp"
#include "tests/integration/sync_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {
namespace {

struct ApiAnswer {
  int status = 0;
  nlohmann::json body;
};

ApiAnswer api_call(const TestPki& pki, int port, const std::string& token, const std::string& method,
                   const std::string& path, const std::string& body = "") {
  httplib::Client client("https://127.0.0.1:" + std::to_string(port));
  client.set_ca_cert_path(pki.ca_cert().string());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(5, 0);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  auto r =
      method == "POST" ? client.Post(path, headers, body, "application/json") : client.Get(path, headers);
  if (!r) return {};
  return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
}

TEST(HubApi, ATaskClosedThroughTheApiReachesTheStoresAgentAsAnOrder) {
  SyncNetwork net({"centro"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  TestPki api_pki{net.dir / "api-pki"};
  ASSERT_TRUE(api_pki.ok()) << api_pki.error();
  const int port = free_loopback_port();
  append_file(net.hub_config, "\n[api]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\ncert = \"" +
                                  api_pki.server_cert().string() + "\"\nkey = \"" +
                                  api_pki.server_key().string() + "\"\n");
  auto created = net.hub_command({"token", "create", "--role", "store_manager", "--store", "centro", "--name",
                                  "Gerente Centro", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const auto made = nlohmann::json::parse(created.out);
  const std::string token = made["token"];
  const std::string token_id = made["id"];
  auto listed = net.hub_command({"token", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out.find(token), std::string::npos) << "the list never shows a token";
  EXPECT_NE(listed.out.find(token_id), std::string::npos) << listed.out;

  AgentStore store{"centro"};
  write_file(store.dir / "rules.toml", std::string(kCallAfterSaleRule));
  configure_rules(store);
  {
    std::string config = read_file(store.config);
    config.replace(config.find("[rules]\n"), 8, "[rules]\nfile = \"rules.toml\"\n");
    write_file(store.config, config);
  }
  net.join(store, "centro");
  auto hub = net.start_hub();
  auto agent = store.start_agent();
  ASSERT_TRUE(agent->started());
  append_file(store.pos_file,
              sale_line("S-1", iso_utc(unix_now() - 60), "C-1", "Ana Souza", "(11) 98765-4321"));

  // The task reaches the hub, and the store manager sees it open and overdue.
  nlohmann::json task;
  EXPECT_TRUE(wait_until([&] {
    auto a = api_call(api_pki, port, token, "GET", "/api/v1/stores/centro/tasks");
    if (a.status != 200 || a.body["tasks"].empty()) return false;
    task = a.body["tasks"][0];
    return task["overdue"] == true;  // due at once: overdue from the next second on
  })) << read_file(net.dir / "hub.log")
      << read_file(store.dir / "agent.log");
  ASSERT_TRUE(task.is_object());
  EXPECT_EQ(task["state"], "open");
  EXPECT_EQ(task["overdue"], true);
  const auto task_id = task["id"].get<std::int64_t>();

  const auto closed = api_call(api_pki, port, token, "POST",
                               "/api/v1/stores/centro/tasks/" + std::to_string(task_id) + "/close",
                               R"({"reason":"resolvido pela HQ"})");
  ASSERT_EQ(closed.status, 202) << closed.body.dump();
  auto ledger_task = [&] {
    auto db = sqlite::Db::open(store.ledger, sqlite::OpenMode::read_only);
    if (!db) return std::string{};
    auto s = db->prepare("SELECT state || ' ' || coalesce(close_reason, '') FROM tasks WHERE id = ?1");
    if (!s) return std::string{};
    s->bind(1, task_id);
    auto row = s->step();
    return row.ok() && *row ? std::string(s->text(0)) : std::string{};
  };
  EXPECT_TRUE(wait_until([&] { return ledger_task().rfind("cancelled hq:", 0) == 0; }))
      << ledger_task() << "\n"
      << read_file(store.dir / "agent.log");
  EXPECT_NE(ledger_task().find("resolvido pela HQ"), std::string::npos) << ledger_task();
  // The store's new task state comes back up: the backlog is empty again.
  EXPECT_TRUE(wait_until([&] {
    auto a = api_call(api_pki, port, token, "GET", "/api/v1/tasks");
    return a.status == 200 && a.body["open"] == 0;
  })) << read_file(net.dir / "hub.log");
  const auto all = api_call(api_pki, port, token, "GET", "/api/v1/stores/centro/tasks?state=all");
  ASSERT_EQ(all.status, 200);
  ASSERT_EQ(all.body["tasks"].size(), 1U);
  EXPECT_EQ(all.body["tasks"][0]["state"], "cancelled");

  EXPECT_EQ(api_call(api_pki, port, "", "GET", "/healthz").status, 200);
  const auto refused = api_call(api_pki, port, token, "GET", "/api/v1/stores/elsewhere");
  EXPECT_EQ(refused.status, 403);
  auto revoked = net.hub_command({"token", "revoke", "--id", token_id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_EQ(api_call(api_pki, port, token, "GET", "/api/v1/stores").status, 401)
      << "the running hub refuses a token revoked by the CLI";

  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  hub->signal(SIGTERM);
  EXPECT_EQ(hub->wait(), 0);
  const auto log = read_file(net.dir / "hub.log");
  EXPECT_NE(log.find("HQ API on https://127.0.0.1:" + std::to_string(port)), std::string::npos) << log;
  EXPECT_EQ(log.find(token), std::string::npos) << "no token in the hub's log";
  EXPECT_EQ(log.find(token.substr(4)), std::string::npos);
}

}  // namespace
}  // namespace regua::test
