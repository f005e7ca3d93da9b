// Rule packs from HQ: signed with Ed25519 and checked against the pinned key; unsigned, wrongly
// signed, older and other networks' packs refused with the reason recorded; the last good pack
// stays, across a reopening of the ledger.

#include "sync/rule_pack.hpp"

#include <gtest/gtest.h>

#include "sync/protocol/envelope.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/ledger_fixture.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {
namespace {

using sync::RulePack;

constexpr const char* kRules = R"(
[[rule]]
id = "inactive-15d"
enabled = false
)";

class RulePackTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    for (const char* name : {"hq", "mallory"})
      ASSERT_TRUE(make_ed25519_key_pair(dir.path(), name));
  }

  RulePack signed_pack(std::int64_t version, const char* signer = "hq", std::string network = "rede") {
    RulePack p{std::move(network), version, kRules, {}};
    auto s = sync::sign_rule_pack(p, dir / (std::string(signer) + ".key"));
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return p;
  }

  sync::PackDecision receive(const RulePack& pack) {
    auto d = sync::receive_rule_pack(ledger->db(), pack, "rede", dir / "hq.pub", clock.now());
    EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message);
    return d.ok() ? *d : sync::PackDecision{};
  }

  std::int64_t version_in_force() {
    auto p = sync::latest_rule_pack(ledger->db());
    EXPECT_TRUE(p.ok());
    return p.ok() && *p ? (*p)->version : 0;
  }
};

TEST_F(RulePackTest, AGoodPackIsAppliedAndTravelsThroughItsEnvelope) {
  auto pack = signed_pack(3);
  auto envelope = sync::decode_envelope(sync::encode_rule_pack(pack));
  ASSERT_TRUE(envelope.ok());
  auto decoded = sync::decode_rule_pack(*envelope);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->rules, kRules);
  EXPECT_TRUE(receive(*decoded).applied);
  EXPECT_EQ(version_in_force(), 3);
}

TEST_F(RulePackTest, BadPacksAreRefusedWithTheirReasonAndTheLastGoodOneStays) {
  EXPECT_TRUE(receive(signed_pack(2)).applied);

  RulePack unsigned_pack{"rede", 5, kRules, {}};
  auto d = receive(unsigned_pack);
  EXPECT_FALSE(d.applied);
  EXPECT_NE(d.reason.find("unsigned"), std::string::npos) << d.reason;

  d = receive(signed_pack(5, "mallory"));
  EXPECT_FALSE(d.applied);
  EXPECT_NE(d.reason.find("bad signature"), std::string::npos) << d.reason;

  auto tampered = signed_pack(5);
  tampered.rules += "\n[[rule]]\nid = \"welcome\"\nenabled = false\n";
  d = receive(tampered);
  EXPECT_FALSE(d.applied);
  EXPECT_NE(d.reason.find("bad signature"), std::string::npos) << d.reason;

  auto renumbered = signed_pack(5);
  renumbered.version = 6;  // the version is signed too
  EXPECT_FALSE(receive(renumbered).applied);

  d = receive(signed_pack(1));
  EXPECT_FALSE(d.applied);
  EXPECT_NE(d.reason.find("not newer than version 2"), std::string::npos) << d.reason;

  d = receive(signed_pack(7, "hq", "other-network"));
  EXPECT_FALSE(d.applied);
  EXPECT_NE(d.reason.find("other-network"), std::string::npos) << d.reason;

  // Mallory's version 5 and the tampered version 5 fail for the same reason: recorded once.
  EXPECT_EQ(count("SELECT count(*) FROM rule_packs WHERE status = 'refused'"), 5);
  reopen();
  EXPECT_EQ(version_in_force(), 2);

  // The pack in force, announced again (a retained message at each connect), is no news.
  d = receive(signed_pack(2));
  EXPECT_FALSE(d.applied);
  EXPECT_EQ(d.reason, "already in force");
  EXPECT_EQ(count("SELECT count(*) FROM rule_packs"), 6);
}

}  // namespace
}  // namespace regua::test

namespace regua::test {
namespace {

// A pack that verifies but that this store cannot run (its rules need a link or a [[segment]] it
// lacks) is refused with why, reported like any refusal, and the pack in force stays.
TEST_F(RulePackTest, APackTheStoreCannotRunIsRefusedAndTheOneInForceStays) {
  EXPECT_TRUE(receive(signed_pack(2)).applied);
  const sync::RulePackCheck cannot_run = [](const RulePack& p) -> Status {
    return make_error(ErrorKind::config, "rule pack version " + std::to_string(p.version) +
                                             ":3: rule \"x\" trigger.segment: \"vip\" is not a segment");
  };
  auto d =
      sync::receive_rule_pack(ledger->db(), signed_pack(3), "rede", dir / "hq.pub", clock.now(), cannot_run);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_FALSE(d->applied);
  EXPECT_EQ(d->reason,
            "its rules cannot run here: rule pack version 3:3: rule \"x\" trigger.segment: \"vip\" is not a "
            "segment");
  EXPECT_EQ(version_in_force(), 2);
  EXPECT_EQ(count("SELECT count(*) FROM rule_packs WHERE status = 'refused' AND version = 3"), 1);
  const sync::RulePackCheck can_run = [](const RulePack&) { return Status{}; };
  auto ok =
      sync::receive_rule_pack(ledger->db(), signed_pack(4), "rede", dir / "hq.pub", clock.now(), can_run);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->applied);
}

}  // namespace
}  // namespace regua::test
