// The segment filter language: every error with its column and what was expected, every field on a
// small ledger worked by hand, and SQL injection attempts that are only ever parse errors.

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "local/analysis/filter_parser.hpp"
#include "local/analysis/filter_sql.hpp"
#include "local/analysis/segment_catalog.hpp"
#include "local/analysis/segment_query.hpp"
#include "tests/support/analysis_fixture.hpp"

namespace regua {
namespace {

using test::at;

std::string filter_error_of(std::string_view filter) {
  auto r = parse_filter(filter);
  return r.ok() ? "(parsed)" : r.error().message;
}

struct ErrorCase {
  std::string filter;
  std::string message;  // the whole message, or its beginning when it ends with "..."
};

TEST(FilterLanguage, EveryErrorSaysWhereAndWhatWasExpected) {
  const std::vector<ErrorCase> cases{
      {"purchases >= abc", "at column 14: expected a number after \">=\", found \"abc\""},
      {"total_spent >= abc",
       "at column 16: expected a number (an amount such as 150 or 99.90) after \">=\", found \"abc\""},
      {"total_spent >= 10.123",
       "at column 16: expected an amount with at most two decimals after \">=\", found \"10.123\""},
      {"purchases > 1; drop table customers", "at column 14: unexpected character \";\""},
      {"name = 'x'", "at column 8: unexpected character \"'\" (text goes between double quotes: \"...\")"},
      {"cell = \"vips\"", "at column 8: unknown cell \"vips\" (cells: new_active, new_slipping, ..."},
      {"purchase >= 2", "at column 1: unknown field \"purchase\" (fields: purchases, purchases_last(N), ..."},
      {"purchases 2",
       "at column 11: expected a comparison (=, !=, <, <=, >, >=, in) after \"purchases\", found \"2\""},
      {"(purchases > 1",
       "at column 15: expected \"and\", \"or\" or \")\" to close the \"(\" at column 1, found the end of the "
       "filter"},
      {"purchases_last > 2",
       "at column 16: expected \"(\" after \"purchases_last\" (write purchases_last(N), N whole days from 0 "
       "to 3660), "
       "found \">\""},
      {"purchases_last(1.5) > 2",
       "at column 16: expected a number of days after \"purchases_last(\" (write purchases_last(N), N whole "
       "days "
       "from 0 to 3660), found \"1.5\""},
      {"birthday_within(400)", "at column 17: expected a number of days after \"birthday_within(\" ..."},
      {"purchases_last(30 > 2", "at column 19: expected \")\" after \"purchases_last(30\", found \">\""},
      {"purchases(3) > 1", "at column 10: \"purchases\" takes no argument: remove the \"(\""},
      {"cell > \"new_active\"", "at column 6: \"cell\" is a cell: compare it with = or != only, found \">\""},
      {"has_valid_mobile = 1", "at column 20: expected true or false after \"=\", found \"1\""},
      {"purchases = true", "at column 13: expected a number after \"=\", found \"true\""},
      {"purchases = \"3\"", "at column 13: expected a number after \"=\", found the text \"3\""},
      {"total_spent > purchases",
       "at column 15: cannot compare \"total_spent\" (an amount of money) with \"purchases\" (a number)"},
      {"1 = 1",
       "at column 1: a comparison needs a field on one side (e.g. purchases >= 2), found \"1\" = \"1\""},
      {"", "at column 1: expected a condition (e.g. purchases >= 2), found the end of the filter"},
      {"purchases > 1 purchases",
       "at column 15: expected \"and\", \"or\" or the end of the filter, found \"purchases\""},
      {"purchases > 1 and",
       "at column 18: expected a condition (e.g. purchases >= 2), found the end of the filter"},
      {"purchases > 1 and )", "at column 19: expected a condition (e.g. purchases >= 2), found \")\""},
      {"purchases >", "at column 12: expected a number after \">\", found the end of the filter"},
      {"cell = \"new_active", "at column 8: the text starting here has no closing quote (\")"},
      {"has_valid_mobile in (true)",
       "at column 18: \"has_valid_mobile\" is true or false: compare it with = or !=, not \"in\""},
      {"cell in \"new_active\"",
       "at column 9: expected \"(\" after \"in\" (write in (value, value, ...)), found the text "
       "\"new_active\""},
      {"cell in (\"new_active\" \"x\")",
       "at column 23: expected \",\" or \")\" in the list after \"in\", found the text \"x\""},
      {"cell in (purchases)",
       "at column 10: expected a cell in double quotes (e.g. \"loyal_slipping\") in the list after \"in\", "
       "found \"purchases\""},
      {"purchases ! 2", "at column 11: unexpected character \"!\" (did you mean \"!=\"?)"},
      {"p_alive >= 99999999999999999", "at column 12: the number 99999999999999999 is too large"},
      {"days_since_last > 3 && purchases > 1",
       "at column 21: unexpected character \"&\" (write \"and\" / \"or\")"},
      {"3 in (1, 2)", "at column 1: expected a field before \"in\", found \"3\""},
      {"not", "at column 4: expected a condition (e.g. purchases >= 2), found the end of the filter"},
      {"and purchases > 1", "at column 1: expected a condition (e.g. purchases >= 2), found \"and\""},
      {"purchases = 1 or (",
       "at column 19: expected a condition (e.g. purchases >= 2), found the end of the filter"},
      // Columns count characters: "Fiéis ativos" is 12 of them and 13 bytes.
      {"purchases > 1 and cell = \"Fiéis ativos\" and purchases < x",
       "at column 57: expected a number after \"<\", found \"x\""},
      {"cell = \"x\" OR 1=1 --\"", "at column 19: unexpected character \"-\""},
      {"cell = \"x\" OR 1=1", "at column 8: unknown cell \"x\" ..."},
  };
  for (const auto& c : cases) {
    const std::string got = filter_error_of(c.filter);
    if (c.message.ends_with("...")) {
      EXPECT_TRUE(got.starts_with(c.message.substr(0, c.message.size() - 3)))
          << c.filter << "\n  got: " << got;
    } else {
      EXPECT_EQ(got, c.message) << c.filter;
    }
  }
}

// Found by the segment filter fuzzer: thousands of "(" overflowed the stack. Nesting is refused
// past a bound a person never reaches, with the column where it went too deep.
TEST(FilterLanguage, NestingDeeperThanTheBoundIsAnErrorNotACrash) {
  const auto nested = [](int depth, std::string_view open) {
    std::string f;
    for (int i = 0; i < depth; ++i)
      f += open;
    f += "purchases >= 1";
    if (open == "(") f += std::string(static_cast<std::size_t>(depth), ')');
    return f;
  };
  EXPECT_TRUE(parse_filter(nested(kMaxFilterNesting, "(")).ok());
  EXPECT_TRUE(parse_filter(nested(kMaxFilterNesting, "not ")).ok());
  EXPECT_EQ(filter_error_of(nested(kMaxFilterNesting + 1, "(")),
            "at column 65: the filter nests \"(\" and \"not\" more than 64 deep; write it with fewer levels");
  EXPECT_NE(filter_error_of(nested(100000, "(")).find("more than 64 deep"), std::string::npos);
  EXPECT_NE(filter_error_of(nested(100000, "not ")).find("more than 64 deep"), std::string::npos);
  EXPECT_NE(filter_error_of(std::string(50000, '(') + std::string(50000, ')')).find("more than 64 deep"),
            std::string::npos);
}

TEST(FilterLanguage, KeywordsAndFieldsIgnoreCaseAndOperatorsHaveSynonyms) {
  for (const auto* f :
       {"PURCHASES >= 2 AND Days_Since_Last <= 30", "purchases == 2", "purchases <> 2",
        "not (purchases = 1 or purchases = 2)", "30 < days_since_last",
        "cell in (\"new_active\", \"Fiéis ativos\", \"Loyal slipping\")", "has_valid_mobile = false",
        "birthday_within(0) and purchases_last(3660) >= 0", "total_spent >= 0.5"}) {
    EXPECT_TRUE(parse_filter(f).ok()) << f << ": " << filter_error_of(f);
  }
}

TEST(FilterLanguage, EveryFieldIsDocumentedAndInOrder) {
  std::set<std::string_view> names;
  int i = 0;
  for (const auto& f : filter_fields()) {
    EXPECT_EQ(static_cast<int>(f.id), i++) << f.name;  // field_info() indexes by id
    EXPECT_TRUE(names.insert(f.name).second);
    EXPECT_FALSE(f.meaning.empty());
  }
}

// A user's values never reach the SQL text: only placeholders do.
TEST(FilterLanguage, UserTextIsNeverSplicedIntoSql) {
  auto root = parse_filter("cell = \"Fiéis ativos\" or total_spent >= 1234.56 or birthday_within(3)");
  ASSERT_TRUE(root.ok());
  FilterContext context;
  context.today = 20'000;
  auto sql = compile_filter(*root, context);
  ASSERT_TRUE(sql.ok());
  EXPECT_EQ(sql->where.find("Fi"), std::string::npos);
  EXPECT_EQ(sql->where.find("1234"), std::string::npos);
  EXPECT_EQ(static_cast<std::size_t>(std::count(sql->where.begin(), sql->where.end(), '?')),
            sql->params.size());
  EXPECT_NE(std::find(sql->params.begin(), sql->params.end(), SqlValue{std::int64_t{123'456}}),
            sql->params.end());
}

// SQLite stops at the first term that decides: counting recent sales comes after the columns.
TEST(FilterLanguage, CheapTermsAreEvaluatedFirst) {
  auto root = parse_filter("purchases_last(30) >= 1 and days_since_last < 9 and purchases >= 2");
  ASSERT_TRUE(root.ok());
  FilterContext context;
  context.today = 20'000;
  auto sql = compile_filter(*root, context);
  ASSERT_TRUE(sql.ok());
  const auto purchases = sql->where.find("coalesce(s.purchases, 0) >=");
  const auto days_at = sql->where.find("local_day(s.last_at)");
  const auto recent = sql->where.find("FROM sales");
  EXPECT_LT(purchases, days_at) << sql->where;
  EXPECT_LT(days_at, recent) << sql->where;
}

TEST(FilterLanguage, ACustomSegmentsErrorNamesTheSegment) {
  auto s = check_custom_segment({"vip", "purchases >= abc", ""});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "segment \"vip\" filter: at column 14: expected a number after \">=\", found \"abc\"");
  EXPECT_FALSE(check_custom_segment({"champions", "purchases >= 1", ""}).ok());  // a built-in name
  EXPECT_FALSE(check_custom_segment({"Novos ativos", "purchases >= 1", ""}).ok());
  EXPECT_FALSE(check_custom_segment({"two words", "purchases >= 1", ""}).ok());
  EXPECT_TRUE(check_custom_segment({"vip", "purchases >= 4", ""}).ok());
}

// Four customers worked by hand, on 10 March 2026 in São Paulo:
//   A: one purchase of 50.00 yesterday; a mobile and an e-mail; born on 12 March
//   B: four purchases of 100.00, the last 18 days ago (1 Jan, 15 Jan, 1 Feb, 20 Feb), and one of
//      5 March that was cancelled; a landline
//   C: two purchases (30.00, 90.00), the last on 1 November 2025 (129 days); no phone
//   D: a customer record without any purchase; a mobile
// and predictions for A (P(alive) 0.9, CLV 500.00) and B (0.2, 10.00).
class FilterFieldsTest : public test::AnalysisTest {
 protected:
  void SetUp() override {
    AnalysisTest::SetUp();
    clock.set(at("2026-03-10T15:00:00Z"));
    CustomerInfo a = person("A");
    a.phone = "(11) 98765-4321";
    a.email = "ana@example.com";
    a.birthday = "1990-03-12";
    CustomerInfo b = person("B");
    b.phone = "(11) 3456-7890";
    b.email = "bia@example.com";
    b.birthday = "1985-12-25";
    CustomerInfo c = person("C");
    c.email = "not an address";
    CustomerInfo d = person("D");
    d.phone = "(21) 99876-5432";
    apply_all({sale("A1", 5'000, a, "2026-03-09T15:00:00Z"), sale("B1", 10'000, b, "2026-01-01T15:00:00Z"),
               sale("B2", 10'000, b, "2026-01-15T15:00:00Z"), sale("B3", 10'000, b, "2026-02-01T15:00:00Z"),
               sale("B4", 10'000, b, "2026-02-20T15:00:00Z"), sale("C1", 3'000, c, "2025-10-01T15:00:00Z"),
               sale("C2", 9'000, c, "2025-11-01T15:00:00Z"), CustomerUpdate{d, at("2026-03-01T15:00:00Z")},
               sale("B5", 10'000, b, "2026-03-05T15:00:00Z"), Cancel{"B5", at("2026-03-05T16:00:00Z")}});
    ASSERT_TRUE(
        ledger->db()
            .exec(
                "INSERT INTO prediction_fits (id, fitted_at, as_of, time_unit, customers, repeat_customers, "
                "bgnbd_r, bgnbd_alpha, bgnbd_a, bgnbd_b, bgnbd_log_likelihood, horizon_days, clv_days, "
                "monthly_discount) VALUES (1, 0, '2026-03-09', 'week', 3, 2, 1, 1, 1, 1, -1, 90, 365, 0)")
            .ok());
    for (const auto& [who, p, clv] : {std::tuple{"A", 0.9, 50'000}, std::tuple{"B", 0.2, 1'000}}) {
      ASSERT_TRUE(ledger->db()
                      .exec("INSERT INTO customer_predictions VALUES (" + std::to_string(id_of(who)) +
                            ", 1, 1, " + std::to_string(p) + ", 1.0, 100, " + std::to_string(clv) + ")")
                      .ok());
    }
  }

  std::string matching(std::string_view filter) {
    auto compiled = compile_segment(ledger->db(), filter, policy, today());
    if (!compiled) return "error: " + compiled.error().message;
    std::string out;
    auto s =
        for_each_in_segment(ledger->db(), *compiled, policy, today(), [&](const SegmentMember& m) -> Status {
          out += *m.pos_id;
          return {};
        });
    if (!s) return "error: " + s.error().message;
    std::sort(out.begin(), out.end());
    auto n = count_segment(ledger->db(), *compiled, policy);
    EXPECT_TRUE(n.ok());
    EXPECT_EQ(*n, static_cast<std::int64_t>(out.size())) << filter;
    return out;
  }
};

TEST_F(FilterFieldsTest, EveryFieldSelectsWhomItShould) {
  EXPECT_EQ(matching("purchases >= 2"), "BC");
  EXPECT_EQ(matching("purchases = 0"), "D");
  EXPECT_EQ(matching("purchases_last(30) >= 1"), "AB");
  EXPECT_EQ(matching("purchases_last(54) >= 3"), "B");  // 15 January is 54 days before 10 March
  EXPECT_EQ(matching("purchases_last(53) >= 3"), "");
  EXPECT_EQ(matching("purchases_last(20) = 1"), "AB");  // B's cancelled sale of 5 March does not count
  EXPECT_EQ(matching("days_since_last > 100"), "C");
  EXPECT_EQ(matching("days_since_last <= 1"), "A");
  EXPECT_EQ(matching("30 < days_since_last"), "C");
  EXPECT_EQ(matching("total_spent >= 400"), "B");
  EXPECT_EQ(matching("total_spent < 100"), "AD");  // no purchase: nothing spent
  EXPECT_EQ(matching("average_ticket > 55.5"), "BC");
  EXPECT_EQ(matching("average_ticket = 60"), "C");
  EXPECT_EQ(matching("has_valid_mobile"), "AD");
  EXPECT_EQ(matching("not has_valid_mobile"), "BC");
  EXPECT_EQ(matching("has_valid_email = true"), "AB");
  EXPECT_EQ(matching("birthday_within(2)"), "A");
  EXPECT_EQ(matching("birthday_within(1)"), "");
  EXPECT_EQ(matching("cell = \"loyal_active\""), "B");
  EXPECT_EQ(matching("cell in (\"novos ativos\", \"promising_inactive\")"), "AC");
  EXPECT_EQ(matching("cell != \"loyal_active\""), "AC");  // D has no cell
  // RFM over A, B, C (rfm.hpp): F 1, 4, 2 purchases -> 1, 4, 2; R 1, 18, 129 days -> 4, 2, 1;
  // M 50, 400, 120 -> 1, 4, 2.
  EXPECT_EQ(matching("rfm_f = 4"), "B");
  EXPECT_EQ(matching("rfm_f = 2"), "C");
  EXPECT_EQ(matching("rfm_r = 4"), "A");
  EXPECT_EQ(matching("rfm_r = 1"), "C");
  EXPECT_EQ(matching("rfm_m >= 2 and rfm_m < 4"), "C");
  EXPECT_EQ(matching("p_alive > 0.5"), "A");
  EXPECT_EQ(matching("not (p_alive > 0.5)"), "B");  // no prediction: no match, not even under "not"
  EXPECT_EQ(matching("clv >= 100"), "A");
  EXPECT_EQ(matching("total_spent > clv"), "B");
  EXPECT_EQ(matching("purchases = 1 or (has_valid_email and purchases >= 4)"), "AB");
}

TEST_F(FilterFieldsTest, ABirthdayOnTheTwentyNinthOfFebruaryIsKeptOnTheTwentyEighth) {
  CustomerInfo e = person("E");
  e.birthday = "2000-02-29";
  apply_all({CustomerUpdate{e, at("2026-02-01T15:00:00Z")}});
  clock.set(at("2026-02-27T15:00:00Z"));  // 2026 has no 29 February
  EXPECT_EQ(matching("birthday_within(1)"), "E");
  EXPECT_EQ(matching("birthday_within(0)"), "");
  clock.set(at("2026-12-30T15:00:00Z"));
  EXPECT_EQ(matching("birthday_within(3)"), "");
  EXPECT_EQ(matching("birthday_within(365)"), "ABE");
}

TEST_F(FilterFieldsTest, InjectionAttemptsAreOnlyParseErrors) {
  for (const auto* f : {"purchases > 1; DROP TABLE customers", "purchases > 1 or 1=1; DELETE FROM sales --",
                        "cell = \"x\"); DROP TABLE customers; --\"", "name = 'x' OR '1'='1'",
                        "purchases > 1 /* */", "purchases_last(30) UNION SELECT * FROM customers"}) {
    EXPECT_TRUE(matching(f).starts_with("error: at column ")) << f << ": " << matching(f);
  }
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 8);
}

TEST_F(FilterFieldsTest, NamedSegmentsResolveToTheirFilters) {
  const std::vector<CustomSegment> custom{{"vip", "total_spent >= 300", ""}};
  for (const auto* name : {"loyal_active", "Fiéis ativos", "LOYAL ACTIVE", "vip", "champions"}) {
    const auto s = find_segment(name, custom, Language::pt_br);
    ASSERT_TRUE(s) << name;
    if (std::string_view(name) != "champions") {
      EXPECT_EQ(matching(s->filter), "B") << name;
    }
  }
  EXPECT_FALSE(find_segment("nobody", custom, Language::pt_br));
}

}  // namespace
}  // namespace regua
