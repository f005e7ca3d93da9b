// Consent per channel: the newest answer wins, whoever writes it and in whatever order it arrives.

#include "local/identity/consents.hpp"

#include <gtest/gtest.h>

#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

using test::at;

class ConsentsTest : public test::LedgerTest {
 protected:
  std::int64_t add_customer() {
    EXPECT_TRUE(
        ledger->db().exec("INSERT INTO customers (pos_id, info_at, created_at) VALUES ('C-1', 0, 0)").ok());
    return ledger->db().last_insert_rowid();
  }
};

TEST_F(ConsentsTest, TheNewestAnswerWinsWhateverOrderTheyArriveIn) {
  auto& db = ledger->db();
  const auto id = add_customer();
  auto none = consent_for(db, id, Channel::sms);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value()) << "a customer who never answered has no consent row";

  auto changed = record_consent(db, id, Channel::sms, false, "inbound:sms", at("2026-03-02T10:00:00Z"));
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_TRUE(*changed);
  // An older grant (a POS file replayed, a late webhook) does not undo the newer opt-out.
  changed = record_consent(db, id, Channel::sms, true, "pos", at("2026-03-01T10:00:00Z"));
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  auto sms = consent_for(db, id, Channel::sms);
  ASSERT_TRUE(sms.ok());
  EXPECT_EQ(*sms, std::optional<bool>(false));

  changed = record_consent(db, id, Channel::email, true, "http", at("2026-03-03T10:00:00Z"));
  ASSERT_TRUE(changed.ok());
  auto all = consents_of(db, id);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].channel, Channel::email);
  EXPECT_TRUE((*all)[0].granted);
  EXPECT_EQ((*all)[0].source, "http");
  EXPECT_EQ((*all)[1].channel, Channel::sms);
  EXPECT_FALSE((*all)[1].granted);
  EXPECT_EQ((*all)[1].source, "inbound:sms");
  EXPECT_EQ((*all)[1].at, at("2026-03-02T10:00:00Z"));
}

}  // namespace
}  // namespace regua
