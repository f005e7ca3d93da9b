// POS events posted over HTTP: per-line answers, the same guarantees as a tailed file, and a commit
// that reaches the disk before the answer.

#include "agent/connectors/http_events.hpp"

#include <gtest/gtest.h>

#include "agent/config/config.hpp"
#include "agent/connectors/jsonl_decoder.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

class HttpEventsTest : public test::LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    auto parsed =
        parse_config("[store]\nid = \"centro\"\n[[source]]\nkind = \"jsonl\"\npath = \"x\"\n", "t.toml");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    config = std::move(*parsed);
    auto p = LibphonenumberNormaliser::create("BR");
    ASSERT_TRUE(p.ok());
    phones.emplace(std::move(*p));
    auto in = Ingestor::create(*ledger, *phones);
    ASSERT_TRUE(in.ok()) << in.error().message;
    ingestor.emplace(std::move(*in));
    decoder = std::make_unique<JsonlDecoder>(config.store, clock);
  }

  Result<EventsAnswer> post(std::string_view body) {
    return ingest_events_body(*ledger, *ingestor, *decoder, body);
  }

  AgentConfig config;
  std::optional<LibphonenumberNormaliser> phones;
  std::optional<Ingestor> ingestor;
  std::unique_ptr<JsonlDecoder> decoder;
};

constexpr std::string_view kBody =
    R"({"type":"sale","id":"W-1","ts":"2026-03-01T10:00:00-03:00","total":"10.00","customer":{"id":"C-1"}}
{"type":"sale","id":"W-2","ts":"2026-03-01T11:00:00-03:00","total":"nope"}

{"type":"cancel","id":"W-1"}
{"type":"sale","id":"W-1","ts":"2026-03-01T10:00:00-03:00","total":"10.00"}
)";

TEST_F(HttpEventsTest, AnswersEveryLineWithWhatHappenedToIt) {
  auto answer = post(kBody);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_EQ(answer->lines.size(), 5U);
  EXPECT_EQ(answer->lines[0].status, EventOutcome::Status::accepted);
  EXPECT_EQ(answer->lines[1].status, EventOutcome::Status::quarantined);
  EXPECT_NE(answer->lines[1].reason.find("\"total\""), std::string::npos) << answer->lines[1].reason;
  EXPECT_EQ(answer->lines[2].status, EventOutcome::Status::blank);
  EXPECT_EQ(answer->lines[3].status, EventOutcome::Status::accepted);
  EXPECT_EQ(answer->lines[4].status, EventOutcome::Status::duplicate);
  EXPECT_EQ(answer->lines[4].line, 5);
  EXPECT_EQ(answer->accepted, 2);
  EXPECT_EQ(answer->duplicates, 1);
  EXPECT_EQ(answer->quarantined, 1);

  EXPECT_EQ(count("SELECT count(*) FROM sales"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE cancelled_at IS NOT NULL"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine WHERE source = 'http' AND line = 2"), 1);
}

TEST_F(HttpEventsTest, ABodySentAgainAddsNothing) {
  ASSERT_TRUE(post(kBody).ok());
  auto again = post(kBody);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->accepted, 0);
  EXPECT_EQ(again->duplicates, 3) << "the sale twice and the cancellation";
  EXPECT_EQ(again->quarantined, 1) << "still reported as quarantined";
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1) << "but quarantined once";
}

TEST_F(HttpEventsTest, APrettyPrintedObjectIsOneEvent) {
  auto answer = post(R"({
  "type": "sale",
  "id": "W-9",
  "ts": "2026-03-01T10:00:00-03:00",
  "total": 25.5
}
)");
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_EQ(answer->lines.size(), 1U);
  EXPECT_EQ(answer->lines[0].status, EventOutcome::Status::accepted);
  EXPECT_EQ(count("SELECT total_cents FROM sales WHERE pos_id = 'W-9'"), 2550);
}

TEST_F(HttpEventsTest, CommitsWithAFullSyncAndThenGoesBackToNormal) {
  // The answer tells the POS it may forget the events, so their commit must be on disk before it:
  // the statements the connection runs show the sync level raised around the commit.
  static std::vector<std::string> statements;
  statements.clear();
  sqlite3_trace_v2(
      ledger->db().handle(), SQLITE_TRACE_STMT,
      [](unsigned, void*, void*, void* sql) {
        const std::string text = static_cast<const char*>(sql);
        if (text.rfind("PRAGMA synchronous", 0) == 0 || text.rfind("BEGIN", 0) == 0 || text == "COMMIT") {
          statements.push_back(text);
        }
        return 0;
      },
      nullptr);
  ASSERT_TRUE(post(kBody).ok());
  sqlite3_trace_v2(ledger->db().handle(), 0, nullptr, nullptr);
  ASSERT_EQ(statements.size(), 4U);
  EXPECT_EQ(statements[0], "PRAGMA synchronous = FULL");
  EXPECT_EQ(statements[1].rfind("BEGIN", 0), 0U);
  EXPECT_EQ(statements[2], "COMMIT");
  EXPECT_EQ(statements[3], "PRAGMA synchronous = NORMAL");
  EXPECT_EQ(count("PRAGMA synchronous"), 1) << "NORMAL again for tailed input";
}

}  // namespace
}  // namespace regua
