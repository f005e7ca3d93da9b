// How ingest finds the customer of a sale: POS id, else valid CPF, else mobile, else a new one;
// what it stores (normalised values with flags). docs/identity.md states the rules tested here.

#include <gtest/gtest.h>

#include "local/identity/duplicates.hpp"
#include "local/ledger/migrations.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua {
namespace {

using test::Person;

class MatchingTest : public test::IdentityTest {};

constexpr const char* kCpfAna = "529.982.247-25";
constexpr const char* kCpfBia = "111.444.777-35";

TEST_F(MatchingTest, StoresNormalisedValuesAndFlagsKeepingWhatWasWritten) {
  Person p{"C-1", "  ANA   DE SOUZA ", "(11) 98765-4321", " Ana@Example.COM ", kCpfAna, "17/05/1990"};
  apply_all({sale("S-1", 100, p.info())});
  EXPECT_EQ(field_of("S-1", "name"), "Ana de Souza");
  EXPECT_EQ(field_of("S-1", "phone"), "(11) 98765-4321") << "the phone as written";
  EXPECT_EQ(field_of("S-1", "phone_e164"), "+5511987654321");
  EXPECT_EQ(field_of("S-1", "phone_kind"), "mobile");
  EXPECT_EQ(field_of("S-1", "email"), "ana@example.com");
  EXPECT_EQ(field_of("S-1", "email_valid"), "1");
  EXPECT_EQ(field_of("S-1", "cpf"), "52998224725");
  EXPECT_EQ(field_of("S-1", "cpf_valid"), "1");
  EXPECT_EQ(field_of("S-1", "birthday"), "1990-05-17");
  EXPECT_EQ(field_of("S-1", "birthday_valid"), "1");
}

TEST_F(MatchingTest, InvalidValuesAreKeptAsWrittenAndFlagged) {
  Person p{"C-1", "Ana", "12345", "ana@gmail", "111.111.111-11", "31/02/1990"};
  apply_all({sale("S-1", 100, p.info())});
  EXPECT_EQ(field_of("S-1", "phone"), "12345");
  EXPECT_EQ(field_of("S-1", "phone_e164"), std::nullopt);
  EXPECT_EQ(field_of("S-1", "phone_kind"), "invalid");
  EXPECT_EQ(field_of("S-1", "email"), "ana@gmail");
  EXPECT_EQ(field_of("S-1", "email_valid"), "0");
  EXPECT_EQ(field_of("S-1", "cpf"), "111.111.111-11");
  EXPECT_EQ(field_of("S-1", "cpf_valid"), "0");
  EXPECT_EQ(field_of("S-1", "birthday"), "31/02/1990");
  EXPECT_EQ(field_of("S-1", "birthday_valid"), "0");
}

TEST_F(MatchingTest, ThePosIdComesFirst) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana"}.info()), sale("S-2", 200, Person{"C-1"}.info()),
             sale("S-3", 300, Person{"C-2", "Ana"}.info())});
  EXPECT_EQ(customer_of("S-1"), customer_of("S-2"));
  EXPECT_NE(customer_of("S-1"), customer_of("S-3")) << "another POS id is another customer";
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 2);
}

TEST_F(MatchingTest, WithoutAPosIdAValidCpfMatches) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana Souza", std::nullopt, std::nullopt, kCpfAna}.info())});
  // A fiscal note: no POS id, the CPF written another way.
  apply_all(
      {sale("NFE-1", 200, Person{"", "ANA SOUZA", std::nullopt, "ana@example.com", "52998224725"}.info())});
  EXPECT_EQ(customer_of("NFE-1"), customer_of("S-1"));
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 1);
  EXPECT_EQ(field_of("NFE-1", "pos_id"), "C-1");
  EXPECT_EQ(field_of("NFE-1", "email"), "ana@example.com") << "the note's news is recorded";
}

TEST_F(MatchingTest, AnInvalidCpfNeverMatches) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana", std::nullopt, std::nullopt, "529.982.247-26"}.info())});
  apply_all({sale("NFE-1", 200, Person{"", "Ana", std::nullopt, std::nullopt, "529.982.247-26"}.info())});
  EXPECT_NE(customer_of("NFE-1"), customer_of("S-1"));
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 2);
}

TEST_F(MatchingTest, WithoutPosIdOrCpfAMobileMatches) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana Souza", "(11) 98765-4321"}.info())});
  apply_all({sale("NFE-1", 200, Person{"", "Ana", "+55 11 98765-4321"}.info())});
  EXPECT_EQ(customer_of("NFE-1"), customer_of("S-1"));
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 1);
}

TEST_F(MatchingTest, ALandlineNeverMatches) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana", "(11) 3456-7890"}.info())});
  apply_all({sale("NFE-1", 200, Person{"", "Ana", "(11) 3456-7890"}.info())});
  EXPECT_NE(customer_of("NFE-1"), customer_of("S-1"));
  EXPECT_EQ(field_of("S-1", "phone_kind"), "fixed_line");
}

TEST_F(MatchingTest, TheCpfComesBeforeTheMobile) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana", "(11) 98765-4321"}.info()),
             sale("S-2", 100, Person{"C-2", "Ana", std::nullopt, std::nullopt, kCpfAna}.info())});
  apply_all({sale("NFE-1", 200, Person{"", "Ana", "(11) 98765-4321", std::nullopt, kCpfAna}.info())});
  EXPECT_EQ(customer_of("NFE-1"), customer_of("S-2"));
}

TEST_F(MatchingTest, NothingMatchesANewCustomerWithoutPosId) {
  apply_all({sale("NFE-1", 200, Person{"", "Bia", "(21) 99876-5432"}.info())});
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE pos_id IS NULL"), 1);
  apply_all({sale("NFE-2", 300, Person{"", "Bia", "21998765432"}.info())});
  EXPECT_EQ(customer_of("NFE-1"), customer_of("NFE-2")) << "the second note finds the first by its mobile";
}

TEST_F(MatchingTest, ACustomerObjectThatSaysNothingLeavesTheSaleAnonymous) {
  apply_all({sale("S-1", 100, CustomerInfo{})});
  EXPECT_EQ(customer_of("S-1"), -1);
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 0);
}

TEST_F(MatchingTest, ANewPosIdMatchedByCpfKeepsMeaningThatCustomer) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana", std::nullopt, std::nullopt, kCpfAna}.info())});
  // The POS registered Ana a second time (C-9), with her CPF.
  apply_all({sale("S-2", 200, Person{"C-9", "Ana", std::nullopt, std::nullopt, kCpfAna}.info())});
  // Later sales of C-9 carry no CPF: they still go to Ana.
  apply_all({sale("S-3", 300, Person{"C-9"}.info())});
  EXPECT_EQ(customer_of("S-2"), customer_of("S-1"));
  EXPECT_EQ(customer_of("S-3"), customer_of("S-1"));
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 1);
  EXPECT_EQ(text("SELECT pos_id FROM customer_pos_ids"), "C-9");
}

TEST_F(MatchingTest, ACustomerWithoutPosIdTakesTheFirstPosIdThatMatchesIt) {
  apply_all({sale("NFE-1", 100, Person{"", "Ana", std::nullopt, std::nullopt, kCpfAna}.info())});
  apply_all({sale("S-1", 200, Person{"C-1", "Ana", std::nullopt, std::nullopt, kCpfAna}.info())});
  EXPECT_EQ(customer_of("S-1"), customer_of("NFE-1"));
  EXPECT_EQ(field_of("NFE-1", "pos_id"), "C-1");
  EXPECT_EQ(count("SELECT count(*) FROM customer_pos_ids"), 0);
}

// The POS id says customer X but the CPF is Y's: the POS id wins (it is what the cashier
// selected), X records the CPF, and the two records become a duplicate group for a person to
// decide: nothing is merged behind anyone's back.
TEST_F(MatchingTest, WhenThePosIdAndTheCpfDisagreeThePosIdWinsAndADuplicateIsListed) {
  apply_all({sale("S-1", 100, Person{"C-X", "Ana"}.info(), "2026-03-01T10:00:00Z"),
             sale("S-2", 100, Person{"C-Y", "Ana Souza", std::nullopt, std::nullopt, kCpfAna}.info(),
                  "2026-03-01T11:00:00Z")});
  const auto x = customer_of("S-1");
  const auto y = customer_of("S-2");
  apply_all({sale("S-3", 500, Person{"C-X", "Ana", std::nullopt, std::nullopt, kCpfAna}.info(),
                  "2026-03-02T10:00:00Z")});
  EXPECT_EQ(customer_of("S-3"), x);
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 2);
  EXPECT_EQ(text("SELECT cpf FROM customers WHERE id = " + std::to_string(x)), "52998224725");
  auto dups = find_duplicates(ledger->db());
  ASSERT_TRUE(dups.ok()) << dups.error().message;
  ASSERT_EQ(dups->groups.size(), 1u);
  ASSERT_EQ(dups->groups[0].members.size(), 2u);
  EXPECT_EQ(dups->groups[0].members[0].record.id, std::min(x, y));
  EXPECT_EQ(dups->groups[0].members[1].record.id, std::max(x, y));
  ASSERT_EQ(dups->groups[0].shared.size(), 1u);
  EXPECT_EQ(dups->groups[0].shared[0].key, SharedKey::cpf);
}

TEST_F(MatchingTest, AMobileDoesNotJoinPeopleTheDataSaysAreDifferent) {
  apply_all(
      {sale("S-1", 100, Person{"C-1", "Maria Silva", "(11) 98765-4321", std::nullopt, kCpfAna}.info())});
  // Different first name: a family member on the same phone.
  apply_all({sale("NFE-1", 100, Person{"", "Joana Silva", "(11) 98765-4321"}.info())});
  // Different valid CPF.
  apply_all({sale("NFE-2", 100, Person{"", "Maria", "(11) 98765-4321", std::nullopt, kCpfBia}.info())});
  // Another registration in the POS (its own POS id): the POS knows them apart.
  apply_all({sale("S-2", 100, Person{"C-2", "Maria", "(11) 98765-4321"}.info())});
  const auto maria = customer_of("S-1");
  EXPECT_NE(customer_of("NFE-1"), maria);
  EXPECT_NE(customer_of("NFE-2"), maria);
  EXPECT_NE(customer_of("S-2"), maria);
  // Same first name, no POS id, no CPF: one person.
  apply_all({sale("NFE-3", 100, Person{"", "MARIA", "11 98765 4321"}.info())});
  EXPECT_EQ(customer_of("NFE-3"), maria);
}

TEST_F(MatchingTest, ANewerTypoDoesNotEraseAGoodValueButFixesABadOne) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana", "(11) 98765-4321", "ana@example.com"}.info(),
                  "2026-03-01T10:00:00Z")});
  apply_all({CustomerUpdate{Person{"C-1", std::nullopt, "0", "ana@gmail"}.info(),
                            test::at("2026-03-05T10:00:00Z")}});
  EXPECT_EQ(field_of("S-1", "phone_e164"), "+5511987654321");
  EXPECT_EQ(field_of("S-1", "email"), "ana@example.com");
  // A bad value is replaced by a good one even from older news (history imported late).
  apply_all({sale("S-0", 100, Person{"C-2", "Bia", "n/a"}.info(), "2026-03-01T10:00:00Z")});
  apply_all(
      {sale("S-00", 100, Person{"C-2", std::nullopt, "(21) 99876-5432"}.info(), "2025-01-01T10:00:00Z")});
  EXPECT_EQ(field_of("S-0", "phone_e164"), "+5521998765432");
}

TEST_F(MatchingTest, CustomerNewsWithoutPosIdFindsItsCustomerToo) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana", "(11) 98765-4321", std::nullopt, kCpfAna}.info())});
  CustomerInfo news = Person{"", std::nullopt, std::nullopt, "ana@example.com", kCpfAna}.info();
  news.consent = {{Channel::sms, false}};
  apply_all({CustomerUpdate{news, test::at("2026-03-05T10:00:00Z")}});
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 1);
  EXPECT_EQ(field_of("S-1", "email"), "ana@example.com");
  EXPECT_EQ(count("SELECT granted FROM consents WHERE channel = 'sms'"), 0);
}

// A ledger written before schema 2 holds raw customer fields; the first Ingestor normalises them.
TEST(MatchingUpgrade, CustomersStoredRawByAnOlderVersionAreNormalisedOnce) {
  test::TempDir dir;
  const auto file = dir / "ledger.db";
  {
    auto db = sqlite::Db::open(file, sqlite::OpenMode::read_write_create);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("PRAGMA application_id = 1380406593").ok());
    ASSERT_TRUE(db->exec(ledger_migrations()[0].sql).ok());
    ASSERT_TRUE(db->exec("PRAGMA user_version = 1").ok());
    ASSERT_TRUE(db->exec("INSERT INTO ledger_info VALUES ('store_id', 'centro')").ok());
    ASSERT_TRUE(
        db->exec("INSERT INTO customers (pos_id, name, phone, email, cpf, birthday, info_at, created_at) "
                 "VALUES ('C-1', 'ANA DE SOUZA', '(11) 98765-4321', 'Ana@Example.com', "
                 "'529.982.247-25', '17/05/1990', 1767225600, 1767225600)")
            .ok());
  }
  ManualClock clock(test::at("2026-03-01T12:00:00Z"));
  auto ledger = Ledger::open(LedgerOptions{file, "centro"}, clock);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  test::FakePhones phones;
  {
    auto in = Ingestor::create(*ledger, phones);
    ASSERT_TRUE(in.ok()) << in.error().message;
  }
  auto& db = ledger->db();
  EXPECT_EQ(
      *db.query_int("SELECT count(*) FROM customers WHERE name = 'Ana de Souza' AND "
                    "phone_e164 = '+5511987654321' AND phone_kind = 'mobile' AND email = 'ana@example.com' "
                    "AND email_valid = 1 AND cpf = '52998224725' AND cpf_valid = 1 AND "
                    "birthday = '1990-05-17' AND birthday_valid = 1"),
      1);
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM ledger_info WHERE key = 'customers_to_normalise'"), 0);
  // Once: a value changed by hand afterwards is left alone by the next Ingestor.
  ASSERT_TRUE(db.exec("UPDATE customers SET name = 'kept'").ok());
  auto again = Ingestor::create(*ledger, phones);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM customers WHERE name = 'kept'"), 1);
}

}  // namespace
}  // namespace regua
