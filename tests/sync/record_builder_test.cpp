// Records are built from the ledger as it is when published, with personal data as the PII
// policy says: full, hashed with the network's key, or none.

#include "sync/record_builder.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "local/identity/merge.hpp"
#include "local/ledger/outbox.hpp"
#include "sync/pii.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua::test {
namespace {

class RecordBuilderTest : public IdentityTest {
 protected:
  nlohmann::json build(sync::PiiPolicy policy, OutboxKind kind, std::int64_t ref) {
    auto builder =
        sync::RecordBuilder::create(ledger->db(), sync::PiiSettings{policy, "network-secret-key-0123"}, zone);
    EXPECT_TRUE(builder.ok());
    auto text = (*builder)->build(OutboxRow{42, kind, ref}, clock.now());
    EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().message);
    return nlohmann::json::parse(*text);
  }

  FixedStoreZone zone{std::chrono::hours(-3)};
};

TEST_F(RecordBuilderTest, CustomersFollowThePiiPolicy) {
  apply_all(
      {sale("S-1", 1000,
            Person{"C-1", "Ana Souza", "(11) 98765-4321", "ana@example.com", "529.982.247-25", "1990-05-17"}
                .info())});
  const auto id = count("SELECT id FROM customers");
  auto full = build(sync::PiiPolicy::full, OutboxKind::customer, id);
  EXPECT_EQ(full["seq"], 42);
  EXPECT_EQ(full["name"], "Ana Souza");
  EXPECT_EQ(full["phone"], "+5511987654321");
  EXPECT_EQ(full["cpf"], "52998224725");
  EXPECT_EQ(full["birthday"], "1990-05-17");

  auto hashed = build(sync::PiiPolicy::hashed, OutboxKind::customer, id);
  EXPECT_FALSE(hashed.contains("name"));
  EXPECT_FALSE(hashed.contains("birthday"));
  EXPECT_EQ(hashed["cpf_hash"], sync::hmac_sha256_hex("network-secret-key-0123", "52998224725"));
  EXPECT_EQ(hashed["mobile_hash"], sync::hmac_sha256_hex("network-secret-key-0123", "+5511987654321"));
  EXPECT_EQ(hashed["email_hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(hashed.dump().find("Ana"), std::string::npos);
  EXPECT_EQ(hashed.dump().find("52998224725"), std::string::npos);

  auto none = build(sync::PiiPolicy::none, OutboxKind::customer, id);
  EXPECT_FALSE(none.contains("cpf_hash"));
  EXPECT_FALSE(none.contains("pos_id"));
  EXPECT_EQ(none["id"], id);
}

TEST(Pii, HmacSha256MatchesRfc4231TestCase2) {
  EXPECT_EQ(sync::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_F(RecordBuilderTest, ASaleRecordCarriesItsStateWhenPublished) {
  Sale s = sale("S-9", 12990, Person{"C-1", "Ana"}.info());
  s.items.push_back(SaleItem{"A1", "Camiseta", 1, 12990});
  apply_all({s});
  Cancel c;
  c.sale_pos_id = "S-9";
  c.cancelled_at = at("2026-03-01T15:00:00Z");
  apply_all({c});
  auto r = build(sync::PiiPolicy::none, OutboxKind::sale, count("SELECT id FROM sales"));
  EXPECT_EQ(r["pos_id"], "S-9");
  EXPECT_EQ(r["total_cents"], 12990);
  EXPECT_EQ(r["cancelled_at"], at("2026-03-01T15:00:00Z").time_since_epoch().count());
  ASSERT_EQ(r["items"].size(), 1u);
  EXPECT_EQ(r["items"][0][0], "A1");
}

TEST_F(RecordBuilderTest, AGoneRowSaysSoAndAKpiDayIsComputed) {
  auto gone = build(sync::PiiPolicy::full, OutboxKind::customer, 999);
  EXPECT_EQ(gone["removed"], true);
  apply_all({sale("S-1", 1000, Person{"C-1"}.info(), "2026-03-01T14:00:00Z"),
             sale("S-2", 2500, {}, "2026-03-01T20:00:00Z"), sale("S-3", 700, {}, "2026-03-02T04:00:00Z")});
  const auto day = zone.day(at("2026-03-01T14:00:00Z"));
  auto kpi = build(sync::PiiPolicy::none, OutboxKind::kpi_day, day);
  EXPECT_EQ(kpi["day"], "2026-03-01");
  EXPECT_EQ(kpi["sales"], 2);  // 04:00Z on the 2nd is 01:00 on the 2nd in São Paulo
  EXPECT_EQ(kpi["revenue_cents"], 3500);
  EXPECT_EQ(kpi["new_customers"], 1);
}

}  // namespace
}  // namespace regua::test
