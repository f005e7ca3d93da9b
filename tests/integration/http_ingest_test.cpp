// `POST /api/v1/events` on the real agent: token authentication, per-line answers, and events that
// reach the same ledger as the tailed POS file.

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/support/agent_http.hpp"
#include "tests/support/free_port.hpp"

namespace regua {
namespace {

constexpr std::string_view kIngestApiToken = "0123456789abcdef0123";

class HttpIngestTest : public test::AgentHttpFixture {
 protected:
  HttpIngestTest() : AgentHttpFixture(std::string(kIngestApiToken)) {}

  httplib::Result post(std::string_view body, std::string_view token) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + std::string(token));
    return client->Post("/api/v1/events", headers, std::string(body), "application/x-ndjson");
  }
};

TEST_F(HttpIngestTest, RefusesRequestsWithoutTheToken) {
  auto none = post(R"({"type":"sale","id":"X-1","ts":"2026-03-01T10:00:00Z","total":"1.00"})", "");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
  auto wrong = post(R"({"type":"sale","id":"X-1","ts":"2026-03-01T10:00:00Z","total":"1.00"})",
                    "0123456789abcdef0124");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(store.status()["sales"], 0) << "nothing stored";
}

TEST_F(HttpIngestTest, StoresWhatIsGoodAndSaysWhyTheRestWasQuarantined) {
  auto r =
      post(R"({"type":"sale","id":"X-1","ts":"2026-03-01T10:00:00Z","total":"1.00","customer":{"id":"C-1"}}
{"type":"sale","id":"X-2","ts":"yesterday","total":"2.00"}
{"type":"sale","id":"X-1","ts":"2026-03-01T10:00:00Z","total":"1.00"})",
           kIngestApiToken);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto answer = nlohmann::json::parse(r->body);
  EXPECT_EQ(answer["accepted"], 1);
  EXPECT_EQ(answer["duplicates"], 1);
  EXPECT_EQ(answer["quarantined"], 1);
  EXPECT_EQ(answer["lines"][1]["line"], 2);
  EXPECT_EQ(answer["lines"][1]["status"], "quarantined");
  EXPECT_NE(answer["lines"][1]["reason"].get<std::string>().find("\"ts\""), std::string::npos);
  EXPECT_EQ(answer["lines"][2]["status"], "duplicate");

  // The tailed file feeds the same ledger at the same time.
  test::append_file(store.pos_file, R"({"type":"sale","id":"F-1","ts":"2026-03-01T12:00:00Z","total":"3.00"})"
                                    "\n");
  ASSERT_TRUE(store.wait_caught_up());
  const auto s = store.status();
  EXPECT_EQ(s["sales"], 2);
  EXPECT_EQ(s["customers"], 1);
  EXPECT_EQ(s["quarantined"], 1);
}

// A SIGTERM at any moment of start-up, including before the HTTP server's thread listens, stops the
// agent: a stop that came too early once left it waiting forever for that thread.
TEST(HttpServerStop, ASigtermRightAfterStartStopsTheAgent) {
  test::AgentStore store;
  const int port = test::free_loopback_port();
  test::write_file(store.config,
                   "[store]\nid = \"centro\"\n[http]\nport = " + std::to_string(port) +
                       "\n[[source]]\nname = \"pdv\"\nkind = \"jsonl\"\npath = \"pos/sales.jsonl\"\n");
  for (int i = 0; i < 30; ++i) {
    auto agent = store.start_agent();
    std::this_thread::sleep_for(std::chrono::milliseconds(i * 3));
    agent->signal(SIGTERM);
    // Generous: a stopping agent takes milliseconds; only a hang gets near this.
    const auto code = agent->wait_for(std::chrono::seconds(30));
    ASSERT_TRUE(code.has_value()) << "run " << i
                                  << " did not stop: " << test::read_file(store.dir / "agent.log");
    EXPECT_TRUE(*code == 0 || *code == 128 + SIGTERM) << "run " << i << " exit " << *code;
  }
}

}  // namespace
}  // namespace regua
