// Publishing a rule pack at the hub (cloud/rules/rule_packs.hpp): checked with the agent's own
// parser and schema before it is signed (a mistake names the file, the line and the key, and
// nothing is signed or stored), versions only going up, signed so that a store's pinned key
// verifies it.

#include "cloud/rules/rule_packs.hpp"

#include <gtest/gtest.h>

#include "cloud/storage/sqlite_hub_store.hpp"
#include "sync/rule_pack.hpp"
#include "sync/signing.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/ledger_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {
namespace {

constexpr const char* kGoodPack = R"([[rule]]
id = "volte-20d"
trigger = { kind = "days_without_purchase", days = 20 }
action = { kind = "message", channel = "sms", template = "Oi! Sentimos sua falta na {store}: {rating_url}" }
)";

class RulePackPublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::make_ed25519_key_pair(dir.path(), "hq"));
    auto s = hub::open_sqlite_hub_store(dir / "hub.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store = std::move(*s);
  }

  Result<hub::StoredRulePack> publish(std::string rules, std::int64_t version, hub::PackTarget target = {}) {
    hub::PackToPublish pack;
    pack.rules = std::move(rules);
    pack.file = "regras-hq.toml";
    pack.version = version;
    pack.target = std::move(target);
    pack.author = "ana";
    pack.note = "inverno";
    return hub::publish_rule_pack(*store, "rede", dir / "hq.key", pack, at("2026-03-01T12:00:00Z"));
  }

  std::size_t packs_stored() {
    auto list = store->rule_pack_list();
    EXPECT_TRUE(list.ok());
    return list.ok() ? list->size() : 0;
  }

  TempDir dir;
  std::unique_ptr<hub::HubStore> store;
};

TEST_F(RulePackPublishTest, AGoodPackIsSignedSoThatTheStoresKeyVerifiesIt) {
  auto stored = publish(kGoodPack, 7, {hub::PackTarget::Kind::region, "sul"});
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->target, "region:sul");
  EXPECT_EQ(stored->sha256, sync::sha256_hex(kGoodPack));
  EXPECT_EQ(stored->sha256.size(), 64u);
  auto whole = store->rule_pack("region:sul", 7);
  ASSERT_TRUE(whole.ok() && whole->has_value());
  EXPECT_EQ((*whole)->author, "ana");
  EXPECT_EQ((*whole)->note, "inverno");
  const sync::RulePack on_the_wire{"rede", 7, (*whole)->rules, (*whole)->signature};
  EXPECT_TRUE(sync::verify_rule_pack(on_the_wire, dir / "hq.pub").ok());
}

TEST_F(RulePackPublishTest, AMistakeIsRefusedWithFileLineAndKeyAndNothingIsStored) {
  const std::string bad_value = std::string(kGoodPack) + R"(
[[rule]]
id = "aniversario"
trigger = { kind = "birthday", days_before = 90 }
action = { kind = "message", channel = "sms", template = "Feliz aniversário!" }
)";
  auto r = publish(bad_value, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::config);
  EXPECT_NE(r.error().message.find("regras-hq.toml:8"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("trigger.days_before"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("nothing signed or stored"), std::string::npos) << r.error().message;

  auto unknown_key = publish("[[rule]]\nid = \"x\"\ncolour = \"red\"\n", 1);
  ASSERT_FALSE(unknown_key.ok());
  EXPECT_NE(unknown_key.error().message.find("regras-hq.toml:3"), std::string::npos)
      << unknown_key.error().message;
  EXPECT_NE(unknown_key.error().message.find("colour"), std::string::npos) << unknown_key.error().message;

  auto not_toml = publish("[[rule]\n", 1);
  ASSERT_FALSE(not_toml.ok());
  EXPECT_NE(not_toml.error().message.find("regras-hq.toml:1"), std::string::npos) << not_toml.error().message;

  auto store_segment = publish(R"([[rule]]
id = "campanha"
trigger = { kind = "recurring", segment = "clientes-vip", every = "week" }
action = { kind = "task", title = "Ligar" }
)",
                               1);
  ASSERT_FALSE(store_segment.ok()) << "a store's own [[segment]] is not known at the hub";
  EXPECT_NE(store_segment.error().message.find("trigger.segment"), std::string::npos)
      << store_segment.error().message;
  EXPECT_EQ(packs_stored(), 0u);
}

TEST_F(RulePackPublishTest, AVersionNotAboveTheNewestIsRefused) {
  ASSERT_TRUE(publish(kGoodPack, 5).ok());
  for (std::int64_t v : {5, 3}) {
    auto r = publish(kGoodPack, v, {hub::PackTarget::Kind::store, "centro"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::usage);
    EXPECT_NE(r.error().message.find("version 5 is published already"), std::string::npos)
        << r.error().message;
  }
  EXPECT_TRUE(publish(kGoodPack, 6, {hub::PackTarget::Kind::format, "quiosque"}).ok());
  EXPECT_EQ(packs_stored(), 2u);
}

TEST_F(RulePackPublishTest, ABadTargetIsAUsageError) {
  auto bad_store = publish(kGoodPack, 1, {hub::PackTarget::Kind::store, "não é id"});
  ASSERT_FALSE(bad_store.ok());
  EXPECT_EQ(bad_store.error().kind, ErrorKind::usage);
  auto no_region = publish(kGoodPack, 1, {hub::PackTarget::Kind::region, ""});
  ASSERT_FALSE(no_region.ok());
  EXPECT_EQ(packs_stored(), 0u);
}

TEST(RulePackTargets, KeysReadBackAndAimAtTheirStores) {
  const hub::StoreProfile sul{"centro", "", "sul", "quiosque", std::nullopt};
  for (const auto& t : {hub::PackTarget{}, hub::PackTarget{hub::PackTarget::Kind::region, "sul"},
                        hub::PackTarget{hub::PackTarget::Kind::format, "quiosque"},
                        hub::PackTarget{hub::PackTarget::Kind::store, "centro"}}) {
    const auto back = hub::pack_target_from_key(hub::pack_target_key(t));
    EXPECT_EQ(back.kind, t.kind);
    EXPECT_EQ(back.name, t.name);
    EXPECT_TRUE(hub::pack_aims_at(t, "centro", &sul)) << hub::describe_pack_target(t);
  }
  EXPECT_FALSE(hub::pack_aims_at({hub::PackTarget::Kind::region, "sul"}, "centro", nullptr)) << "no profile";
  EXPECT_FALSE(hub::pack_aims_at({hub::PackTarget::Kind::store, "norte"}, "centro", &sul));
  EXPECT_EQ(hub::describe_pack_target({hub::PackTarget::Kind::format, "quiosque"}), "format quiosque");
}

}  // namespace
}  // namespace regua::test
