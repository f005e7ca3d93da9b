// `regua-agent predict` end to end, and the validation against Fader, Hardie & Lee (2005): the CDNOW
// sample goes in through the product's own import path (tests/data/cdnow-to-jsonl, then
// `regua-agent import`), is fitted by `regua-agent predict --at 1997-09-30` (the paper's 39-week
// calibration period, time in weeks, purchases counted per day), and must give the published
// estimates. Sources of the published figures:
//   BG/NBD r, alpha, a, b and the log-likelihood: the paper (Marketing Science 24(2), 2005), as
//     ../shared/data/README.md quotes it;
//   1.226 purchases in the next 39 weeks for x = 2, t_x = 30.43, T = 38.86 (CDNOW customer 0001):
//     Hardie's BG/NBD spreadsheet, as the `lifetimes` test suite checks it;
//   Gamma-Gamma p = 6.25, q = 3.74, v = 15.45 on the 946 returning customers, and the conditional
//     expected average spend 24.658619 (customer 1) and 35.170981 (a customer without repeat
//     purchases): the `lifetimes` Quickstart documentation, fitted on Hardie's CDNOW summary.

#include <cmath>

#include <gtest/gtest.h>

#include "local/ledger/ledger.hpp"
#include "local/predict/prediction_store.hpp"
#include "tests/support/agent_store.hpp"

namespace regua {
namespace {

using test::AgentStore;
using test::run_command;

const std::filesystem::path kCdnowSample =
    std::filesystem::path(REGUA_SHARED_DATA) / "cdnow/CDNOW_sample.txt";
const std::filesystem::path kConverter = std::filesystem::path(REGUA_TEST_DATA) / "cdnow-to-jsonl";

// `v` rounded to `digits` significant figures.
double significant(double v, int digits) {
  if (v == 0) return 0;
  const double scale = std::pow(10.0, digits - 1 - std::floor(std::log10(std::fabs(v))));
  return std::round(v * scale) / scale;
}

#define EXPECT_SAME_3_SIGNIFICANT(actual, published) \
  EXPECT_DOUBLE_EQ(significant(actual, 3), significant(published, 3)) << #actual " = " << (actual)

const nlohmann::json* find_customer(const nlohmann::json& out, std::string_view pos_id) {
  for (const auto& row : out["predictions"]) {
    if (row["customer"] == pos_id) return &row;
  }
  return nullptr;
}

class Cdnow : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kCdnowSample))
        << kCdnowSample << " is missing: the CDNOW validation needs ../shared/data (REGUA_SHARED_DATA)";
    auto converted = run_command({"/bin/sh", kConverter.string(), kCdnowSample.string()});
    ASSERT_EQ(converted.exit_code, 0) << converted.err;
    test::write_file(store.dir / "cdnow.jsonl", converted.out);
    auto imported = run_command(store.command({"import", (store.dir / "cdnow.jsonl").string()}));
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    ASSERT_NE(imported.out.find("6919 sale(s) added"), std::string::npos) << imported.out;
  }

  AgentStore store;
};

TEST_F(Cdnow, BgNbdAndGammaGammaFitsMatchThePublishedEstimates) {
  auto r = run_command(
      store.command({"predict", "--at", "1997-09-30", "--unit", "week", "--horizon-days", "273", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r.out.substr(0, 500);

  EXPECT_EQ(out["as_of"], "1997-09-30");
  EXPECT_EQ(out["time_unit"], "week");
  EXPECT_EQ(out["customers"], 2357);
  EXPECT_EQ(out["repeat_customers"], 946);
  const auto& bg = out["purchase_model"];
  const double r_ = bg["r"], alpha = bg["alpha"], a = bg["a"], b = bg["b"], ll = bg["log_likelihood"];
  EXPECT_SAME_3_SIGNIFICANT(r_, 0.243);
  EXPECT_SAME_3_SIGNIFICANT(alpha, 4.414);
  EXPECT_SAME_3_SIGNIFICANT(a, 0.793);
  EXPECT_SAME_3_SIGNIFICANT(b, 2.426);
  EXPECT_SAME_3_SIGNIFICANT(ll, -9582.4);
  // Closer than 3 significant figures: each estimate within the rounding of the published digits.
  EXPECT_NEAR(r_, 0.243, 0.0005);
  EXPECT_NEAR(alpha, 4.414, 0.0006);
  EXPECT_NEAR(a, 0.793, 0.0006);
  EXPECT_NEAR(b, 2.426, 0.0006);
  EXPECT_NEAR(ll, -9582.4, 0.05);

  const auto& gg = out["spend_model"];
  ASSERT_TRUE(gg.is_object()) << out["spend_problem"];
  EXPECT_EQ(gg["customers"], 946);
  EXPECT_SAME_3_SIGNIFICANT(gg["p"].get<double>(), 6.25);
  EXPECT_SAME_3_SIGNIFICANT(gg["q"].get<double>(), 3.74);
  // 15.45 sits on a 3-significant-figure rounding boundary, so v is checked at the published
  // precision instead. The published fit read Hardie's CDNOW summary, whose average spends are rounded
  // to the cent (22.35 for customer 0001, whose exact average is 22.345); fitted on such rounded
  // averages v is 15.447, on the exact ones 15.4435: hence 0.01 and not 0.005.
  EXPECT_NEAR(gg["v"].get<double>(), 15.45, 0.01);

  // Customer 0001 bought on 1997-01-01, 01-18 and 08-02 (and later, after the calibration period).
  const auto* one = find_customer(out, "0001");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ((*one)["x"], 2);
  EXPECT_NEAR((*one)["t_x"].get<double>(), 30.43, 0.005);
  EXPECT_NEAR((*one)["T"].get<double>(), 38.86, 0.005);
  EXPECT_NEAR((*one)["expected_purchases"].get<double>(), 1.226, 0.0006) << "next 39 weeks";
  EXPECT_SAME_3_SIGNIFICANT((*one)["expected_spend_cents"].get<double>() / 100, 24.658619);
  const auto* three = find_customer(out, "0003");
  ASSERT_NE(three, nullptr);
  EXPECT_EQ((*three)["x"], 0);
  EXPECT_EQ((*three)["p_alive"], 1.0);
  EXPECT_SAME_3_SIGNIFICANT((*three)["expected_spend_cents"].get<double>() / 100, 35.170981);

  // The figures are in the ledger for segments and rules.
  ManualClock clock(Seconds{});
  auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", true, false}, clock);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  auto stored = load_customer_prediction(ledger->db(), (*one)["customer_id"].get<std::int64_t>());
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->fit_id, out["fit_id"]);
  EXPECT_EQ((*stored)->as_of, "1997-09-30");
  EXPECT_EQ((*stored)->horizon_days, 273);
  EXPECT_DOUBLE_EQ((*stored)->p_alive, (*one)["p_alive"].get<double>());
  EXPECT_EQ((*stored)->clv, (*one)["clv_cents"].get<std::int64_t>());
  EXPECT_EQ(*ledger->db().query_int("SELECT count(*) FROM customer_predictions"), 2357);
}

TEST_F(Cdnow, TextReportShowsParametersWithTheirUnitAndTheCustomers) {
  auto r = run_command(store.command({"predict", "--at", "1997-09-30", "--limit", "5"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (std::string_view expected :
       {"on its history up to the end of 1997-09-30 (time unit: week); saved as fit 1",
        "Customers: 2357, of whom 946 came back", "r = 0.24", "alpha = 4.41", "weeks, a = 0.79",
        "log-likelihood -9582.4", "Gamma-Gamma, 946 customers", "... and 2352 more customers"}) {
    EXPECT_NE(r.out.find(expected), std::string::npos) << "missing \"" << expected << "\" in:\n" << r.out;
  }
  // Days as the unit: the same customers, alpha in days (the model is the same up to the unit).
  r = run_command(store.command({"predict", "--at", "1997-09-30", "--unit", "day", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(out["fit_id"], 2);
  EXPECT_EQ(out["time_unit"], "day");
  EXPECT_NEAR(out["purchase_model"]["alpha"].get<double>() / 7, 4.414, 0.01);
  EXPECT_NEAR(out["purchase_model"]["r"].get<double>(), 0.243, 0.001);
}

TEST(Predict, RefusesTooLittleHistoryAndSaysWhatIsMissing) {
  AgentStore store;
  test::write_file(
      store.dir / "history.jsonl",
      R"({"type":"sale","id":"H-1","ts":"2026-01-05T10:00:00-03:00","total":"50.00","customer":{"id":"C-1"}}
{"type":"sale","id":"H-2","ts":"2026-01-06T10:00:00-03:00","total":"30.00","customer":{"id":"C-1"}}
{"type":"sale","id":"H-3","ts":"2026-01-07T10:00:00-03:00","total":"12.30"}
)");
  ASSERT_EQ(run_command(store.command({"import", (store.dir / "history.jsonl").string()})).exit_code, 0);
  auto r = run_command(store.command({"predict", "--at", "2026-01-31"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the history up to 2026-01-31 covers 26 days (since 2026-01-05); predictions need at "
                       "least 56 days: wait 30 days more"),
            std::string::npos)
      << r.err;
  r = run_command(store.command({"predict", "--at", "2026-06-30"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("only 1 customers bought up to 2026-06-30; predictions need at least 50"),
            std::string::npos)
      << r.err;
  r = run_command(store.command({"predict", "--at", "2025-12-31"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no customer has bought up to 2025-12-31"), std::string::npos) << r.err;
}

TEST(Predict, UsageErrorsExitWithTwo) {
  AgentStore store;
  auto r = run_command(store.command({"predict", "--unit", "fortnight"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown --unit \"fortnight\" (allowed: week, day)"), std::string::npos) << r.err;
  r = run_command(store.command({"predict", "--at", "2026-02-30"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--at:"), std::string::npos) << r.err;
  EXPECT_EQ(run_command(store.command({"predict", "--horizon-days", "0"})).exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(store.ledger)) << "nothing was touched";
}

}  // namespace
}  // namespace regua
