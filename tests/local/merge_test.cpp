// Merging customer records: sales move, fields fill, consent stays restrictive, an audit row is
// written, a dry run writes nothing, old POS ids keep meaning the survivor; and the property that
// merging is order-independent and loses no sale.

#include "local/identity/merge.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "local/identity/duplicates.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua {
namespace {

using test::Person;

class MergeTest : public test::IdentityTest {
 protected:
  std::int64_t id_of(std::string_view pos_id) {
    auto id = resolve_customer(ledger->db(), "pos:" + std::string(pos_id));
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
    return id.ok() ? *id : -1;
  }

  Result<MergeOutcome> merge(std::int64_t keep, std::vector<std::int64_t> others, bool dry_run = false) {
    return merge_customers(*ledger, MergeRequest{keep, std::move(others), dry_run});
  }

  // Everything merge may touch, as text, to compare before and after.
  std::string snapshot() {
    std::string out;
    for (const char* sql :
         {"SELECT group_concat(pos_id || '>' || coalesce(customer_id, '-'), ',') FROM (SELECT * FROM sales "
          "ORDER BY pos_id)",
          "SELECT group_concat(json_array(id, pos_id, name, phone, phone_e164, email, cpf, birthday, "
          "info_at), ',') "
          "FROM (SELECT * FROM customers ORDER BY id)",
          "SELECT group_concat(customer_id || channel || granted || at, ',') FROM (SELECT * FROM consents "
          "ORDER BY "
          "1, 2)",
          "SELECT count(*) FROM customer_merges", "SELECT count(*) FROM customer_pos_ids"}) {
      out += text(sql).value_or("") + "\n";
    }
    return out;
  }
};

TEST_F(MergeTest, MovesSalesFillsEmptyFieldsWritesAnAuditRowAndDeletesTheOthers) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana"}.info(), "2026-03-01T10:00:00Z"),
             sale("S-2", 200, Person{"C-2", "Ana Souza", "(11) 98765-4321", "ana@example.com"}.info(),
                  "2026-03-02T10:00:00Z"),
             sale("S-3", 300, Person{"C-3", "A. Souza", std::nullopt, "ana@gmail", "529.982.247-25"}.info(),
                  "2026-03-03T10:00:00Z"),
             sale("S-4", 400, Person{"C-2"}.info(), "2026-03-04T10:00:00Z")});
  const auto keep = id_of("C-1");
  auto outcome = merge(keep, {id_of("C-2"), id_of("C-3")});
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->written);
  EXPECT_EQ(outcome->sales_moved, 3);
  EXPECT_EQ(outcome->survivor_sales, 4);
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE customer_id = " + std::to_string(keep)), 4);
  EXPECT_EQ(count("SELECT sum(total_cents) FROM sales WHERE customer_id = " + std::to_string(keep)), 1000);
  // The survivor keeps its name and takes the mobile, the valid e-mail (C-2's, though C-3's news is
  // newer: a valid value beats an invalid one) and the CPF.
  EXPECT_EQ(field_of("S-1", "name"), "Ana");
  EXPECT_EQ(field_of("S-1", "phone_e164"), "+5511987654321");
  EXPECT_EQ(field_of("S-1", "email"), "ana@example.com");
  EXPECT_EQ(field_of("S-1", "cpf"), "52998224725");
  EXPECT_EQ(count("SELECT info_at FROM customers"),
            test::at("2026-03-04T10:00:00Z").time_since_epoch().count());
  EXPECT_EQ(count("SELECT count(*) FROM customer_merges WHERE survivor_id = " + std::to_string(keep)), 2);
  EXPECT_EQ(count("SELECT sales_moved FROM customer_merges WHERE merged_pos_id = 'C-2'"), 2);
  EXPECT_EQ(
      text("SELECT json_extract(merged_record, '$.email') FROM customer_merges WHERE merged_pos_id = 'C-3'"),
      "ana@gmail")
      << "the audit row keeps what the merged record was";
}

TEST_F(MergeTest, ADryRunReportsTheResultAndWritesNothing) {
  CustomerInfo b = Person{"C-2", "Bia", "(21) 99876-5432"}.info();
  b.consent = {{Channel::sms, false}};
  apply_all({sale("S-1", 100, Person{"C-1", "Bia"}.info()), sale("S-2", 200, b)});
  const auto before = snapshot();
  auto outcome = merge(id_of("C-1"), {id_of("C-2")}, true);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_FALSE(outcome->written);
  EXPECT_EQ(outcome->sales_moved, 1);
  EXPECT_EQ(outcome->survivor_sales, 2);
  ASSERT_TRUE(outcome->after.fields.phone);
  EXPECT_EQ(outcome->after.fields.phone->parsed.e164, "+5521998765432");
  ASSERT_EQ(outcome->consents.size(), 1u);
  EXPECT_FALSE(outcome->consents[0].granted);
  EXPECT_EQ(snapshot(), before);
}

TEST_F(MergeTest, AMergedRecordsPosIdKeepsMeaningTheSurvivor) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana"}.info()), sale("S-2", 200, Person{"C-2", "Ana"}.info()),
             sale("S-3", 300, Person{"C-3", "Ana"}.info())});
  const auto c1 = id_of("C-1");
  const auto c3 = id_of("C-3");
  ASSERT_TRUE(merge(c1, {id_of("C-2")}).ok());
  apply_all({sale("S-4", 400, Person{"C-2", "Ana Souza"}.info(), "2026-03-05T10:00:00Z")});
  EXPECT_EQ(customer_of("S-4"), c1);
  EXPECT_EQ(field_of("S-4", "name"), "Ana Souza") << "news about C-2 is news about the survivor";
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 2);
  // Merged again: C-1 (and through it C-2) into C-3.
  ASSERT_TRUE(merge(c3, {c1}).ok());
  apply_all({sale("S-5", 500, Person{"C-2"}.info()), sale("S-6", 600, Person{"C-1"}.info())});
  EXPECT_EQ(customer_of("S-5"), c3);
  EXPECT_EQ(customer_of("S-6"), c3);
  EXPECT_EQ(id_of("C-2"), c3);
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE customer_id = " + std::to_string(c3)), 6);
}

TEST_F(MergeTest, ASurvivorWithoutPosIdTakesOne) {
  apply_all({sale("NFE-1", 100, Person{"", "Ana", std::nullopt, "ana@example.com"}.info()),
             sale("S-1", 200, Person{"C-1", "Ana"}.info())});
  const auto keep = customer_of("NFE-1");
  ASSERT_TRUE(merge(keep, {id_of("C-1")}).ok());
  EXPECT_EQ(field_of("NFE-1", "pos_id"), "C-1");
  EXPECT_EQ(count("SELECT count(*) FROM customer_pos_ids"), 0);
  EXPECT_EQ(id_of("C-1"), keep);
}

TEST_F(MergeTest, ConsentStaysTheMostRestrictiveAndAReplayDoesNotUndoIt) {
  CustomerInfo a = Person{"C-1", "Ana"}.info();
  a.consent = {{Channel::sms, false}, {Channel::email, true}};
  CustomerInfo b = Person{"C-2", "Ana"}.info();
  b.consent = {{Channel::sms, true}, {Channel::whatsapp, true}};
  const auto t1 = test::at("2026-03-01T10:00:00Z");
  const auto t2 = test::at("2026-03-02T10:00:00Z");
  apply_all({CustomerUpdate{a, t1}, CustomerUpdate{b, t2}});
  ASSERT_TRUE(merge(id_of("C-2"), {id_of("C-1")}).ok());
  EXPECT_EQ(count("SELECT granted FROM consents WHERE channel = 'sms'"), 0) << "an opt-out is never lost";
  EXPECT_EQ(count("SELECT granted FROM consents WHERE channel = 'email'"), 1);
  EXPECT_EQ(count("SELECT granted FROM consents WHERE channel = 'whatsapp'"), 1);
  apply_all({CustomerUpdate{b, t2}});  // the newest news before the merge, read again
  EXPECT_EQ(count("SELECT granted FROM consents WHERE channel = 'sms'"), 0);
  apply_all({CustomerUpdate{b, test::at("2026-03-10T10:00:00Z")}});  // the customer opts in again, later
  EXPECT_EQ(count("SELECT granted FROM consents WHERE channel = 'sms'"), 1);
}

TEST_F(MergeTest, RefusesDifferentValidCpfsAndBadRequestsWithoutWriting) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana", std::nullopt, std::nullopt, "529.982.247-25"}.info()),
             sale("S-2", 200, Person{"C-2", "Ana", std::nullopt, std::nullopt, "111.444.777-35"}.info()),
             sale("S-3", 300, Person{"C-3", "Ana"}.info())});
  const auto before = snapshot();
  auto cpfs = merge(id_of("C-1"), {id_of("C-3"), id_of("C-2")});
  ASSERT_FALSE(cpfs.ok());
  EXPECT_EQ(cpfs.error().kind, ErrorKind::input);
  EXPECT_NE(cpfs.error().message.find("different valid CPFs"), std::string::npos) << cpfs.error().message;
  EXPECT_EQ(merge(id_of("C-1"), {999}).error().kind, ErrorKind::usage);
  EXPECT_EQ(merge(id_of("C-1"), {id_of("C-1")}).error().kind, ErrorKind::usage);
  EXPECT_EQ(merge(id_of("C-1"), {id_of("C-3"), id_of("C-3")}).error().kind, ErrorKind::usage);
  EXPECT_EQ(merge(id_of("C-1"), {}).error().kind, ErrorKind::usage);
  EXPECT_EQ(snapshot(), before);
}

TEST_F(MergeTest, ResolvesCustomersByNumberOrPosId) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana"}.info())});
  const auto id = customer_of("S-1");
  EXPECT_EQ(*resolve_customer(ledger->db(), std::to_string(id)), id);
  EXPECT_EQ(*resolve_customer(ledger->db(), "pos:C-1"), id);
  EXPECT_EQ(resolve_customer(ledger->db(), "pos:C-404").error().kind, ErrorKind::usage);
  EXPECT_EQ(resolve_customer(ledger->db(), "C-1").error().kind, ErrorKind::usage);
}

// Every table that refers to customers must be known to merge (the hook of merge.cpp): this fails
// when a migration adds one and nobody decided what merging does with its rows.
TEST_F(MergeTest, KnowsEveryTableThatRefersToCustomers) {
  auto stmt = ledger->db().prepare(
      "SELECT m.name, f.\"from\" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f "
      "WHERE m.type = 'table' AND f.\"table\" = 'customers'");
  ASSERT_TRUE(stmt.ok());
  const auto known = customer_dependants();
  int tables = 0;
  for (;;) {
    auto row = stmt->step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    ++tables;
    const std::string table(stmt->text(0)), column(stmt->text(1));
    EXPECT_TRUE(std::any_of(known.begin(), known.end(),
                            [&](const auto& d) { return d.table == table && d.column == column; }))
        << table << "." << column << " refers to customers: say in merge.cpp what merging does with it";
  }
  EXPECT_GE(tables, 3) << "sales, consents and customer_pos_ids at least";
}

// ---- The property: merging is order-independent and loses no sale -------------------------------

struct World {
  int customers = 0;
  std::vector<int> group;  // customer index -> its person
  std::vector<int> survivor_of_group;
  std::vector<Event> events;
};

World make_world(std::mt19937& rng) {
  World w;
  w.customers = 3 + static_cast<int>(rng() % 8);
  const int groups = 1 + static_cast<int>(rng() % static_cast<unsigned>(w.customers));
  for (int c = 0; c < w.customers; ++c)
    w.group.push_back(static_cast<int>(rng() % static_cast<unsigned>(groups)));
  w.survivor_of_group.assign(static_cast<std::size_t>(groups), -1);
  for (int c = 0; c < w.customers; ++c) {
    auto& s = w.survivor_of_group[static_cast<std::size_t>(w.group[static_cast<std::size_t>(c)])];
    if (s < 0 || rng() % 2 == 0) s = c;
  }
  // Each record is known to the POS first by a customer event (random details and consent), then sales.
  for (int c = 0; c < w.customers; ++c) {
    Person p{"C-" + std::to_string(c), "Person" + std::to_string(c)};  // distinct first names: no auto-match
    if (rng() % 2) p.email = "p" + std::to_string(c) + "@example.com";
    if (rng() % 3 == 0) p.birthday = "1990-01-" + std::to_string(10 + c);
    CustomerInfo info = p.info();
    if (rng() % 2) info.consent.push_back({Channel::sms, rng() % 2 == 0});
    w.events.emplace_back(
        CustomerUpdate{info, test::at("2026-01-01T10:00:00Z") + std::chrono::minutes(rng() % 1000)});
  }
  const int sales = static_cast<int>(rng() % 60);
  for (int s = 0; s < sales; ++s) {
    Sale sale;
    sale.pos_id = "S-" + std::to_string(s);
    sale.sold_at = test::at("2026-02-01T10:00:00Z") + std::chrono::hours(s);
    sale.total = static_cast<Cents>(rng() % 100'000);
    if (rng() % 5 != 0)
      sale.customer = Person{"C-" + std::to_string(rng() % static_cast<unsigned>(w.customers))}.info();
    const Seconds sold_at = sale.sold_at;
    w.events.emplace_back(std::move(sale));
    if (rng() % 10 == 0) w.events.emplace_back(Cancel{"S-" + std::to_string(s), sold_at});
  }
  return w;
}

// A random sequence of merges that ends with each group in its survivor: at each step some alive
// records of a group are merged, into the survivor when it is among them, else into one of them.
std::vector<std::pair<int, std::vector<int>>> make_plan(const World& w, std::mt19937& rng) {
  std::vector<std::vector<int>> alive(w.survivor_of_group.size());
  for (int c = 0; c < w.customers; ++c)
    alive[static_cast<std::size_t>(w.group[static_cast<std::size_t>(c)])].push_back(c);
  std::vector<std::pair<int, std::vector<int>>> plan;
  for (;;) {
    std::vector<std::size_t> open;
    for (std::size_t g = 0; g < alive.size(); ++g) {
      if (alive[g].size() > 1) open.push_back(g);
    }
    if (open.empty()) return plan;
    const std::size_t g = open[rng() % open.size()];
    auto& members = alive[g];
    std::shuffle(members.begin(), members.end(), rng);
    const std::size_t take = 2 + rng() % (members.size() - 1);
    std::vector<int> chosen(members.begin(), members.begin() + static_cast<std::ptrdiff_t>(take));
    const int survivor = w.survivor_of_group[g];
    const bool has_survivor = std::find(chosen.begin(), chosen.end(), survivor) != chosen.end();
    const int keep = has_survivor ? survivor : chosen[rng() % chosen.size()];
    std::vector<int> others;
    for (const int c : chosen) {
      if (c != keep) others.push_back(c);
    }
    plan.emplace_back(keep, others);
    std::erase_if(members, [&](int c) { return std::find(others.begin(), others.end(), c) != others.end(); });
  }
}

struct PersonState {
  std::set<std::string> sales;
  std::int64_t cents = 0;
  std::optional<bool> sms;
  friend bool operator==(const PersonState&, const PersonState&) = default;
};

class MergeProperty : public ::testing::Test {
 protected:
  // Runs the world and the plan on a fresh ledger; returns the state per surviving record (by POS id).
  std::map<std::string, PersonState> run(const World& w,
                                         const std::vector<std::pair<int, std::vector<int>>>& plan) {
    test::TempDir dir;
    ManualClock clock(test::at("2026-03-01T12:00:00Z"));
    auto ledger = Ledger::open(LedgerOptions{dir / "ledger.db", "centro"}, clock);
    EXPECT_TRUE(ledger.ok());
    test::FakePhones phones;
    std::map<std::string, PersonState> out;
    {
      auto in = Ingestor::create(*ledger, phones);
      EXPECT_TRUE(in.ok());
      EXPECT_TRUE(in->begin().ok());
      for (const auto& e : w.events)
        EXPECT_TRUE(in->apply(e, "pdv").ok());
      EXPECT_TRUE(in->commit().ok());
    }
    auto& db = ledger->db();
    auto id_of = [&](int c) { return *resolve_customer(db, "pos:C-" + std::to_string(c)); };
    for (const auto& [keep, others] : plan) {
      std::vector<std::int64_t> ids;
      for (const int o : others)
        ids.push_back(id_of(o));
      auto merged = merge_customers(*ledger, MergeRequest{id_of(keep), ids, false});
      EXPECT_TRUE(merged.ok()) << merged.error().message;
    }
    // Every POS id resolves to its group's survivor.
    for (int c = 0; c < w.customers; ++c) {
      const int survivor =
          w.survivor_of_group[static_cast<std::size_t>(w.group[static_cast<std::size_t>(c)])];
      EXPECT_EQ(id_of(c), id_of(survivor)) << "C-" << c;
    }
    auto stmt = db.prepare(
        "SELECT c.pos_id, s.pos_id, s.total_cents, (SELECT granted FROM consents WHERE customer_id = c.id "
        "AND "
        "channel = 'sms') FROM customers c LEFT JOIN sales s ON s.customer_id = c.id");
    EXPECT_TRUE(stmt.ok());
    for (;;) {
      auto row = stmt->step();
      EXPECT_TRUE(row.ok());
      if (!row.ok() || !*row) break;
      PersonState& p = out[std::string(stmt->text(0))];
      if (!stmt->is_null(1)) {
        p.sales.emplace(stmt->text(1));
        p.cents += stmt->int64(2);
      }
      if (!stmt->is_null(3)) p.sms = stmt->int64(3) != 0;
    }
    out["(anonymous)"].cents =
        *db.query_int("SELECT coalesce(sum(total_cents), 0) FROM sales WHERE customer_id IS NULL");
    out["(all)"].cents = *db.query_int("SELECT coalesce(sum(total_cents), 0) FROM sales");
    out["(all)"].sales.emplace(std::to_string(*db.query_int("SELECT count(*) FROM sales")));
    out["(merges)"].cents = *db.query_int("SELECT count(*) FROM customer_merges");
    return out;
  }
};

TEST_F(MergeProperty, MergingIsOrderIndependentAndLosesNoSale) {
  for (unsigned seed = 1; seed <= 25; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    const World w = make_world(rng);
    const auto plan_a = make_plan(w, rng);
    const auto plan_b = make_plan(w, rng);
    const auto a = run(w, plan_a);
    const auto b = run(w, plan_b);
    EXPECT_EQ(a, b) << "two merge orders gave different ledgers";

    // And both are what the input says: each person has exactly the sales of all its records.
    std::map<std::string, PersonState> expected;
    std::int64_t all_cents = 0, all_sales = 0, anonymous_cents = 0;
    std::map<int, std::optional<bool>> sms;  // the most restrictive answer per person
    for (const auto& e : w.events) {
      if (const auto* u = std::get_if<CustomerUpdate>(&e)) {
        const int c = std::stoi(u->customer.pos_id.substr(2));
        const int g = w.group[static_cast<std::size_t>(c)];
        for (const auto& consent : u->customer.consent)
          sms[g] = sms[g].value_or(true) && consent.granted;
      }
      const auto* s = std::get_if<Sale>(&e);
      if (s == nullptr) continue;
      ++all_sales;
      all_cents += s->total;
      if (!s->customer) {
        anonymous_cents += s->total;
        continue;
      }
      const int c = std::stoi(s->customer->pos_id.substr(2));
      const int survivor =
          w.survivor_of_group[static_cast<std::size_t>(w.group[static_cast<std::size_t>(c)])];
      auto& p = expected["C-" + std::to_string(survivor)];
      p.sales.insert(s->pos_id);
      p.cents += s->total;
    }
    for (std::size_t g = 0; g < w.survivor_of_group.size(); ++g) {
      if (w.survivor_of_group[g] < 0) continue;
      auto& p = expected["C-" + std::to_string(w.survivor_of_group[g])];
      p.sms = sms[static_cast<int>(g)];
    }
    expected["(anonymous)"].cents = anonymous_cents;
    expected["(all)"].cents = all_cents;
    expected["(all)"].sales.emplace(std::to_string(all_sales));
    expected["(merges)"].cents = w.customers - static_cast<std::int64_t>(std::count_if(
                                                   w.survivor_of_group.begin(), w.survivor_of_group.end(),
                                                   [](int s) { return s >= 0; }));
    EXPECT_EQ(a, expected);
  }
}

}  // namespace
}  // namespace regua
