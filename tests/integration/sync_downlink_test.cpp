// From HQ to the store: signed rule packs (a good one applied and run; unsigned, badly signed and
// older ones refused with the reason; the last good one kept across a restart) and an opt-out
// order given while the store was offline, applied when it comes back.

#include "local/ledger/sqlite.hpp"
#include "sync/protocol/topics.hpp"
#include "sync/rule_pack.hpp"
#include "tests/integration/sync_support.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {
namespace {

constexpr const char* kPackRules = "[[rule]]\nid = \"inactive-15d\"\nenabled = false\n";

std::int64_t rule_pack(const AgentStore& store, const char* field) {
  const auto s = store.status();
  return s.is_object() ? s["sync"]["rule_pack"][field].get<std::int64_t>() : -1;
}

TEST(SyncDownlink, SignedRulePacksAreCheckedAndTheLastGoodOneStays) {
  SyncNetwork net({"centro"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  AgentStore store{"centro"};
  net.join(store, "centro");
  write_file(store.pos_file, pos_sale(1, "2026-03-02T10:00:00-03:00"));
  auto hub = net.start_hub();
  auto agent = store.start_agent();
  ASSERT_TRUE(wait_until([&] { return net.hub_store("centro").is_object(); }))
      << read_file(store.dir / "agent.log");
  write_file(net.dir / "pack.toml", kPackRules);
  auto publish = [&](int version) {
    auto r = net.hub_command({"rules", "publish", "--file", (net.dir / "pack.toml").string(), "--version",
                              std::to_string(version)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };

  publish(1);
  EXPECT_TRUE(wait_until([&] { return rule_pack(store, "version") == 1; }));
  EXPECT_TRUE(wait_until([&] {
    return read_file(store.dir / "agent.log").find("restarting the rules with it") != std::string::npos;
  }));

  // Straight onto the store's rules topic with the hub's identity, as a compromised hub could.
  auto as_hub = net.client("hub");
  ASSERT_TRUE(as_hub);
  const auto rules_topic = sync::topic_for(kNetwork, "centro", sync::Direction::down, "rules");
  sync::RulePack unsigned_pack{kNetwork, 2, kPackRules, {}};
  ASSERT_TRUE(as_hub->publish_and_wait(rules_topic, sync::encode_rule_pack(unsigned_pack), true).ok());
  EXPECT_TRUE(wait_until([&] { return rule_pack(store, "refused") == 1; }));

  ASSERT_TRUE(test::make_ed25519_key_pair(net.dir.path(), "other"));
  sync::RulePack forged{kNetwork, 3, kPackRules, {}};
  ASSERT_TRUE(sync::sign_rule_pack(forged, net.dir / "other.key").ok());
  ASSERT_TRUE(as_hub->publish_and_wait(rules_topic, sync::encode_rule_pack(forged), true).ok());
  EXPECT_TRUE(wait_until([&] { return rule_pack(store, "refused") == 2; }));

  publish(4);
  EXPECT_TRUE(wait_until([&] { return rule_pack(store, "version") == 4; }));
  // The hub refuses to publish a version not above its newest...
  auto stale =
      net.hub_command({"rules", "publish", "--file", (net.dir / "pack.toml").string(), "--version", "3"});
  EXPECT_EQ(stale.exit_code, 2) << stale.out;
  EXPECT_NE(stale.err.find("version 4 is published already"), std::string::npos) << stale.err;
  // ...and the store refuses one that is properly signed but older than what runs, however it came.
  sync::RulePack older{kNetwork, 3, kPackRules, {}};
  ASSERT_TRUE(sync::sign_rule_pack(older, net.pki().signer_key()).ok());
  ASSERT_TRUE(as_hub->publish_and_wait(rules_topic, sync::encode_rule_pack(older), true).ok());
  EXPECT_TRUE(wait_until([&] { return rule_pack(store, "refused") == 3; }));
  EXPECT_EQ(rule_pack(store, "version"), 4);
  {
    auto ledger = sqlite::Db::open(store.ledger, sqlite::OpenMode::read_only);
    ASSERT_TRUE(ledger.ok());
    auto reasons =
        ledger->prepare("SELECT group_concat(reason, ' | ') FROM rule_packs WHERE status = 'refused'");
    ASSERT_TRUE(reasons.ok() && *reasons->step());
    const std::string text(reasons->text(0));
    EXPECT_NE(text.find("unsigned"), std::string::npos) << text;
    EXPECT_NE(text.find("bad signature"), std::string::npos) << text;
    EXPECT_NE(text.find("not newer than version 4"), std::string::npos) << text;
  }

  // Restarted, the agent runs version 4 from its ledger before it even connects.
  agent->signal(SIGTERM);
  ASSERT_EQ(agent->wait(), 0);
  std::filesystem::remove(store.dir / "agent.log");
  agent = store.start_agent();
  EXPECT_TRUE(wait_until([&] {
    return read_file(store.dir / "agent.log").find("running HQ's rule pack version 4") != std::string::npos;
  }));
  EXPECT_EQ(rule_pack(store, "version"), 4);
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  hub->signal(SIGTERM);
  hub->wait();
}

TEST(SyncDownlink, AnOptOutGivenWhileTheStoreWasOfflineIsAppliedWhenItReturns) {
  SyncNetwork net({"centro"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  AgentStore store{"centro"};
  net.join(store, "centro");
  write_file(store.pos_file, pos_sale(1, "2026-03-02T10:00:00-03:00"));
  auto hub = net.start_hub();
  {
    auto agent = store.start_agent();
    ASSERT_TRUE(wait_until(
        [&] { return reconcile_sync({store.pos_file}, store.ledger, net.hub_db, "centro", false).ok(); }));
    agent->signal(SIGTERM);
    ASSERT_EQ(agent->wait(), 0);
  }
  const auto first_session = net.hub_store("centro")["contiguous"].get<std::int64_t>();
  // Offline, the customer buys again under a new name: a customer record waits in the outbox,
  // before the order that will arrive.
  write_file(store.dir / "offline.jsonl",
             R"({"type":"sale","id":"S-900","ts":"2026-03-09T10:00:00-03:00","total":"12.90",)"
             R"("customer":{"id":"C-1","name":"Cliente Um","phone":"(11) 98000-0001"}})"
             "\n");
  ASSERT_EQ(run_command(store.command({"import", (store.dir / "offline.jsonl").string()})).exit_code, 0);
  // HQ hears the customer say no while the store is off.
  auto r = net.hub_command(
      {"order", "--store", "centro", "--json",
       R"({"id":"o-77","order":"opt_out","customer_pos_id":"C-1","channels":["sms","whatsapp"]})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto agent = store.start_agent();
  auto consent = [&] {
    auto ledger = sqlite::Db::open(store.ledger, sqlite::OpenMode::read_only);
    if (!ledger) return std::int64_t{-1};
    auto n = ledger->query_int("SELECT count(*) FROM consents WHERE granted = 0 AND source = 'hq'");
    return n.ok() ? *n : -1;
  };
  EXPECT_TRUE(wait_until([&] { return consent() == 2; })) << read_file(store.dir / "agent.log");
  auto done = [&] {
    auto db = sqlite::Db::open(net.hub_db, sqlite::OpenMode::read_only);
    if (!db) return std::string{};
    auto s = db->prepare(
        "SELECT coalesce(outcome, '') FROM orders WHERE order_id = 'o-77' AND done_at IS NOT NULL");
    if (!s) return std::string{};
    auto row = s->step();
    return row.ok() && *row ? std::string(s->text(0)) : std::string{};
  };
  EXPECT_TRUE(wait_until([&] { return done() == "applied"; })) << "the hub hears back through the stream";
  // The order was applied before anything left: even the customer record that waited in the
  // outbox from before the order arrived went up with the opt-out in it.
  {
    auto db = sqlite::Db::open(net.hub_db, sqlite::OpenMode::read_only);
    ASSERT_TRUE(db.ok());
    auto order_seq = db->query_int("SELECT min(seq) FROM records WHERE store = 'centro' AND kind = 'order'");
    ASSERT_TRUE(order_seq.ok());
    auto rows = db->prepare(
        "SELECT seq, body FROM records WHERE store = 'centro' AND kind = 'customer' AND seq > ?1 "
        "AND body LIKE '%\"pos_id_hash\"%' ORDER BY seq");
    ASSERT_TRUE(rows.ok());
    rows->bind(1, first_session);
    int before_order = 0;
    for (auto row = rows->step(); row.ok() && *row; row = rows->step()) {
      const std::string body(rows->text(1));
      EXPECT_NE(body.find("\"sms\":false"), std::string::npos)
          << "sent before the opt-out was applied: " << body;
      before_order += rows->int64(0) < *order_seq ? 1 : 0;
    }
    EXPECT_GE(before_order, 1) << "a customer record queued before the order came back";
  }
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  hub->signal(SIGTERM);
  hub->wait();
}

}  // namespace
}  // namespace regua::test
