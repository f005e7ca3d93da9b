// `segments`, `customers --segment` and `kpis` driven through the real regua-agent binary, and the
// segment events that `run` records at ingest. The KPI worked example is read from docs/kpis.md
// itself, so the documentation and the program cannot drift apart.

#include <chrono>
#include <sstream>

#include <gtest/gtest.h>

#include "local/core/timestamp.hpp"
#include "local/ledger/ledger.hpp"
#include "tests/support/agent_store.hpp"

namespace regua {
namespace {

using test::AgentStore;
using test::run_command;

// The text of the first ``` block of `kind` in `markdown`.
std::string code_block(const std::string& markdown, const std::string& kind) {
  const std::string open = "```" + kind + "\n";
  const auto start = markdown.find(open);
  if (start == std::string::npos) return "";
  const auto end = markdown.find("```", start + open.size());
  return markdown.substr(start + open.size(), end - start - open.size());
}

// A POS time `days` days and `hours` hours before now, in UTC.
std::string ago(int days, int hours = 0) {
  const auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) -
                 std::chrono::hours(24 * days + hours);
  return format_utc(t);
}

std::string analysis_sale(const std::string& id, const std::string& when, const std::string& total,
                          const std::string& customer = "") {
  std::string line = R"({"type":"sale","id":")" + id + R"(","ts":")" + when + R"(","total":")" + total + "\"";
  if (!customer.empty()) line += R"(,"customer":)" + customer;
  return line + "}\n";
}

TEST(AnalysisCli, KpiWorkedExampleOfTheDocs) {
  const std::string doc =
      test::read_file(std::filesystem::path(REGUA_TEST_DATA) / ".." / ".." / "docs" / "kpis.md");
  const std::string jsonl = code_block(doc, "jsonl");
  const auto expected = nlohmann::json::parse(code_block(doc, "json"), nullptr, false);
  ASSERT_FALSE(jsonl.empty());
  ASSERT_TRUE(expected.is_object());
  AgentStore store;
  ASSERT_EQ(import_history(store, jsonl), 0);
  auto r = run_command(
      store.command({"kpis", "--from", "2026-01-01", "--to", "2026-03-31", "--by", "month", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto got = json_of(r);
  EXPECT_EQ(got, expected) << got.dump(2);
  // The text output says the same in a table, and a wrong range is a usage error.
  auto text = run_command(store.command({"kpis", "--from", "2026-01-01", "--to", "2026-03-31"}));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("100.00%"), std::string::npos) << text.out;
  auto bad = run_command(store.command({"kpis", "--from", "2026-03-31", "--to", "2026-01-01"}));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("before --from"), std::string::npos) << bad.err;
  auto by =
      run_command(store.command({"kpis", "--from", "2026-01-01", "--to", "2026-01-31", "--by", "year"}));
  EXPECT_EQ(by.exit_code, 2);
}

// For each cell i of the matrix, i + 1 customers built to be in it: 1, 2 or 4 purchases, the last
// one 2, 45 or 120 days ago. So cell i must count i + 1.
class SegmentsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    test::append_file(
        store.config,
        "\n[segments]\nlanguage = \"en\"\n\n[[segment]]\nname = \"vip\"\nfilter = \"total_spent >= "
        "300\"\ndescription = \"spent 300 or more\"\n");
    const int purchases[] = {1, 2, 4};
    const int days[] = {2, 45, 120};
    std::string jsonl;
    int sale_no = 0;
    for (int cell = 0; cell < 9; ++cell) {
      for (int k = 0; k <= cell; ++k) {
        const std::string id = "C-" + std::to_string(cell) + "-" + std::to_string(k);
        std::string who = R"({"id":")" + id + R"(","name":"Cliente )" + id + "\"";
        if (k == 0)
          who += R"(,"phone":"(11) 9876)" + std::to_string(50000 + cell) + R"(","email":")" + id +
                 "@example.com\"";
        who += "}";
        for (int p = 0; p < purchases[cell / 3]; ++p) {
          jsonl += analysis_sale("S-" + std::to_string(++sale_no), ago(days[cell % 3] + p, 1), "100.00", who);
        }
      }
    }
    jsonl += analysis_sale("S-anon", ago(1), "10.00");
    jsonl += R"({"type":"customer","customer":{"id":"C-6-0","opt_out":["sms"],"opt_in":["whatsapp"]}})"
             "\n";
    ASSERT_EQ(import_history(store, jsonl), 0);
  }

  AgentStore store;
};

TEST_F(SegmentsCli, TheMatrixCountsEachCellAndTheActiveBase) {
  auto r = run_command(store.command({"segments", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["source"], "stats");
  EXPECT_EQ(j["customers"], 45);
  EXPECT_EQ(j["without_purchases"], 0);
  ASSERT_EQ(j["cells"].size(), 9u);
  int active = 0;
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(j["cells"][i]["count"], i + 1) << j["cells"][i]["code"];
    if (i % 3 != 2) active += i + 1;
  }
  EXPECT_EQ(j["cells"][7]["code"], "loyal_slipping");
  EXPECT_EQ(j["cells"][7]["name"], "Loyal slipping");  // [segments] language = "en"
  EXPECT_EQ(j["cells"][7]["purchases"], "4+");
  EXPECT_EQ(j["cells"][7]["days_since_last"], "31-90");
  EXPECT_EQ(j["active"], active);
  EXPECT_DOUBLE_EQ(j["active_share"].get<double>(), std::round(10000.0 * active / 45) / 100);
  EXPECT_EQ(j["healthy"], true);

  auto csv = run_command(store.command({"segments", "--csv"}));
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::istringstream lines(csv.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "code,name,purchases,days_since_last,count,share");
  int rows = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(line.find("," + std::to_string(rows + 1) + ",") != std::string::npos) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 9);

  auto text = run_command(store.command({"segments"}));
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("at least 30% is healthy"), std::string::npos) << text.out;
}

TEST_F(SegmentsCli, AtAPastDateTheMatrixComesFromTheHistory) {
  const auto date = [](int days_ago) { return ago(days_ago).substr(0, 10); };
  auto before = run_command(store.command({"segments", "--json", "--at", date(200)}));
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(json_of(before)["source"], "history");
  EXPECT_EQ(json_of(before)["customers"], 0);
  // Ten days ago the customers of the "2 days ago" column (cells 0, 3 and 6: 1 + 4 + 7 of them, all
  // their purchases 2 to 5 days ago) had not bought yet.
  auto then = run_command(store.command({"segments", "--json", "--at", date(10)}));
  ASSERT_EQ(then.exit_code, 0) << then.err;
  EXPECT_EQ(json_of(then)["customers"], 45 - (1 + 4 + 7));
  auto bad = run_command(store.command({"segments", "--at", "2026-02-30"}));
  EXPECT_EQ(bad.exit_code, 2);
}

TEST_F(SegmentsCli, AllAddsRfmAndTheNamedSegments) {
  auto r = run_command(store.command({"segments", "--all", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json_of(r);
  EXPECT_EQ(j["rfm"]["customers"], 45);
  bool vip = false;
  for (const auto& s : j["segments"]) {
    if (s["name"] == "vip") {
      vip = true;
      EXPECT_EQ(s["kind"], "custom");
      EXPECT_EQ(s["count"], 7 + 8 + 9);  // the loyal row: 4 purchases of 100.00 (the promising spent 200)
    }
  }
  EXPECT_TRUE(vip);
}

TEST_F(SegmentsCli, CustomersOfASegmentAsCsvAndJson) {
  auto r = run_command(store.command({"customers", "--segment", "loyal_active", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["segment"]["kind"], "cell");
  EXPECT_EQ(j["count"], 7);
  ASSERT_EQ(j["customers"].size(), 7u);
  bool first_found = false;
  for (const auto& c : j["customers"]) {
    EXPECT_EQ(c["purchases"], 4);
    EXPECT_EQ(c["total_spent_cents"], 40000);
    EXPECT_EQ(c["average_ticket_cents"], 10000);
    EXPECT_EQ(c["cell"], "loyal_active");
    EXPECT_EQ(c["cell_name"], "Loyal active");
    if (c["pos_id"] == "C-6-0") {
      first_found = true;
      EXPECT_EQ(c["mobile"], "+5511987650006");
      EXPECT_EQ(c["email"], "c-6-0@example.com");  // e-mails are kept in lower case
      EXPECT_EQ(c["consent"]["sms"], false);
      EXPECT_EQ(c["consent"]["whatsapp"], true);
      EXPECT_TRUE(c["consent"]["email"].is_null());
    } else {
      EXPECT_TRUE(c["mobile"].is_null());
    }
  }
  EXPECT_TRUE(first_found);

  auto csv = run_command(store.command({"customers", "--segment", "Fiéis ativos", "--csv"}));
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::istringstream lines(csv.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line,
            "customer_id,pos_id,name,mobile,email,last_purchase,purchases,total_spent,average_ticket,cell,"
            "cell_name,"
            "consent_sms,consent_whatsapp,consent_email");
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    if (line.find(",C-6-0,") != std::string::npos) {
      EXPECT_NE(line.find(",+5511987650006,c-6-0@example.com,"), std::string::npos) << line;
      EXPECT_TRUE(line.ends_with(",4,400.00,100.00,loyal_active,Loyal active,no,yes,")) << line;
    }
  }
  EXPECT_EQ(rows, 7);

  auto vip = run_command(store.command({"customers", "--segment", "vip", "--json"}));
  ASSERT_EQ(vip.exit_code, 0) << vip.err;
  EXPECT_EQ(json_of(vip)["count"], 7 + 8 + 9);
}

TEST_F(SegmentsCli, UnknownSegmentsAndMissingArgumentsAreUsageErrors) {
  auto r = run_command(store.command({"customers", "--segment", "nobody"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("there is no segment \"nobody\""), std::string::npos) << r.err;
  auto none = run_command(store.command({"customers"}));
  EXPECT_EQ(none.exit_code, 2);
  auto both = run_command(store.command({"customers", "--segment", "vip", "--json", "--csv"}));
  EXPECT_EQ(both.exit_code, 2);
}

TEST(AnalysisCli, ABadFilterInTheConfigurationSaysWhereAndWhat) {
  AgentStore store;
  test::append_file(store.config, "\n[[segment]]\nname = \"vip\"\nfilter = \"purchases >= abc\"\n");
  auto r = run_command(store.command({"segments"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("regua.toml:19: segment \"vip\" filter: at column 14: expected a number after \">=\", "
                       "found \"abc\""),
            std::string::npos)
      << r.err;
}

// `run` gives the Ingestor the store's policy: each sale's cell change is in the ledger with it.
TEST(AnalysisCli, RunRecordsSegmentEventsAsItIngests) {
  AgentStore store;
  auto agent = store.start_agent();
  std::string jsonl;
  for (int i = 0; i < 4; ++i)
    jsonl += analysis_sale("S-" + std::to_string(i), ago(0, 4 - i), "50.00", R"({"id":"C-1","name":"Ana"})");
  test::append_file(store.pos_file, jsonl);
  ASSERT_TRUE(store.wait_caught_up());
  SystemClock clock;
  auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", true, false}, clock);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  auto stmt = ledger->db().prepare("SELECT cell, cause FROM segment_events ORDER BY id");
  ASSERT_TRUE(stmt.ok());
  std::vector<std::string> cells;
  while (*stmt->step()) {
    cells.push_back(std::string(stmt->text(0)));
    EXPECT_EQ(stmt->text(1), "sale");
  }
  EXPECT_EQ(cells, (std::vector<std::string>{"new_active", "promising_active", "loyal_active"}));
}

}  // namespace
}  // namespace regua
