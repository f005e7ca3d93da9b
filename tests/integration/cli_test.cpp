// The command line as users and scripts rely on it: exit codes, messages, import, status.

#include <gtest/gtest.h>

#include "tests/support/agent_store.hpp"

namespace regua {
namespace {

using test::AgentStore;
using test::run_command;

constexpr std::string_view kHistory =
    R"({"type":"sale","id":"H-1","ts":"2026-01-05T10:00:00-03:00","total":"50.00","customer":{"id":"C-1","name":"Ana"}}
{"type":"sale","id":"H-2","ts":"2026-01-06T10:00:00-03:00","total":30}
not a json line
{"type":"cancel","id":"H-2","ts":"2026-01-06T11:00:00-03:00"}
{"type":"sale","id":"H-3","ts":"2026-13-06T10:00:00-03:00","total":"1.00"}
{"type":"cancel","id":"H-9"}
{"type":"sale","id":"H-4","ts":"2026-01-07T10:00:00-03:00","total":"12.30","customer":{"id":"C-1"}})";

TEST(Cli, ImportIngestsHistoryAndImportingAgainAddsNothing) {
  AgentStore store;
  test::write_file(store.dir / "history.jsonl", std::string(kHistory) + "\n");
  auto first = run_command(store.command({"import", (store.dir / "history.jsonl").string()}));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("3 sale(s) added, 0 already in the ledger"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("2 line(s) quarantined, 0 already quarantined"), std::string::npos) << first.out;
  EXPECT_NE(first.err.find("import history.jsonl: 100%"), std::string::npos)
      << "plain progress lines off a terminal";

  auto again = run_command(store.command({"import", (store.dir / "history.jsonl").string()}));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 sale(s) added, 3 already in the ledger"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("0 line(s) quarantined, 2 already quarantined"), std::string::npos) << again.out;

  const auto s = store.status();
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["sales"], 3);
  EXPECT_EQ(s["cancelled"], 1);
  EXPECT_EQ(s["pending_cancels"], 1);
  EXPECT_EQ(s["customers"], 1);
  EXPECT_EQ(s["quarantined"], 2);
  ASSERT_EQ(s["recent_quarantine"].size(), 2U);
  EXPECT_EQ(s["recent_quarantine"][0]["line"], 5);
  EXPECT_NE(s["recent_quarantine"][0]["reason"].get<std::string>().find("not a date-time"),
            std::string::npos);
  EXPECT_EQ(s["recent_quarantine"][1]["line"], 3);
}

TEST(Cli, ImportRefusesAFileWhoseFormatItCannotTell) {
  AgentStore store;
  test::write_file(store.dir / "history.txt", "x\n");
  auto r = run_command(store.command({"import", (store.dir / "history.txt").string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot tell the format of"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--format jsonl"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(store.ledger)) << "nothing was touched";
  r = run_command(store.command({"import", "--format", "jsonl", (store.dir / "history.txt").string()}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(Cli, ConfigurationErrorsExitWithTwoAndNameFileLineAndKey) {
  AgentStore store;
  test::write_file(store.config,
                   "[store]\nid = \"centro\"\nzone = \"America/Sao_Paulo\"\n[[source]]\nkind = "
                   "\"jsonl\"\npath = \"pos/sales.jsonl\"\n");
  auto r = run_command(store.command({"status"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(store.config.string() + ":3: [store] has an unknown key \"zone\""), std::string::npos)
      << r.err;
  r = run_command({test::kAgentBinary, "run", "--config", (store.dir / "missing.toml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read the configuration file"), std::string::npos) << r.err;
}

TEST(Cli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run_command({test::kAgentBinary}).exit_code, 2);
  EXPECT_EQ(run_command({test::kAgentBinary, "frobnicate"}).exit_code, 2);
  EXPECT_EQ(run_command({test::kAgentBinary, "import"}).exit_code, 2) << "import needs files";
  EXPECT_EQ(run_command({test::kAgentBinary, "--version"}).exit_code, 0);
}

TEST(Cli, StatusBeforeAnyLedgerIsARuntimeFailureThatSaysWhatToDo) {
  AgentStore store;
  auto r = run_command(store.command({"status"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("does not exist yet"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(store.ledger));
}

TEST(Cli, StatusWorksWhileRunIsRunningAndRunStopsCleanlyOnSigterm) {
  AgentStore store;
  auto agent = store.start_agent();
  const std::string partial = R"({"type":"sale","id":"H-5")";
  test::append_file(store.pos_file, std::string(kHistory) + "\n" + partial);
  nlohmann::json s;
  for (int i = 0; i < 200; ++i) {
    s = store.status();
    if (s.is_object() && s["sales"] == 3 && s["quarantined"] == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(s.is_object());
  EXPECT_TRUE(agent->running());
  EXPECT_EQ(s["sales"], 3);
  EXPECT_EQ(s["cancelled"], 1);
  EXPECT_EQ(s["customers"], 1);
  EXPECT_EQ(s["quarantined"], 2);
  EXPECT_EQ(s["store"]["id"], "centro");
  ASSERT_EQ(s["sources"].size(), 1U);
  const auto& src = s["sources"][0];
  EXPECT_EQ(src["name"], "pdv");
  EXPECT_EQ(src["path"], store.pos_file.string());
  EXPECT_EQ(src["position"]["line"], 7);
  EXPECT_EQ(src["behind_bytes"], partial.size()) << "the partial last line waits for its end of line";
  EXPECT_EQ(src["state"], "reading");

  test::append_file(store.pos_file, R"(,"ts":"2026-01-08T10:00:00-03:00","total":"1.00"})"
                                    "\n");
  ASSERT_TRUE(store.wait_caught_up());
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  s = store.status();
  EXPECT_EQ(s["sales"], 4);
  EXPECT_EQ(s["sources"][0]["position"]["line"], 8);
  EXPECT_EQ(s["sources"][0]["behind_bytes"], 0);
  const auto log = test::read_file(store.dir / "agent.log");
  EXPECT_NE(log.find("received SIGTERM"), std::string::npos) << log;
}

}  // namespace
}  // namespace regua
