// HQ's rule packs and orders through the real binaries (Mosquitto over TLS, regua-hub, two
// regua-agent stores): a pack published to a region reaches the store in that region and not the
// other, `rules adoption` shows it; an order forged on a store's topic is parked, not applied, while
// the hub's own signed order is; `stores --json` shows each store's sync lag in seconds.

#include "local/ledger/sqlite.hpp"
#include "sync/order_signature.hpp"
#include "sync/protocol/envelope.hpp"
#include "sync/protocol/topics.hpp"
#include "tests/integration/sync_support.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {
namespace {

constexpr const char* kRegionPack = R"([[rule]]
id = "volte-30d"
trigger = { kind = "days_without_purchase", days = 30 }
action = { kind = "task", title = "Ligar para {first_name}" }
)";

nlohmann::json adoption_of(const SyncNetwork& net, const std::string& store) {
  auto r = net.hub_command({"rules", "adoption", "--json"});
  if (r.exit_code != 0) return nullptr;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (!j.is_object()) return nullptr;
  for (const auto& s : j["stores"]) {
    if (s["store"] == store) return s;
  }
  return nullptr;
}

TEST(HubPacks, APackForARegionReachesItsStoresAndAForgedOrderIsParked) {
  SyncNetwork net({"centro", "norte"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  for (const auto& [store, region] : {std::pair{"centro", "sul"}, std::pair{"norte", "norte"}}) {
    auto r = net.hub_command({"store", "set", "--store", store, "--region", region});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  AgentStore centro{"centro"}, norte{"norte"};
  net.join(centro, "centro");
  net.join(norte, "norte");
  write_file(centro.pos_file, pos_sale(1, "2026-03-02T10:00:00-03:00"));
  write_file(norte.pos_file, pos_sale(2, "2026-03-02T10:05:00-03:00"));
  auto hub = net.start_hub();
  auto centro_agent = centro.start_agent();
  auto norte_agent = norte.start_agent();
  ASSERT_TRUE(wait_until([&] {
    return net.hub_store("centro").is_object() && net.hub_store("norte").is_object();
  })) << read_file(net.dir / "hub.log");

  // A pack with a mistake is refused with where it is, and nothing is published.
  write_file(net.dir / "broken.toml",
             "[[rule]]\nid = \"x\"\ntrigger = { kind = \"birthday\", days_before = 90 }\n");
  auto broken = net.hub_command({"rules", "publish", "--file", (net.dir / "broken.toml").string(),
                                 "--version", "1", "--region", "sul"});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("broken.toml:3"), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("trigger.days_before"), std::string::npos) << broken.err;

  write_file(net.dir / "sul.toml", kRegionPack);
  auto published =
      net.hub_command({"rules", "publish", "--file", (net.dir / "sul.toml").string(), "--version", "3",
                       "--region", "sul", "--author", "ana", "--note", "inverno"});
  ASSERT_EQ(published.exit_code, 0) << published.err;
  EXPECT_NE(published.out.find("1 store(s) known to the hub take it"), std::string::npos) << published.out;

  const auto applied = [](const AgentStore& s) {
    return s.ledger_int("SELECT coalesce(max(version), 0) FROM rule_packs WHERE status = 'applied'");
  };
  ASSERT_TRUE(wait_until([&] { return applied(centro) == 3; })) << read_file(centro.dir / "agent.log");
  // Adoption comes from centro's heartbeat (every 2 s here) after it applied the pack.
  EXPECT_TRUE(wait_until([&] { return adoption_of(net, "centro")["state"] == "adopted"; }))
      << net.hub_command({"rules", "adoption", "--json"}).out;
  EXPECT_EQ(applied(norte), 0) << "norte is in another region";
  EXPECT_EQ(norte.ledger_int("SELECT count(*) FROM rule_packs"), 0);
  const auto a_centro = adoption_of(net, "centro");
  EXPECT_EQ(a_centro["running"], 3);
  EXPECT_EQ(a_centro["aimed_version"], 3);
  EXPECT_EQ(a_centro["aimed_target"], "region:sul");
  EXPECT_EQ(adoption_of(net, "norte")["state"], "none");

  auto listed = net.hub_command({"rules", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto packs = nlohmann::json::parse(listed.out);
  ASSERT_EQ(packs["packs"].size(), 1u);
  EXPECT_EQ(packs["packs"][0]["author"], "ana");
  EXPECT_EQ(packs["packs"][0]["aimed_at"], "region sul");

  // An opt-out forged on centro's order topic (by anyone who can publish there: the broker, the
  // hub's certificate) is parked and never applied; the hub's own order is signed and applied.
  const auto id_of_c1 = centro.ledger_int("SELECT id FROM customers WHERE pos_id = 'C-1'");
  ASSERT_GT(id_of_c1, 0);
  auto as_hub = net.client("hub");
  ASSERT_TRUE(as_hub);
  const auto order_topic = sync::topic_for(kNetwork, "centro", sync::Direction::down, "order");
  nlohmann::json forged{
      {"id", "forged-1"}, {"order", "opt_out"}, {"customer_pos_id", "C-1"}, {"channels", {"sms"}}};
  ASSERT_TRUE(test::make_ed25519_key_pair(net.dir.path(), "mallory"));
  ASSERT_TRUE(sync::sign_hq_order(forged, kNetwork, "centro", net.dir / "mallory.key").ok());
  ASSERT_TRUE(as_hub->publish_and_wait(order_topic, sync::encode_envelope("order", forged)).ok());
  // A genuine order for norte, replayed on centro's topic.
  nlohmann::json replayed{
      {"id", "norte-1"}, {"order", "opt_out"}, {"customer_pos_id", "C-1"}, {"channels", {"sms"}}};
  ASSERT_TRUE(sync::sign_hq_order(replayed, kNetwork, "norte", net.pki().signer_key()).ok());
  ASSERT_TRUE(as_hub->publish_and_wait(order_topic, sync::encode_envelope("order", replayed)).ok());
  EXPECT_TRUE(wait_until([&] {
    return centro.ledger_int(
               "SELECT count(*) FROM sync_parked WHERE reason LIKE 'order refused: bad signature%'") == 2;
  })) << read_file(centro.dir / "agent.log");
  EXPECT_EQ(centro.ledger_int("SELECT count(*) FROM hq_orders"), 0);
  EXPECT_EQ(centro.ledger_int("SELECT count(*) FROM consents WHERE source = 'hq'"), 0);

  auto order =
      net.hub_command({"order", "--store", "centro", "--json",
                       R"({"id":"o-1","order":"opt_out","customer_pos_id":"C-1","channels":["sms"]})"});
  ASSERT_EQ(order.exit_code, 0) << order.err;
  EXPECT_TRUE(wait_until([&] {
    return centro.ledger_int(
               "SELECT count(*) FROM hq_orders WHERE order_id = 'o-1' AND outcome = 'applied'") == 1;
  })) << read_file(centro.dir / "agent.log");
  EXPECT_EQ(centro.ledger_int("SELECT count(*) FROM consents WHERE granted = 0 AND source = 'hq' AND channel "
                              "= 'sms' AND customer_id = " +
                              std::to_string(id_of_c1)),
            1);

  // Sync lag per store, from the heartbeats: caught-up stores wait for nothing old.
  EXPECT_TRUE(wait_until([&] {
    auto r = net.hub_command({"stores", "--json"});
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_object()) return false;
    int with_lag = 0;
    for (const auto& s : j["stores"])
      with_lag += s["sync_lag_s"].is_number_integer() && s["sync_lag_s"].get<std::int64_t>() >= 0 ? 1 : 0;
    return with_lag == 2;
  })) << net.hub_command({"stores", "--json"}).out;

  for (auto* agent : {centro_agent.get(), norte_agent.get()}) {
    agent->signal(SIGTERM);
    EXPECT_EQ(agent->wait(), 0);
  }
  hub->signal(SIGTERM);
  hub->wait();
}

}  // namespace
}  // namespace regua::test
