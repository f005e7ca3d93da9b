// `regua-agent backup` beside a running agent and `regua-agent restore`, as support staff use them.

#include <gtest/gtest.h>

#include "tests/support/agent_store.hpp"

namespace regua {
namespace {

using test::AgentStore;
using test::run_command;

std::string backup_sale_line(int i) {
  return R"({"type":"sale","id":"B-)" + std::to_string(i) +
         R"(","ts":"2026-03-01T10:00:00-03:00","total":"10.00","customer":{"id":"C-)" +
         std::to_string(i % 7) + R"("}})" + "\n";
}

TEST(BackupCli, ABackupTakenWhileTheAgentRunsRestoresAfterItStops) {
  AgentStore store;
  std::string lines;
  for (int i = 0; i < 200; ++i)
    lines += backup_sale_line(i);
  test::write_file(store.pos_file, lines);
  auto agent = store.start_agent();
  ASSERT_TRUE(store.wait_caught_up());

  const auto copy = store.dir / "copies" / "monday.db";
  auto backup = run_command(store.command({"backup", "--to", copy.string(), "--json"}));
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  const auto report = nlohmann::json::parse(backup.out);
  EXPECT_EQ(report["store"], "centro");
  EXPECT_EQ(report["backup"], copy.string());

  lines.clear();
  for (int i = 200; i < 250; ++i)
    lines += backup_sale_line(i);
  test::append_file(store.pos_file, lines);
  ASSERT_TRUE(store.wait_caught_up());
  ASSERT_EQ(store.status()["sales"], 250);

  auto busy = run_command(store.command({"restore", copy.string()}));
  EXPECT_EQ(busy.exit_code, 1) << "a restore under a running agent is refused";
  EXPECT_NE(busy.err.find("stop the agent"), std::string::npos) << busy.err;
  EXPECT_EQ(store.status()["sales"], 250);

  agent->signal(SIGTERM);
  ASSERT_EQ(agent->wait(), 0);
  auto restore = run_command(store.command({"restore", copy.string()}));
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_EQ(store.status()["sales"], 200);

  // The agent started on the restored ledger reads the 50 later sales again from its checkpoint:
  // the backup's checkpoint was taken with its rows, so nothing is lost and nothing doubled.
  agent = store.start_agent();
  ASSERT_TRUE(store.wait_caught_up());
  EXPECT_EQ(store.status()["sales"], 250);
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
}

TEST(BackupCli, RestoreRefusesTheBackupOfAnotherStore) {
  AgentStore other("shopping");
  test::write_file(other.pos_file, backup_sale_line(1));
  ASSERT_EQ(run_command(other.command({"import", other.pos_file.string()})).exit_code, 0);
  const auto copy = other.dir / "shopping.db";
  ASSERT_EQ(run_command(other.command({"backup", "--to", copy.string()})).exit_code, 0);

  AgentStore store;
  test::write_file(store.pos_file, backup_sale_line(2) + backup_sale_line(3));
  ASSERT_EQ(run_command(store.command({"import", store.pos_file.string()})).exit_code, 0);
  auto refused = run_command(store.command({"restore", copy.string()}));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("is a ledger of store 'shopping'"), std::string::npos) << refused.err;
  EXPECT_EQ(store.status()["sales"], 2) << "the store's ledger is untouched";
}

}  // namespace
}  // namespace regua
