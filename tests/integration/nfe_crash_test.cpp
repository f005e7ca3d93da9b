// The fiscal XML folder source killed with SIGKILL at random moments while the POS drops notes,
// cancellations, copies and broken files, then restarted, many times: at the end every note is in
// the ledger exactly once, the cancelled ones cancelled, each broken file quarantined once, and
// every file moved to the processed folder.

#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "local/ledger/ledger.hpp"
#include "tests/support/agent_store.hpp"
#include "tests/support/fiscal_documents.hpp"
#include "tests/support/ledger_rows.hpp"

namespace regua {
namespace {

namespace fs = std::filesystem;

struct ExpectedDocuments {
  std::set<std::string> sales;
  std::set<std::string> cancelled;
  std::set<std::string> broken_files;
  std::size_t files = 0;
};

// The POS: writes each note straight into its final name in two pieces (so the agent may find it
// half-written), now and then a cancellation of an earlier note, a copy of an earlier note under
// another name, or a broken file.
ExpectedDocuments write_documents(const fs::path& folder, std::uint64_t seed, int notes) {
  std::mt19937_64 rng(seed);
  ExpectedDocuments expected;
  std::vector<long> written;
  for (int i = 1; i <= notes; ++i) {
    std::string name, bytes;
    const auto roll = rng() % 100;
    if (roll < 5 && !written.empty()) {
      const long n = written[rng() % written.size()];
      name = "cancelamento-" + std::to_string(i) + ".xml";
      bytes = test::cancellation(n);
      expected.cancelled.insert(test::access_key(n));
    } else if (roll < 8 && !written.empty()) {
      const long n = written[rng() % written.size()];
      name = "copia-" + std::to_string(i) + ".xml";
      bytes = test::nfce(n, 1000 + n);
    } else if (roll < 11) {
      name = "quebrada-" + std::to_string(i) + ".xml";
      const auto note = test::nfce(i, 1000 + i);
      bytes = note.substr(0, note.size() / 2);
      expected.broken_files.insert(name);
    } else {
      name = "nota-" + std::to_string(i) + ".xml";
      bytes = test::nfce(i, 1000 + i, i % 3 == 0 ? "52998224725" : "");
      written.push_back(i);
      expected.sales.insert(test::access_key(i));
    }
    const auto cut = bytes.size() / 3;
    test::write_file(folder / name, bytes.substr(0, cut));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    test::append_file(folder / name, bytes.substr(cut));
    ++expected.files;
    if (i % 3 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return expected;
}

TEST(NfeCrashTest, KillNineAtRandomMomentsLosesAndDuplicatesNothing) {
  test::AgentStore store;
  const fs::path folder = store.dir / "nfe";
  const fs::path done = store.dir / "lidos";
  fs::create_directories(folder);
  test::write_file(store.config, R"([store]
id = "centro"
[http]
enabled = false
[[source]]
name = "nfe"
kind = "nfe"
path = "nfe"
poll_interval_ms = 100
[source.nfe]
processed_dir = "lidos"
settle_ms = 1000
)");
  const std::uint64_t seed = 20260302;
  std::mt19937_64 rng(seed);
  std::atomic<bool> writing{true};
  ExpectedDocuments expected;
  std::thread pos([&] {
    expected = write_documents(folder, seed, 700);
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
  bool emptied = false;
  for (int i = 0; i < 1200 && !emptied; ++i) {
    emptied = fs::is_empty(folder) && store.status()["sources"][0]["state"] == "up to date";
    if (!emptied) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(emptied) << test::read_file(store.dir / "agent.log");
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);

  ManualClock clock(Seconds{});
  auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", true, false}, clock);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  auto& db = ledger->db();
  const auto sales = test::text_rows(db, "SELECT pos_id FROM sales");
  EXPECT_EQ(sales.size(), expected.sales.size()) << "each note once";
  EXPECT_EQ(test::distinct(sales), expected.sales) << "every note";
  EXPECT_EQ(test::distinct(test::text_rows(db, "SELECT pos_id FROM sales WHERE cancelled_at IS NOT NULL")),
            expected.cancelled);

  std::multiset<std::string> quarantined;
  for (const auto& file : test::text_rows(db, "SELECT file FROM quarantine"))
    quarantined.emplace(fs::path(file).filename().string());
  EXPECT_EQ(quarantined,
            std::multiset<std::string>(expected.broken_files.begin(), expected.broken_files.end()))
      << "each broken file once, and nothing read half-way";

  std::size_t moved = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(done))
    ++moved;
  EXPECT_EQ(moved, expected.files) << "every file moved, none lost";
  EXPECT_GT(expected.cancelled.size(), 10U);
  EXPECT_GT(expected.broken_files.size(), 10U);
}

}  // namespace
}  // namespace regua
