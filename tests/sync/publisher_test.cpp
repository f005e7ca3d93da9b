// The outbox publisher: batches that cover the sequence without gaps, a bounded window, rows
// deleted only on the hub's end-to-end ack, resend from a sequence number, a stuck window noticed.
// `send` here keeps what would go to the broker; tests/integration/sync_*_test.cpp run it over a
// real Mosquitto.

#include <thread>

#include <gtest/gtest.h>

#include "local/ledger/outbox.hpp"
#include "sync/outbox_publisher.hpp"
#include "sync/protocol/batch.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua::test {
namespace {

using sync::OutboxPublisher;

class PublisherTest : public IdentityTest {
 protected:
  void SetUp() override {
    IdentityTest::SetUp();
    auto b = sync::RecordBuilder::create(ledger->db(), sync::PiiSettings{sync::PiiPolicy::none, {}}, zone);
    ASSERT_TRUE(b.ok());
    builder = std::move(*b);
  }

  void sales(int n, int from = 0) {
    ASSERT_TRUE(ingestor->begin().ok());
    for (int i = from; i < from + n; ++i)
      ASSERT_TRUE(ingestor->apply(sale("S-" + std::to_string(i), 1000), "pdv").ok());
    ASSERT_TRUE(ingestor->commit().ok());
  }

  std::unique_ptr<OutboxPublisher> publisher(sync::PublisherLimits limits) {
    auto p = std::make_unique<OutboxPublisher>(ledger->db(), *builder, "centro", limits, clock);
    EXPECT_TRUE(p->start_session().ok());
    return p;
  }

  int pump(OutboxPublisher& p) {
    auto n = p.pump([this](const std::string& payload) {
      auto e = sync::decode_envelope(payload);
      EXPECT_TRUE(e.ok());
      auto b = sync::decode_batch(*e);
      EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
      sent.push_back(std::move(*b));
      return Status{};
    });
    EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
    return n.ok() ? *n : -1;
  }

  FixedStoreZone zone{std::chrono::hours(-3)};
  std::unique_ptr<sync::RecordBuilder> builder;
  std::vector<sync::DecodedBatch> sent;
};

TEST_F(PublisherTest, BatchesCoverTheSequenceAndTheWindowIsBounded) {
  sales(25);
  auto p = publisher({.window = 2, .batch_records = 10});
  EXPECT_EQ(pump(*p), 2);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].first, 1);
  EXPECT_EQ(sent[0].last, 10);
  EXPECT_EQ(sent[1].first, 11);
  EXPECT_EQ(sent[1].last, 20);
  EXPECT_EQ(pump(*p), 0) << "the window is full until the hub acks";
  ASSERT_TRUE(p->on_ack(10).ok());
  EXPECT_EQ(outbox_depth(ledger->db())->waiting, 15) << "only the ack deletes";
  EXPECT_EQ(pump(*p), 1);
  EXPECT_EQ(sent[2].first, 21);
  EXPECT_EQ(sent[2].last, 25);
}

TEST_F(PublisherTest, BatchesStayUnderTheirByteCap) {
  sales(300);
  auto p = publisher({.window = 100, .batch_records = 100'000, .batch_bytes = 4096});
  pump(*p);
  std::int64_t next = 1;
  for (const auto& b : sent) {
    EXPECT_EQ(b.first, next);
    next = b.last + 1;
    std::size_t bytes = 0;
    for (const auto& r : b.records)
      bytes += r.body.dump().size() + 1;
    EXPECT_LE(bytes, 4096u + 200u);
  }
  EXPECT_EQ(next, 301);
  EXPECT_GT(sent.size(), 5u);
}

TEST_F(PublisherTest, AResendGoesBackToTheHubsAckAndRowsDroppedByPolicyLeaveNoHole) {
  sales(30);
  auto p = publisher({.window = 8, .batch_records = 10});
  pump(*p);
  ASSERT_EQ(sent.size(), 3u);
  ASSERT_TRUE(p->on_ack(10).ok());
  p->on_resend(5);  // below the ack: from the ack on
  sent.clear();
  pump(*p);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].first, 11);
  // A row deleted in the middle (the policy dropped it) is covered by the batch's range.
  ASSERT_TRUE(ledger->db().exec("DELETE FROM outbox WHERE seq = 23").ok());
  p->on_resend(21);
  sent.clear();
  pump(*p);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, 21);
  EXPECT_EQ(sent[0].last, 30);
  EXPECT_EQ(sent[0].records.size(), 9u);
}

TEST_F(PublisherTest, NoAckForTooLongIsAStuckConnection) {
  sales(5);
  auto p = publisher({.window = 8, .batch_records = 10, .ack_timeout = std::chrono::milliseconds(50)});
  EXPECT_FALSE(p->stuck(std::chrono::steady_clock::now()));
  pump(*p);
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!p->stuck(std::chrono::steady_clock::now()) && std::chrono::steady_clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(p->stuck(std::chrono::steady_clock::now()));
  ASSERT_TRUE(p->on_ack(5).ok());
  EXPECT_FALSE(p->stuck(std::chrono::steady_clock::now())) << "nothing in flight";
}

TEST_F(PublisherTest, ANewSessionSendsAgainFromTheRecordedAck) {
  sales(20);
  auto p = publisher({.window = 8, .batch_records = 10});
  pump(*p);
  ASSERT_TRUE(p->on_ack(10).ok());
  auto q = publisher({.window = 8, .batch_records = 10});  // after a restart or a reconnect
  sent.clear();
  pump(*q);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, 11);
  EXPECT_EQ(sent[0].acked, 10);
}

TEST_F(PublisherTest, ANewConnectionSendsNothingUntilTheHubAnswersItsHello) {
  sales(5);
  auto p = publisher({.window = 8, .batch_records = 10, .ack_timeout = std::chrono::milliseconds(50)});
  p->hold_until_acked();
  EXPECT_EQ(pump(*p), 0) << "the orders waiting at the hub come before the ack: nothing leaves before them";
  EXPECT_TRUE(sent.empty());
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!p->stuck(std::chrono::steady_clock::now()) && std::chrono::steady_clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(p->stuck(std::chrono::steady_clock::now())) << "a hello never answered is a stuck connection";
  ASSERT_TRUE(p->on_ack(0).ok());  // the hub's answer: it has nothing of this store yet
  EXPECT_FALSE(p->stuck(std::chrono::steady_clock::now()));
  EXPECT_EQ(pump(*p), 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, 1);
}

}  // namespace
}  // namespace regua::test
