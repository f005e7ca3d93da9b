// The MQTT link under a burst of publishes, against the real Mosquitto: the hub answers a thousand
// stores' batches with an ack each, faster than paho's one send thread (shared by every client of
// the process) writes them out. paho refuses a publish while 100 of the client's messages wait to
// be sent (its "buffered" limit applies when connected too, MQTTAsync.h), and a refused ack left a
// store waiting ack_timeout_s before it resent everything; bench/hub showed it at 1,000 stores.
// And the broker's receive maximum for the hub (installer/mosquitto: max_inflight_messages) must not
// throttle them: at 64, paho sent about 90 a second (5,000 took 56 s here), now thousands.

#include "sync/protocol/topics.hpp"
#include "tests/integration/sync_support.hpp"

namespace regua::test {
namespace {

TEST(SyncLinkBurst, ThousandsOfPublishesWithoutWaitingAreAllTakenAndDelivered) {
  SyncNetwork net({"a"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  auto hub = net.client("hub");
  auto store = net.client("a");
  ASSERT_TRUE(hub && store);
  auto granted = store->subscribe(sync::store_filter(kNetwork, "a", sync::Direction::down));
  ASSERT_TRUE(granted.ok()) << granted.error().message;
  ASSERT_LT(*granted, 0x80);

  constexpr int kAcks = 10000;
  const auto topic = sync::topic_for(kNetwork, "a", sync::Direction::down, "ack");
  for (int n = 1; n <= kAcks; ++n) {
    auto s = hub->publish(topic, "ack " + std::to_string(n));
    ASSERT_TRUE(s.ok()) << "publish " << n << " of " << kAcks << ": " << s.error().message;
  }
  int received = 0;
  int last = 0;
  // A generous limit (a few seconds are enough) that a throttled link (100 s) still misses.
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (received < kAcks && std::chrono::steady_clock::now() < end) {
    auto e = store->next_event(std::chrono::milliseconds(100));
    if (!e || e->kind != sync::LinkEvent::Kind::message) continue;
    ++received;
    last = std::stoi(e->payload.substr(4));
  }
  EXPECT_EQ(received, kAcks);
  EXPECT_EQ(last, kAcks) << "the broker delivers one publisher's messages in order";
}

}  // namespace
}  // namespace regua::test
