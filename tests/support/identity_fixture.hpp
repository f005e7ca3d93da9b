#pragma once
// A ledger with an Ingestor on the fake phone normaliser, and shorthands to feed it customers and
// sales: what the tests of matching, merging and data quality share.

#include <initializer_list>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "local/ledger/ingest.hpp"
#include "tests/support/fake_phones.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua::test {

// Implicit from a braced list, so that tables of people read as tables.
struct Person {  // NOLINT
  using Text = std::optional<std::string>;
  Person(std::string pos, Text name_ = {}, Text phone_ = {}, Text email_ = {}, Text cpf_ = {},
         Text birthday_ = {})
      : pos_id(std::move(pos)),
        name(std::move(name_)),
        phone(std::move(phone_)),
        email(std::move(email_)),
        cpf(std::move(cpf_)),
        birthday(std::move(birthday_)) {}

  std::string pos_id;
  Text name, phone, email, cpf, birthday;

  [[nodiscard]] CustomerInfo info() const {
    CustomerInfo c;
    c.pos_id = pos_id;
    c.name = name;
    c.phone = phone;
    c.email = email;
    c.cpf = cpf;
    c.birthday = birthday;
    return c;
  }
};

class IdentityTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    make_ingestor();
  }

  void make_ingestor() {
    ingestor.reset();
    auto in = Ingestor::create(*ledger, phones);
    ASSERT_TRUE(in.ok()) << in.error().message;
    ingestor.emplace(std::move(*in));
  }

  void apply_all(std::initializer_list<Event> events) {
    ASSERT_TRUE(ingestor->begin().ok());
    for (const auto& e : events) {
      auto s = ingestor->apply(e, "pdv");
      ASSERT_TRUE(s.ok()) << s.error().message;
    }
    auto s = ingestor->commit();
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  static Sale sale(std::string id, Cents total, std::optional<CustomerInfo> customer = {},
                   std::string_view when = "2026-03-01T14:00:00Z") {
    Sale s;
    s.pos_id = std::move(id);
    s.sold_at = at(when);
    s.total = total;
    s.customer = std::move(customer);
    return s;
  }

  // The ledger's id of the customer of a sale; -1 when anonymous or unknown.
  std::int64_t customer_of(std::string_view sale_pos_id) {
    auto n = ledger->db().query_int("SELECT coalesce((SELECT customer_id FROM sales WHERE pos_id = '" +
                                    std::string(sale_pos_id) + "'), -1)");
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }

  std::optional<std::string> text(std::string_view sql) {
    auto stmt = ledger->db().prepare(sql);
    EXPECT_TRUE(stmt.ok()) << (stmt.ok() ? "" : stmt.error().message);
    if (!stmt.ok()) return std::nullopt;
    auto row = stmt->step();
    if (!row.ok() || !*row) return std::nullopt;
    auto v = stmt->optional_text(0);
    stmt->reset();
    return v;
  }

  // A field of the customer a sale went to.
  std::optional<std::string> field_of(std::string_view sale_pos_id, std::string_view column) {
    return text("SELECT " + std::string(column) +
                " FROM customers WHERE id = " + std::to_string(customer_of(sale_pos_id)));
  }

  FakePhones phones;
  std::optional<Ingestor> ingestor;
};

}  // namespace regua::test
