// The store's stream to the hub through everything that goes wrong on the way: the broker killed
// and restarted (persistence off) in the middle of a stream, the hub killed and restarted, the
// link down for a week of sales, poison on both sides. At the end the checker reconciles the POS
// file, the store's ledger and the hub: every record once, in the store's order.

#include "sync/protocol/topics.hpp"
#include "tests/integration/sync_support.hpp"

namespace regua::test {
namespace {

class SyncStreamTest : public ::testing::Test {
 protected:
  SyncStreamTest() : net({"centro"}) {}

  void SetUp() override { ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log()); }

  void write_sales(int from, int to, const std::string& day = "2026-03-02", int cancel_every = 37) {
    std::string text;
    for (int n = from; n < to; ++n) {
      const int minute = n % 600;
      const std::string when = day + "T" + (minute / 60 + 9 < 10 ? "0" : "") +
                               std::to_string(minute / 60 + 9) + ":" + (minute % 60 < 10 ? "0" : "") +
                               std::to_string(minute % 60) + ":00-03:00";
      text += pos_sale(n, when);
      if (n % cancel_every == 0) text += pos_cancel(n, when);
    }
    append_file(store.pos_file, text);
  }

  Reconciliation check(bool drained = false) {
    return reconcile_sync({store.pos_file}, store.ledger, net.hub_db, "centro", drained);
  }

  // Everything written so far is at the hub, once (heartbeats keep coming, so "drained" is not
  // waited for: the ack is compared separately).
  void expect_all_at_hub(std::chrono::seconds limit = std::chrono::seconds(90)) {
    EXPECT_TRUE(wait_until([&] { return check().ok(); }, limit)) << check().text();
  }

  SyncNetwork net;
  AgentStore store{"centro"};
};

TEST_F(SyncStreamTest, BrokerAndHubKilledMidStreamLoseAndDoubleNothing) {
  net.join(store, "centro");
  auto hub = net.start_hub();
  auto agent = store.start_agent();
  write_sales(0, 400);
  ASSERT_TRUE(wait_until([&] {
    const auto h = net.hub_store("centro");
    return h.is_object() && h["contiguous"].get<std::int64_t>() > 50;
  })) << read_file(store.dir / "agent.log");

  // The broker dies mid-stream (nothing persisted) while the POS goes on, then comes back.
  write_sales(400, 800);
  net.broker->kill();
  write_sales(800, 1000);
  ASSERT_TRUE(store.wait_caught_up());
  ASSERT_TRUE(net.broker->restart()) << read_file(net.broker->log());
  expect_all_at_hub();

  // The hub dies (SIGKILL) between its commit and its ack, or anywhere else. Batches keep going
  // out and no ack comes back while TCP stays up: the agent sees a stuck connection and resets it.
  write_sales(1000, 1400);
  hub->signal(SIGKILL);
  hub->wait();
  write_sales(1400, 1600);
  EXPECT_TRUE(wait_until([&] {
    return read_file(store.dir / "agent.log").find("resetting the connection") != std::string::npos;
  })) << "the stuck window after the hub died";
  hub = net.start_hub();
  expect_all_at_hub();

  const auto status = store.status();
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["sync"]["state"], "connected");
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  hub->signal(SIGTERM);
  EXPECT_EQ(hub->wait(), 0);
  const auto final_check = check();
  EXPECT_TRUE(final_check.ok()) << final_check.text();
  EXPECT_EQ(final_check.pos_sales, 1600);
  EXPECT_GE(final_check.hub_contiguous, final_check.ledger_acked)
      << "the store deletes only what the hub committed";
  const auto log = read_file(store.dir / "agent.log");
  EXPECT_NE(log.find("resetting the connection"), std::string::npos) << "the stuck window after the hub died";
}

TEST_F(SyncStreamTest, AWeekOfflineIsDrainedWhenTheLinkComesBack) {
  net.join(store, "centro");
  net.broker->kill();  // the link is down from the start
  auto agent = store.start_agent();
  // A week of a busy store's sales, ingested while nothing reaches the hub.
  for (int day = 0; day < 7; ++day)
    write_sales(day * 1500, (day + 1) * 1500, "2026-03-0" + std::to_string(day + 2), 53);
  ASSERT_TRUE(store.wait_caught_up(std::chrono::seconds(120)));
  const auto waiting = store.status();
  ASSERT_TRUE(waiting.is_object());
  EXPECT_GT(waiting["sync"]["outbox_depth"].get<std::int64_t>(), 10'500);
  EXPECT_NE(waiting["sync"]["state"], "connected");
  EXPECT_FALSE(waiting["sync"]["error"].is_null());
  EXPECT_EQ(waiting["sync"]["last_ack"]["seq"], 0) << "nothing reached the hub";

  ASSERT_TRUE(net.broker->restart()) << read_file(net.broker->log());
  auto hub = net.start_hub();
  expect_all_at_hub(std::chrono::seconds(120));
  EXPECT_TRUE(wait_until([&] {
    const auto s = store.status();
    return s.is_object() && s["sync"]["outbox_depth"].get<std::int64_t>() <= 1;  // a heartbeat may wait
  }));
  const auto drained = store.status();
  ASSERT_TRUE(drained.is_object());
  EXPECT_EQ(drained["sync"]["state"], "connected");
  EXPECT_GE(drained["sync"]["last_ack"]["seq"].get<std::int64_t>(), 10'500) << "every sale acknowledged";
  EXPECT_FALSE(drained["sync"]["last_ack"]["at"].is_null());
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  hub->signal(SIGTERM);
  hub->wait();
  const auto r = check();
  EXPECT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.pos_sales, 10'500);
}

TEST_F(SyncStreamTest, PoisonOnEitherSideIsParkedAndTheFlowGoesOn) {
  net.join(store, "centro");
  auto hub = net.start_hub();
  auto agent = store.start_agent();
  write_sales(0, 100);
  expect_all_at_hub();

  // Up: garbage and a message of an unknown schema version on the store's own batch topic.
  auto as_store = net.client("centro");
  ASSERT_TRUE(as_store);
  const auto up = sync::topic_for(kNetwork, "centro", sync::Direction::up, "batch");
  ASSERT_TRUE(as_store->publish_and_wait(up, "\x01\x02 not a message").ok());
  ASSERT_TRUE(as_store->publish_and_wait(up, "{\"v\":9,\"type\":\"batch\"}\nwhatever").ok());
  // Down: garbage on the store's ack topic, from the hub's identity.
  auto as_hub = net.client("hub");
  ASSERT_TRUE(as_hub);
  ASSERT_TRUE(as_hub
                  ->publish_and_wait(sync::topic_for(kNetwork, "centro", sync::Direction::down, "ack"),
                                     "{\"v\":1,\"type\":\"ack\",\"acked\":\"lots\"}\n")
                  .ok());

  write_sales(100, 300);
  expect_all_at_hub();
  EXPECT_TRUE(wait_until([&] { return net.hub_parked() == 2; })) << net.hub_parked();
  EXPECT_TRUE(wait_until([&] {
    const auto s = store.status();
    return s.is_object() && s["sync"]["parked"] == 1;
  }));
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  hub->signal(SIGTERM);
  hub->wait();
  const auto log = read_file(net.dir / "hub.log");
  EXPECT_NE(log.find("schema version 9"), std::string::npos) << log;
}

}  // namespace
}  // namespace regua::test
