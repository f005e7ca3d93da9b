// The broker's ACL with real clients and real certificates: a store's certificate cannot write
// another store's topics, read them, or subscribe to everything.

#include "sync/protocol/topics.hpp"
#include "tests/integration/sync_support.hpp"

namespace regua::test {
namespace {

using sync::Direction;
using sync::topic_for;

// Messages `link` received until `marker` arrived (the marker itself left out); the broker
// delivers a client's messages in order, so anything forbidden published before the marker would
// be here.
std::vector<std::string> received_until(sync::MqttLink& link, const std::string& marker) {
  std::vector<std::string> got;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < end) {
    auto e = link.next_event(std::chrono::milliseconds(100));
    if (!e || e->kind != sync::LinkEvent::Kind::message) continue;
    if (e->payload == marker) return got;
    got.push_back(e->topic + " " + e->payload);
  }
  ADD_FAILURE() << "the marker " << marker << " never arrived";
  return got;
}

TEST(SyncAcl, AStoreCertificateReachesOnlyItsOwnTopics) {
  SyncNetwork net({"a", "b"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  auto hub = net.client("hub");
  auto a = net.client("a");
  auto b = net.client("b");
  ASSERT_TRUE(hub && a && b);
  auto hub_sub = hub->subscribe(sync::hub_filter(kNetwork, "hubs"));
  ASSERT_TRUE(hub_sub.ok());
  EXPECT_LT(*hub_sub, 0x80);

  // Write: A forging B's up/ is refused (PUBACK 0x87) and the hub never sees it. (paho closes a
  // connection after a refused publish, so each forbidden publish gets a connection of its own;
  // the broker routes a publish before it acks it, so the hub would have it before the marker.)
  auto forger = net.client("a");
  ASSERT_TRUE(forger);
  auto forged = forger->publish_and_wait(topic_for(kNetwork, "b", Direction::up, "batch"), "forged-by-a");
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(*forged, 0x87) << "not authorised";
  auto legit = a->publish_and_wait(topic_for(kNetwork, "a", Direction::up, "batch"), "marker-a");
  ASSERT_TRUE(legit.ok()) << legit.error().message;
  EXPECT_EQ(*legit, 0);
  EXPECT_TRUE(received_until(*hub, "marker-a").empty());

  // A may not write down/ topics either (its own or anyone's): only the hub does.
  auto faker = net.client("a");
  ASSERT_TRUE(faker);
  auto fake_ack = faker->publish_and_wait(topic_for(kNetwork, "a", Direction::down, "ack"), "fake");
  ASSERT_TRUE(fake_ack.ok());
  EXPECT_EQ(*fake_ack, 0x87);

  // Read: A subscribing to B's down/ and to everything gets nothing of B's.
  auto spy = a->subscribe(sync::store_filter(kNetwork, "b", Direction::down));
  auto everything = a->subscribe("#");
  auto own = a->subscribe(sync::store_filter(kNetwork, "a", Direction::down));
  ASSERT_TRUE(spy.ok() && everything.ok() && own.ok());
  EXPECT_LT(*own, 0x80);
  ASSERT_TRUE(b->subscribe(sync::store_filter(kNetwork, "b", Direction::down)).ok());
  // B's own up/ (what it tells the hub) is not A's to read either.
  ASSERT_EQ(*b->publish_and_wait(topic_for(kNetwork, "b", Direction::up, "batch"), "secret-from-b"), 0);
  ASSERT_EQ(*b->publish_and_wait(topic_for(kNetwork, "b", Direction::up, "batch"), "marker-b-up"), 0);
  const auto hub_got = received_until(*hub, "marker-b-up");
  ASSERT_EQ(hub_got.size(), 1u) << "the hub reads B's up/";
  EXPECT_NE(hub_got[0].find("secret-from-b"), std::string::npos);
  ASSERT_TRUE(hub->publish_and_wait(topic_for(kNetwork, "b", Direction::down, "ack"), "secret-for-b").ok());
  ASSERT_TRUE(hub->publish_and_wait(topic_for(kNetwork, "b", Direction::down, "ack"), "marker-b").ok());
  ASSERT_TRUE(hub->publish_and_wait(topic_for(kNetwork, "a", Direction::down, "ack"), "marker-a2").ok());
  const auto a_got = received_until(*a, "marker-a2");
  EXPECT_TRUE(a_got.empty()) << "store a read " << a_got.front();
  // B did get it: the message was really there to be read.
  const auto b_got = received_until(*b, "marker-b");
  ASSERT_EQ(b_got.size(), 1u);
  EXPECT_NE(b_got[0].find("secret-for-b"), std::string::npos);
}

}  // namespace
}  // namespace regua::test
