// The agent killed with SIGKILL at random moments while the POS writes (and rotates) its file,
// then restarted, many times: at the end the ledger holds every distinct sale of the file exactly
// once and the quarantine exactly the bad lines.

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "agent/demo/sale_generator.hpp"
#include "local/ledger/ledger.hpp"
#include "tests/support/agent_store.hpp"
#include "tests/support/ledger_rows.hpp"
#include "tests/support/waiting.hpp"

namespace regua {
namespace {

struct ExpectedSales {
  std::set<std::string> sales;
  std::set<std::string> cancelled;
  std::multiset<std::string> malformed;
};

// The POS: appends lines, sometimes in two writes (a line caught half-written), sometimes replaying
// an earlier line, and rotates its file twice by rename-and-create.
ExpectedSales write_pos_file(const std::filesystem::path& file, std::uint64_t seed, int lines) {
  GeneratorOptions options;
  options.seed = seed;
  options.store_id = "centro";
  options.id_prefix = "K-";
  options.customers = 300;
  options.start = Seconds{std::chrono::seconds{1'767'225'600}};
  options.malformed_share = 0.03;
  options.cancel_share = 0.03;
  options.customer_event_share = 0.01;
  SaleGenerator generator(options);
  std::mt19937_64 rng(seed * 31 + 7);
  ExpectedSales expected;
  std::vector<std::string> written;
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  for (int i = 0; i < lines; ++i) {
    if (i > 0 && i % (lines / 3) == 0) {  // rotate
      ::close(fd);
      std::filesystem::rename(file, file.string() + "." + std::to_string(i));
      fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }
    std::string line;
    if (!written.empty() && rng() % 50 == 0) {
      line = written[rng() % written.size()];  // the POS sends a line again
    } else {
      const auto g = generator.next();
      line = g.text;
      switch (g.kind) {
        case GeneratedLine::Kind::sale:
          expected.sales.insert(g.sale_id);
          written.push_back(line);
          break;
        case GeneratedLine::Kind::cancel:
          expected.cancelled.insert(g.sale_id);
          break;
        case GeneratedLine::Kind::malformed:
          expected.malformed.insert(line);
          break;
        case GeneratedLine::Kind::customer:
          break;
      }
    }
    line += '\n';
    if (rng() % 10 == 0) {
      const auto cut = 1 + rng() % (line.size() - 1);
      (void)!::write(fd, line.data(), cut);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      (void)!::write(fd, line.data() + cut, line.size() - cut);
    } else {
      (void)!::write(fd, line.data(), line.size());
    }
    if (i % 4 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  ::close(fd);
  return expected;
}

TEST(CrashTest, KillNineAtRandomMomentsLosesAndDuplicatesNothing) {
  test::AgentStore store;
  const std::uint64_t seed = 20260301;
  std::mt19937_64 rng(seed);

  // The agent's promise starts when it has opened the POS file: a file rotated away before that
  // (no checkpoint names it) is history for `import`. So the first start is let through to the
  // file before the kills begin; on a loaded machine a start can outlast every kill window below.
  test::write_file(store.pos_file, "");
  {
    auto first = store.start_agent();
    ASSERT_TRUE(first->started());
    ASSERT_TRUE(test::eventually([&] { return store.ledger_int("SELECT count(*) FROM checkpoints") > 0; }))
        << test::read_file(store.dir / "agent.log");
    first->signal(SIGKILL);
    EXPECT_EQ(first->wait(), 128 + SIGKILL);
  }

  std::atomic<bool> writing{true};
  ExpectedSales expected;
  std::thread pos([&] {
    expected = write_pos_file(store.pos_file, seed, 6000);
    writing = false;
  });

  int kills = 0;
  while (writing || kills < 20) {
    auto agent = store.start_agent();
    ASSERT_TRUE(agent->started());
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 400));
    agent->signal(SIGKILL);
    EXPECT_EQ(agent->wait(), 128 + SIGKILL);
    ++kills;
  }
  pos.join();
  EXPECT_GE(kills, 20);

  auto agent = store.start_agent();
  ASSERT_TRUE(store.wait_caught_up()) << test::read_file(store.dir / "agent.log");
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);

  ManualClock clock(Seconds{});
  auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", true, false}, clock);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  auto& db = ledger->db();

  const auto sales = test::text_rows(db, "SELECT pos_id FROM sales");
  EXPECT_EQ(sales.size(), expected.sales.size()) << "each sale once";
  EXPECT_EQ(test::distinct(sales), expected.sales) << "every sale";
  EXPECT_EQ(test::text_rows(db, "SELECT raw FROM quarantine"), expected.malformed) << "exactly the bad lines";
  EXPECT_EQ(test::distinct(test::text_rows(db, "SELECT pos_id FROM sales WHERE cancelled_at IS NOT NULL")),
            expected.cancelled);
  EXPECT_GT(expected.malformed.size(), 50U);
  EXPECT_GT(expected.cancelled.size(), 50U);
}

}  // namespace
}  // namespace regua
