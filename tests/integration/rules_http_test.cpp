// A sale posted to the HTTP API is planned by the rules at once, not at the scheduler's next
// minute re-check: "1 hour after" is as punctual for a POS that posts as for one that writes a file.

#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/integration/rules_support.hpp"
#include "tests/support/agent_http.hpp"
#include "tests/support/free_port.hpp"

namespace regua {
namespace {

constexpr std::string_view kRulesApiToken = "a3f9c2e8d1b7460f9e2c5a8b";

TEST(RulesHttp, ASalePostedOverHttpIsPlannedAtOnce) {
  test::AgentStore store;
  const int port = test::free_loopback_port();
  ASSERT_GT(port, 0);
  test::enable_agent_http(store, port, kRulesApiToken);
  test::configure_rules(store);
  test::write_file(store.pos_file, "");

  auto agent = store.start_agent();
  httplib::Client client("127.0.0.1", port);
  ASSERT_TRUE(test::agent_http_listening(port)) << test::read_file(store.dir / "agent.log");

  // Due 4 s after the post. The scheduler's own re-check comes a minute after the agent started,
  // so a line within 25 s can only come from the post waking it.
  const std::time_t sold = test::unix_now() - 3600 + 4;
  const auto posted = std::chrono::steady_clock::now();
  auto res = client.Post("/api/v1/events",
                         httplib::Headers{{"Authorization", "Bearer " + std::string(kRulesApiToken)}},
                         test::sale_line("H-1", test::iso_utc(sold), "C-90", "Bia Lima", "(21) 99876-5432"),
                         "application/x-ndjson");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;

  std::vector<nlohmann::json> lines;
  while (std::chrono::steady_clock::now() - posted < std::chrono::seconds(25)) {
    lines.clear();
    for (auto& j : test::outbox_lines(store.dir / "outbox.jsonl")) {
      if (j.is_object() && j["rule"] == "rating-1h") lines.push_back(std::move(j));
    }
    if (!lines.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(lines.size(), 1U) << test::read_file(store.dir / "agent.log");
  EXPECT_EQ(lines[0]["customer"], "C-90");
  EXPECT_EQ(lines[0]["recipient"], "+5521998765432");
  EXPECT_GE(test::unix_now(), sold + 3600) << "not before its due moment";

  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
}

}  // namespace
}  // namespace regua
