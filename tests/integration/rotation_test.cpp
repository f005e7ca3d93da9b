// Rotation and truncation of the POS file while the real agent runs (inotify, its own timers).

#include <gtest/gtest.h>

#include "local/ledger/ledger.hpp"
#include "tests/support/agent_store.hpp"

namespace regua {
namespace {

namespace fs = std::filesystem;

std::string sales(int from, int to) {
  std::string text;
  for (int n = from; n <= to; ++n) {
    text += R"({"type":"sale","id":"R-)" + std::to_string(n) +
            R"(","ts":"2026-03-01T14:05:00-03:00","total":"10.00","customer":{"id":"C-)" +
            std::to_string(n % 7) + "\"}}\n";
  }
  return text;
}

bool wait_for_sales(const test::AgentStore& store, std::int64_t n) {
  for (int i = 0; i < 300; ++i) {
    if (store.ledger_int("SELECT count(*) FROM sales") >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(RotationTest, RenameAndCreateThenCopyTruncateWhileRunning) {
  test::AgentStore store;
  auto agent = store.start_agent();
  test::append_file(store.pos_file, sales(1, 100));
  ASSERT_TRUE(wait_for_sales(store, 100));

  // logrotate's default: rename, then the POS creates a new file.
  test::append_file(store.pos_file, sales(101, 150));
  fs::rename(store.pos_file, store.pos_folder / "sales.jsonl.1");
  test::append_file(store.pos_file, sales(151, 200));
  ASSERT_TRUE(wait_for_sales(store, 200)) << test::read_file(store.dir / "agent.log");

  // logrotate's copytruncate: copy, then truncate in place.
  test::append_file(store.pos_file, sales(201, 260));
  fs::copy_file(store.pos_file, store.pos_folder / "sales.jsonl.2");
  fs::resize_file(store.pos_file, 0);
  test::append_file(store.pos_file, sales(261, 300));
  ASSERT_TRUE(wait_for_sales(store, 300)) << test::read_file(store.dir / "agent.log");
  ASSERT_TRUE(store.wait_caught_up());

  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  EXPECT_EQ(store.ledger_int("SELECT count(*) FROM sales"), 300);
  EXPECT_EQ(store.ledger_int("SELECT count(DISTINCT pos_id) FROM sales"), 300);
  EXPECT_EQ(store.ledger_int("SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(store.ledger_int("SELECT count(*) FROM customers"), 7);
}

TEST(RotationTest, RotationWhileTheAgentIsDown) {
  test::AgentStore store;
  auto agent = store.start_agent();
  test::append_file(store.pos_file, sales(1, 50));
  ASSERT_TRUE(wait_for_sales(store, 50));
  agent->signal(SIGKILL);
  agent->wait();

  test::append_file(store.pos_file, sales(51, 80));
  fs::rename(store.pos_file, store.pos_folder / "sales.jsonl.1");
  test::append_file(store.pos_file, sales(81, 120));

  agent = store.start_agent();
  ASSERT_TRUE(wait_for_sales(store, 120)) << test::read_file(store.dir / "agent.log");
  ASSERT_TRUE(store.wait_caught_up());
  agent->signal(SIGINT);
  EXPECT_EQ(agent->wait(), 0);
  EXPECT_EQ(store.ledger_int("SELECT count(*) FROM sales"), 120);
}

}  // namespace
}  // namespace regua
