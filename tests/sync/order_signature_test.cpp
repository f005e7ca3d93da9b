// Signed orders from HQ (issue 10): the hub signs every order for one store of one network with its
// Ed25519 key; a store applies an order only when it verifies against the pinned hub key. Unsigned,
// wrongly signed, replayed (another store or network) or altered orders are parked with the
// reason, once, and never applied.

#include "sync/order_signature.hpp"

#include <gtest/gtest.h>

#include "local/identity/consents.hpp"
#include "sync/inbox.hpp"
#include "sync/outbox_publisher.hpp"
#include "sync/protocol/envelope.hpp"
#include "sync/protocol/topics.hpp"
#include "sync/record_builder.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {
namespace {

class OrderSignatureTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    for (const char* name : {"hq", "mallory"})
      ASSERT_TRUE(make_ed25519_key_pair(dir.path(), name));
    start({});
    buy("S-1", "C-1", "2026-03-01T14:00:00-03:00");
    auto b = sync::RecordBuilder::create(ledger->db(), sync::PiiSettings{sync::PiiPolicy::none, {}}, zone);
    ASSERT_TRUE(b.ok());
    builder = std::move(*b);
    publisher = std::make_unique<sync::OutboxPublisher>(ledger->db(), *builder, "centro",
                                                        sync::PublisherLimits{}, clock);
    inbox = std::make_unique<sync::Inbox>(ledger->db(), *publisher,
                                          sync::InboxSettings{"rede", "centro", dir / "hq.pub"}, clock);
  }

  static nlohmann::json opt_out(const std::string& id) {
    return {{"id", id}, {"order", "opt_out"}, {"customer_pos_id", "C-1"}, {"channels", {"sms"}}};
  }

  nlohmann::json signed_order(nlohmann::json header, const std::string& store = "centro",
                              const std::string& network = "rede", const char* signer = "hq") {
    auto s = sync::sign_hq_order(header, network, store, dir / (std::string(signer) + ".key"));
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return header;
  }

  // Delivers an order on centro's down/order topic, as the broker would.
  void deliver(nlohmann::json header) {
    const auto topic = sync::topic_for("rede", "centro", sync::Direction::down, "order");
    auto s = inbox->handle(topic, sync::encode_envelope("order", std::move(header)));
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  bool opted_out() {
    auto c = consent_for(ledger->db(), id_of("C-1"), Channel::sms);
    EXPECT_TRUE(c.ok());
    return c.ok() && *c == std::optional<bool>(false);
  }

  std::string parked_reason() {
    auto stmt = ledger->db().prepare("SELECT reason FROM sync_parked ORDER BY id DESC LIMIT 1");
    EXPECT_TRUE(stmt.ok());
    auto row = stmt->step();
    if (!row.ok() || !*row) return "";
    std::string reason(stmt->text(0));
    stmt->reset();
    return reason;
  }

  std::unique_ptr<sync::RecordBuilder> builder;
  std::unique_ptr<sync::OutboxPublisher> publisher;
  std::unique_ptr<sync::Inbox> inbox;
};

TEST_F(OrderSignatureTest, AnOrderSignedForThisStoreIsApplied) {
  deliver(signed_order(opt_out("o-1")));
  EXPECT_TRUE(opted_out());
  EXPECT_EQ(count("SELECT count(*) FROM hq_orders WHERE order_id = 'o-1' AND outcome = 'applied'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM sync_parked"), 0);
}

TEST_F(OrderSignatureTest, AnUnsignedOrderIsParkedOnceAndNeverApplied) {
  deliver(opt_out("o-2"));
  deliver(opt_out("o-2"));  // the hub (or whoever) sends it again
  EXPECT_FALSE(opted_out());
  EXPECT_EQ(count("SELECT count(*) FROM hq_orders"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM sync_parked"), 1) << "parked once";
  EXPECT_EQ(parked_reason(), "order refused: unsigned: the order carries no signature");
}

TEST_F(OrderSignatureTest, AnOrderSignedWithAnotherKeyIsParked) {
  deliver(signed_order(opt_out("o-3"), "centro", "rede", "mallory"));
  EXPECT_FALSE(opted_out());
  EXPECT_EQ(count("SELECT count(*) FROM hq_orders"), 0);
  EXPECT_NE(parked_reason().find("bad signature: it does not verify with the pinned key"), std::string::npos)
      << parked_reason();
}

TEST_F(OrderSignatureTest, AnOrderSignedForAnotherStoreOrNetworkCannotBeReplayedHere) {
  deliver(signed_order(opt_out("o-4"), "norte"));
  deliver(signed_order(opt_out("o-5"), "centro", "outra-rede"));
  EXPECT_FALSE(opted_out());
  EXPECT_EQ(count("SELECT count(*) FROM hq_orders"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM sync_parked WHERE reason LIKE 'order refused: bad signature%'"), 2);
}

TEST_F(OrderSignatureTest, AnyChangeToASignedOrderBreaksItsSignature) {
  auto order = signed_order(opt_out("o-6"));
  auto other_channel = order;
  other_channel["channels"] = {"whatsapp"};
  auto other_id = order;
  other_id["id"] = "o-7";
  auto added_field = order;
  added_field["at"] = 1;
  for (auto& tampered : {other_channel, other_id, added_field})
    deliver(tampered);
  EXPECT_EQ(count("SELECT count(*) FROM hq_orders"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM sync_parked"), 3);
  deliver(order);  // the genuine one still goes through
  EXPECT_TRUE(opted_out());
}

TEST_F(OrderSignatureTest, TheSignedBytesAreDocumentedOnes) {
  // docs/protocol.md, "Signed orders": the tag, network, store, id, then the fields without v, type
  // and signature, keys sorted, no spaces.
  const nlohmann::json header{{"v", 1},    {"type", "order"}, {"id", "o-8"}, {"order", "task_close"},
                              {"task", 7}, {"signature", "x"}};
  EXPECT_EQ(sync::order_signed_bytes("rede", "centro", header),
            "regua-order-v1\nrede\ncentro\no-8\n{\"id\":\"o-8\",\"order\":\"task_close\",\"task\":7}");
}

}  // namespace
}  // namespace regua::test
