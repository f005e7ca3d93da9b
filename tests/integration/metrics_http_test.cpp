// `/metrics` and `/healthz` on the real agent (`regua-agent run`): the figures match the ledger
// after ingesting sales; /metrics wants the API token, /healthz does not and says what is wrong.

#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/support/agent_http.hpp"

namespace regua {
namespace {

constexpr std::string_view kMetricsToken = "0123456789abcdef0123";

// The value of the sample line that starts with `series` ("name{labels}"), or -1.
double metric_value(const std::string& text, const std::string& series) {
  std::size_t at = 0;
  while ((at = text.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
    at += series.size();
  }
  return -1;
}

class MetricsHttpTest : public test::AgentHttpFixture {
 protected:
  MetricsHttpTest() : AgentHttpFixture(std::string(kMetricsToken)) {}

  std::string scrape() {
    auto r = client->Get("/metrics", bearer());
    if (!r || r->status != 200) return "";
    return r->body;
  }
};

TEST_F(MetricsHttpTest, FiguresMatchTheLedgerAfterIngest) {
  std::string lines;
  for (int i = 1; i <= 25; ++i) {
    lines += R"({"type":"sale","id":"S-)" + std::to_string(i) +
             R"(","ts":"2026-03-01T10:00:00-03:00","total":"10.00","customer":{"id":"C-)" +
             std::to_string(i % 7) + R"("}})" + "\n";
  }
  lines += "not json at all\n{\"type\":\"sale\",\"id\":\"S-X\",\"ts\":\"yesterday\",\"total\":\"1\"}\n";
  test::append_file(store.pos_file, lines);
  ASSERT_TRUE(store.wait_caught_up()) << test::read_file(store.dir / "agent.log");

  auto anonymous = client->Get("/metrics");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401) << "the figures describe the store's business";

  auto r = client->Get("/metrics", bearer());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = r->body;
  EXPECT_NE(text.find("# TYPE regua_sales_ingested_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# HELP regua_outbox_records "), std::string::npos) << text;

  EXPECT_EQ(metric_value(text, "regua_sales_ingested_total{source=\"pdv\"}"), 25) << text;
  EXPECT_EQ(metric_value(text, "regua_sales_ingested_total{source=\"pdv\"}"),
            store.ledger_int("SELECT count(*) FROM sales WHERE source = 'pdv'"));
  EXPECT_EQ(metric_value(text, "regua_quarantined_total{source=\"pdv\"}"),
            store.ledger_int("SELECT count(*) FROM quarantine WHERE source = 'pdv'"));
  EXPECT_EQ(metric_value(text, "regua_quarantined_total{source=\"pdv\"}"), 2) << text;
  EXPECT_EQ(metric_value(text, "regua_outbox_records"), store.ledger_int("SELECT count(*) FROM outbox"));
  EXPECT_GT(metric_value(text, "regua_outbox_records"), 0) << text;
  EXPECT_EQ(metric_value(text, "regua_sync_connected{state=\"not configured\"}"), 0) << text;
  const double idle = metric_value(text, "regua_loop_idle_seconds");
  EXPECT_GE(idle, 0) << text;
  EXPECT_LT(idle, 30) << text;  // the loop ticks every 200 ms here

  // Every sample line is "name{labels} value" with a name that had its TYPE line.
  const std::regex sample(R"(^(regua_[a-z_]+)(\{[^}]*\})? [-+0-9.eENaIf]+$)");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    EXPECT_NE(text.find("# TYPE " + m[1].str() + " "), std::string::npos) << line;
  }
}

TEST_F(MetricsHttpTest, HealthzSaysOkAndNamesWhatIsWrong) {
  auto ok = client->Get("/healthz");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  const auto body = nlohmann::json::parse(ok->body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["store"], "centro");
  EXPECT_FALSE(body.contains("problems"));

  // Another process holds the ledger's write lock: the ledger takes no write, and /healthz says so.
  auto db = sqlite::Db::open(store.ledger, sqlite::OpenMode::read_write);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("PRAGMA busy_timeout = 10000").ok());
  ASSERT_TRUE(db->exec("BEGIN IMMEDIATE").ok());
  auto failing = client->Get("/healthz");
  ASSERT_TRUE(db->exec("ROLLBACK").ok());
  ASSERT_TRUE(failing);
  EXPECT_EQ(failing->status, 503) << failing->body;
  const auto why = nlohmann::json::parse(failing->body);
  EXPECT_EQ(why["status"], "failing");
  ASSERT_TRUE(why["problems"].is_array());
  EXPECT_NE(why["problems"][0].get<std::string>().find("the ledger takes no write"), std::string::npos)
      << failing->body;

  auto again = client->Get("/healthz");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
}

}  // namespace
}  // namespace regua
