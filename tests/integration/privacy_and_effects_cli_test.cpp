// `customers forget` and `kpis --actions` through the real binary: what forgetting says and does to
// the outputs people and scripts read, and the worked example of docs/kpis.md, read from the page.

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "local/ledger/ledger.hpp"
#include "tests/integration/rules_support.hpp"

namespace regua {
namespace {

using test::AgentStore;
using test::run_command;

TEST(ForgetCli, ErasesSaysWhatAndKeepsTheStoreFigures) {
  AgentStore store;
  test::append_file(store.config, "\n[[segment]]\nname = \"everyone\"\nfilter = \"purchases >= 1\"\n");
  ASSERT_EQ(
      import_history(
          store,
          R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00-03:00","total":"100.00","customer":{"id":"C-77","name":"Ana Souza","phone":"(11) 98765-4321","cpf":"529.982.247-25","email":"ana@example.com","opt_in":["email"]}})"
          "\n"
          R"({"type":"sale","id":"S-2","ts":"2026-03-02T14:05:00-03:00","total":"50.00","customer":{"id":"C-77"}})"
          "\n"
          R"({"type":"sale","id":"S-3","ts":"2026-03-02T15:05:00-03:00","total":"30.00","customer":{"id":"C-5","name":"Bruno Lima"}})"
          "\n"),
      0);
  auto kpis = [&] {
    auto r = run_command(store.command({"kpis", "--from", "2026-03-01", "--to", "2026-03-31", "--json"}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json_of(r)["total"];
  };
  const auto before = kpis();

  auto dry = run_command(store.command({"customers", "forget", "C-77", "--dry-run"}));
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("Would forget customer C-77"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("Dry run: nothing was written."), std::string::npos) << dry.out;
  EXPECT_EQ(run_command(store.command({"why", "C-77"})).exit_code, 0) << "still there after a dry run";

  auto forgot =
      run_command(store.command({"customers", "forget", "C-77", "--requested-by", "customer", "--json"}));
  ASSERT_EQ(forgot.exit_code, 0) << forgot.err;
  const auto j = json_of(forgot);
  ASSERT_TRUE(j.is_object()) << forgot.out;
  EXPECT_EQ(j["erasure"], "centro:erasure:1");
  EXPECT_EQ(j["customer"], 1);
  EXPECT_EQ(j["pos_ids"], nlohmann::json::array({"C-77"}));
  EXPECT_EQ(j["requested_by"], "customer");
  EXPECT_EQ(j["already"], false);
  EXPECT_EQ(j["written"], true);
  EXPECT_EQ(j["erased"]["fields"], nlohmann::json::array({"name", "phone", "email", "cpf"}));
  EXPECT_EQ(j["erased"]["consents"], 1);
  EXPECT_EQ(j["kept"]["sales"], 2);
  EXPECT_EQ(j["seen_again"], 0);

  // The store's figures are those of before: her sales count, as a customer without a name.
  EXPECT_EQ(kpis(), before);
  // She is nobody any more: no timeline, no consent, not in a list, not a duplicate.
  auto why = run_command(store.command({"why", "C-77"}));
  EXPECT_EQ(why.exit_code, 2);
  auto consent = run_command(store.command({"customers", "consent", "C-77"}));
  EXPECT_EQ(consent.exit_code, 2);
  EXPECT_NE(consent.err.find("was forgotten on"), std::string::npos) << consent.err;
  auto list = run_command(store.command({"customers", "--segment", "everyone", "--json"}));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("Bruno Lima"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("Ana"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("C-77"), std::string::npos) << list.out;

  // Again: nothing to do, and it says when it was done.
  auto again = run_command(store.command({"customers", "forget", "C-77"}));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("Customer C-77 was already forgotten on "), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("(erasure centro:erasure:1): nothing left to erase."), std::string::npos)
      << again.out;
  auto by_number = run_command(store.command({"customers", "forget", "#1", "--json"}));
  ASSERT_EQ(by_number.exit_code, 0) << by_number.err;
  EXPECT_EQ(json_of(by_number)["already"], true);
  EXPECT_EQ(json_of(by_number)["kept"]["sales"], 2);

  // The POS still has her: a new record starts, refusing every channel, and the store is told.
  ASSERT_EQ(
      import_history(
          store,
          R"({"type":"sale","id":"S-9","ts":"2026-03-20T10:00:00-03:00","total":"20.00","customer":{"id":"C-77","name":"Ana Souza","phone":"(11) 98765-4321"}})"
          "\n"),
      0);
  auto fresh = run_command(store.command({"customers", "consent", "C-77", "--json"}));
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  const auto f = json_of(fresh);
  EXPECT_NE(f["customer"]["id"], 1);
  for (const auto& c : f["consents"]) {
    EXPECT_EQ(c["state"], "refused") << fresh.out;
    EXPECT_EQ(c["source"], "erasure") << fresh.out;
  }
  auto told = run_command(store.command({"customers", "forget", "#1"}));
  EXPECT_NE(told.out.find("The POS has sent C-77 1 time(s) since"), std::string::npos) << told.out;
  auto status = store.status();
  EXPECT_EQ(status["customers"], 3) << "Ana's first record (without a person), Bruno, Ana's new record";

  EXPECT_EQ(run_command(store.command({"customers", "forget", "C-404"})).exit_code, 2);
  EXPECT_EQ(run_command(store.command({"customers", "forget", "C-5", "--requested-by", "Maria"})).exit_code,
            2);
}

// The section of docs/kpis.md from "## Revenue per action" on: its code blocks and its table.
std::string actions_section() {
  const std::string doc =
      test::read_file(std::filesystem::path(REGUA_TEST_DATA) / ".." / ".." / "docs" / "kpis.md");
  const auto at = doc.find("## Revenue per action");
  return at == std::string::npos ? std::string() : doc.substr(at);
}

std::string block(const std::string& text, const std::string& language) {
  const std::string open = "```" + language + "\n";
  const auto start = text.find(open);
  if (start == std::string::npos) return {};
  const auto end = text.find("```", start + open.size());
  return text.substr(start + open.size(), end - start - open.size());
}

TEST(KpisActionsCli, WorkedExampleOfTheDocs) {
  const std::string section = actions_section();
  ASSERT_FALSE(section.empty());
  const auto expected = nlohmann::json::parse(block(section, "json"), nullptr, false);
  ASSERT_TRUE(expected.is_object());
  AgentStore store;
  ASSERT_EQ(import_history(store, block(section, "jsonl")), 0);

  // The decisions of the page's table, written as the scheduler writes them.
  const std::regex row(R"(\| (C-\d+) \| (sent|held out) \|)");
  std::vector<std::pair<std::string, std::string>> decided;
  for (std::sregex_iterator it(section.begin(), section.end(), row), end; it != end; ++it)
    decided.emplace_back((*it)[1], (*it)[2]);
  ASSERT_EQ(decided.size(), 7U);
  {
    SystemClock clock;
    auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", false, false}, clock);
    ASSERT_TRUE(ledger.ok()) << ledger.error().message;
    const std::string when = "strftime('%s', '2025-03-01 13:00:00')";  // 10:00 in São Paulo
    for (const auto& [customer, decision] : decided) {
      const std::string id = "(SELECT id FROM customers WHERE pos_id = '" + customer + "')";
      ASSERT_TRUE(
          ledger->db()
              .exec("INSERT INTO jobs (rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, "
                    "priority, action, channel, state, created_at) VALUES ('inactive-15d', " +
                    id + ", 'since:2025-02-14T19:00:00Z', " + when + ", " + when + ", " + when +
                    ", 70, 'message', 'sms', '" + (decision == "sent" ? "fired" : "skipped") + "', " + when +
                    ")")
              .ok());
      ASSERT_TRUE(
          ledger->db()
              .exec("INSERT INTO decisions (job_id, customer_id, rule_id, action, channel, at, decision, "
                    "reason, detail) VALUES (last_insert_rowid(), " +
                    id + ", 'inactive-15d', 'message', 'sms', " + when + ", '" +
                    (decision == "sent" ? "fired', 'due'" : "holdout', 'holdout'") + ", '')")
              .ok());
    }
  }
  auto r = run_command(
      store.command({"kpis", "--actions", "--from", "2025-03-01", "--to", "2025-03-31", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json_of(r), expected) << json_of(r).dump(2);

  // The text says the same, with the verdict in words; a wrong range or --by is a usage error.
  auto text = run_command(store.command({"kpis", "--actions"}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("inactive-15d"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("too few customers to tell: 4 sent to, 3 held out"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("-93.37 to 313.37"), std::string::npos) << text.out;
  EXPECT_EQ(run_command(store.command({"kpis", "--actions", "--from", "2025-03-31", "--to", "2025-03-01"}))
                .exit_code,
            2);
  EXPECT_EQ(run_command(store.command({"kpis", "--actions", "--by", "month"})).exit_code, 2);
  auto none = run_command(store.command({"kpis", "--actions", "--from", "2024-01-01", "--to", "2024-01-31"}));
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("No rule has sent anything"), std::string::npos) << none.out;
  auto missing = run_command(store.command({"kpis", "--from", "2025-03-01"}));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("kpis needs --from DATE and --to DATE"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace regua
