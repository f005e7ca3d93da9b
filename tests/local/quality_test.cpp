// The data-quality figures of status and doctor, on a ledger whose contents the test declares.

#include "local/identity/quality.hpp"

#include <gtest/gtest.h>

#include "local/ledger/quarantine.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua {
namespace {

using test::Person;

struct Declared {
  Person person;
  bool mobile, landline, bad_phone, cpf, bad_cpf, email, bad_email, birthday, bad_birthday;
};

class QualityTest : public test::IdentityTest {};

TEST_F(QualityTest, FiguresDescribeTheLedger) {
  const std::vector<Declared> customers{
      {{"C-1", "Ana", "(11) 98765-4321", "ana@example.com", "529.982.247-25", "1990-05-17"},
       true,
       false,
       false,
       true,
       false,
       true,
       false,
       true,
       false},
      {{"C-2", "Bia", "(11) 3456-7890", std::nullopt, "111.111.111-11"},
       false,
       true,
       false,
       false,
       true,
       false,
       false,
       false,
       false},
      {{"C-3", "Caio", "123", "caio@", std::nullopt, "31/02/1990"},
       false,
       false,
       true,
       false,
       false,
       false,
       true,
       false,
       true},
      // Shares C-1's mobile under another POS registration: a duplicate group, not a match.
      {{"C-4", "Ana", "11 98765 4321", "ana2@example.com"},
       true,
       false,
       false,
       false,
       false,
       true,
       false,
       false,
       false},
      {{"C-5", "Duda"}, false, false, false, false, false, false, false, false, false},
  };
  ASSERT_TRUE(ingestor->begin().ok());
  int n = 0;
  for (const auto& c : customers)
    ASSERT_TRUE(ingestor->apply(sale("S-" + std::to_string(++n), 100, c.person.info()), "pdv").ok());
  const int identified = n;
  const int anonymous = 3;
  for (int i = 0; i < anonymous; ++i)
    ASSERT_TRUE(ingestor->apply(sale("S-" + std::to_string(++n), 100), "pdv").ok());
  ASSERT_TRUE(ingestor->apply(sale("S-" + std::to_string(++n), 100, customers[0].person.info()), "pdv").ok());
  ASSERT_TRUE(
      ingestor->apply(Cancel{"S-" + std::to_string(n), test::at("2026-03-01T15:00:00Z")}, "pdv").ok());
  const std::vector<std::string> reasons{
      R"("total": "12,50" is not an amount: unexpected character ',')",
      R"("total": "1.2.3" is not an amount: unexpected character '.')",
      R"(not valid JSON (TAPE_ERROR: the JSON document has an improper structure))",
  };
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    ASSERT_TRUE(ingestor
                    ->quarantine({"pdv", "/pos/x", "1:2", static_cast<std::int64_t>(i + 1),
                                  static_cast<std::int64_t>(i * 100)},
                                 "raw", reasons[i])
                    .ok());
  }
  ASSERT_TRUE(ingestor->commit().ok());

  auto q = measure_quality(ledger->db());
  ASSERT_TRUE(q.ok()) << q.error().message;
  auto declared = [&](bool Declared::*flag) {
    return static_cast<std::int64_t>(
        std::count_if(customers.begin(), customers.end(), [&](const auto& c) { return c.*flag; }));
  };
  EXPECT_EQ(q->sales, identified + anonymous) << "the cancelled sale does not count";
  EXPECT_EQ(q->identified_sales, identified);
  EXPECT_EQ(q->customers, static_cast<std::int64_t>(customers.size()));
  EXPECT_EQ(q->valid_mobile, declared(&Declared::mobile));
  EXPECT_EQ(q->phone_not_mobile, declared(&Declared::landline));
  EXPECT_EQ(q->invalid_phone, declared(&Declared::bad_phone));
  EXPECT_EQ(q->valid_cpf, declared(&Declared::cpf));
  EXPECT_EQ(q->invalid_cpf, declared(&Declared::bad_cpf));
  EXPECT_EQ(q->valid_email, declared(&Declared::email));
  EXPECT_EQ(q->invalid_email, declared(&Declared::bad_email));
  EXPECT_EQ(q->valid_birthday, declared(&Declared::birthday));
  EXPECT_EQ(q->invalid_birthday, declared(&Declared::bad_birthday));
  EXPECT_EQ(q->duplicate_groups, 1);
  EXPECT_EQ(q->duplicate_records, 2);
  EXPECT_EQ(q->quarantined, static_cast<std::int64_t>(reasons.size()));
  ASSERT_EQ(q->quarantine_by_reason.size(), 2u);
  EXPECT_EQ(q->quarantine_by_reason[0].reason, reason_pattern(reasons[0]));
  EXPECT_EQ(q->quarantine_by_reason[0].count, 2);
  EXPECT_EQ(q->quarantine_by_reason[1].reason, "not valid JSON");
  EXPECT_EQ(q->quarantine_by_reason[1].count, 1);
}

TEST_F(QualityTest, AnEmptyLedgerHasNoShares) {
  auto q = measure_quality(ledger->db());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->sales, 0);
  EXPECT_FALSE(share(q->identified_sales, q->sales));
  EXPECT_EQ(share(1, 4), 0.25);
}

TEST_F(QualityTest, AValueOnManyRecordsIsAPlaceholderNotADuplicate) {
  ASSERT_TRUE(ingestor->begin().ok());
  for (std::int64_t i = 0; i < kPlaceholderMinRecords; ++i) {
    Person p{"C-" + std::to_string(i), "Person" + std::to_string(i), "(11) 99999-9999", "naotem@naotem.com"};
    ASSERT_TRUE(ingestor->apply(sale("S-" + std::to_string(i), 100, p.info()), "pdv").ok());
  }
  ASSERT_TRUE(ingestor->commit().ok());
  auto q = measure_quality(ledger->db());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->duplicate_groups, 0);
  ASSERT_EQ(q->placeholders.size(), 2u);
  EXPECT_EQ(q->placeholders[0].records, kPlaceholderMinRecords);
}

TEST(ReasonPattern, LeavesValuesOutAndKeepsTheField) {
  EXPECT_EQ(reason_pattern(R"("total": "12,50" is not an amount: unexpected character ',')"),
            "\"total\": \"\u2026\" is not an amount: unexpected character '\u2026'");
  EXPECT_EQ(reason_pattern(R"("items[12].qty" must be a positive number)"),
            R"("items[N].qty" must be a positive number)");
  EXPECT_EQ(
      reason_pattern("the line is 2000000 bytes long, more than the 1 MiB a POS event may take (only its "
                     "start is kept here)"),
      "the line is N bytes long, more than the N MiB a POS event may take");
  EXPECT_EQ(reason_pattern(R"(unknown "type" "refund" ("sale", "cancel" or "customer"))"),
            "unknown \"type\" \"\u2026\"");
  EXPECT_EQ(reason_pattern("the customer's phone"), "the customer's phone")
      << "an apostrophe in a word is text";
}

}  // namespace
}  // namespace regua
