// The same batches delivered several times and out of order (what a resend after a lost ack, a
// duplicate PUBLISH after a reconnect, or a second broker path looks like to the hub): the hub
// stores every record once and acks only what is contiguous.

#include <algorithm>
#include <random>

#include "local/ledger/ledger.hpp"
#include "sync/outbox_publisher.hpp"
#include "sync/protocol/topics.hpp"
#include "sync/record_builder.hpp"
#include "tests/integration/sync_support.hpp"

namespace regua::test {
namespace {

TEST(SyncReplay, BatchesDeliveredManyTimesAndOutOfOrderAreStoredOnce) {
  SyncNetwork net({"centro"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  AgentStore store{"centro"};
  std::string history;
  for (int n = 0; n < 3000; ++n)
    history += pos_sale(n, "2026-03-02T1" + std::to_string(n % 10) + ":00:00-03:00");
  write_file(store.dir / "history.jsonl", history);
  ASSERT_EQ(run_command(store.command({"import", (store.dir / "history.jsonl").string()})).exit_code, 0);

  // The store's batches, built by its publisher as the agent would, kept instead of sent.
  std::vector<std::string> batches;
  {
    SystemClock clock;
    auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro"}, clock);
    ASSERT_TRUE(ledger.ok()) << ledger.error().message;
    FixedStoreZone zone(std::chrono::hours(-3));
    auto builder = sync::RecordBuilder::create(ledger->db(), {sync::PiiPolicy::none, {}}, zone);
    ASSERT_TRUE(builder.ok());
    sync::OutboxPublisher publisher(ledger->db(), **builder, "centro", {.window = 1000, .batch_records = 250},
                                    clock);
    ASSERT_TRUE(publisher.start_session().ok());
    auto sent = publisher.pump([&](const std::string& payload) {
      batches.push_back(payload);
      return Status{};
    });
    ASSERT_TRUE(sent.ok());
  }
  ASSERT_GT(batches.size(), 10u);

  auto hub = net.start_hub();
  auto as_store = net.client("centro");
  ASSERT_TRUE(as_store);
  std::vector<std::string> deliveries;
  for (int copy = 0; copy < 3; ++copy)
    deliveries.insert(deliveries.end(), batches.begin(), batches.end());
  std::mt19937 shuffle_order(7);
  std::shuffle(deliveries.begin(), deliveries.end(), shuffle_order);
  // The hub must be subscribed before the first delivery counts: wait for its first ack to a hello.
  ASSERT_TRUE(
      wait_until([&] { return read_file(net.dir / "hub.log").find("consuming") != std::string::npos; }));
  const auto up = sync::topic_for(kNetwork, "centro", sync::Direction::up, "batch");
  for (const auto& payload : deliveries) {
    auto code = as_store->publish_and_wait(up, payload);
    ASSERT_TRUE(code.ok());
    ASSERT_EQ(*code, 0);
  }
  const auto all_there = [&] {
    return reconcile_sync({store.dir / "history.jsonl"}, store.ledger, net.hub_db, "centro", false).ok();
  };
  EXPECT_TRUE(wait_until(all_there, std::chrono::seconds(90)));
  const auto r = reconcile_sync({store.dir / "history.jsonl"}, store.ledger, net.hub_db, "centro", false);
  EXPECT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.hub_sales, 3000);
  const auto row = net.hub_store("centro");
  ASSERT_TRUE(row.is_object());
  EXPECT_EQ(row["records"], row["contiguous"]) << "every sequence number once, no hole";
  hub->signal(SIGTERM);
  EXPECT_EQ(hub->wait(), 0);
}

}  // namespace
}  // namespace regua::test
