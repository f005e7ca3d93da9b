// `customers duplicates`, `customers merge`, `doctor` and the `quality` of `status --json`, driven
// through the real regua-agent binary (and so with the real libphonenumber).

#include <gtest/gtest.h>

#include "tests/support/agent_store.hpp"

namespace regua {
namespace {

using test::AgentStore;
using test::run_command;

std::string customers_sale(std::string_view id, std::string_view total, std::string_view customer = "") {
  std::string line = R"({"type":"sale","id":")" + std::string(id) +
                     R"(","ts":"2026-03-01T14:05:00-03:00","total":")" + std::string(total) + "\"";
  if (!customer.empty()) line += R"(,"customer":)" + std::string(customer);
  return line + "}\n";
}

// Ana is on the POS twice (C-1 and C-2, same mobile written two ways); Bia once; one anonymous sale.
std::string customers_history() {
  return customers_sale(
             "S-1", "100.00",
             R"({"id":"C-1","name":"ANA SOUZA","phone":"(11) 98765-4321","cpf":"529.982.247-25"})") +
         customers_sale(
             "S-2", "50.00",
             R"({"id":"C-2","name":"Ana","phone":"+55 11 98765-4321","email":"ana@example.com"})") +
         customers_sale("S-3", "20.00", R"({"id":"C-2"})") +
         customers_sale("S-4", "30.00", R"({"id":"C-3","name":"Bia","phone":"0 21 21 99876-5432"})") +
         customers_sale("S-5", "5.00");
}

class CustomersCli : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_file(store.dir / "history.jsonl", customers_history());
    auto r = run_command(store.command({"import", (store.dir / "history.jsonl").string()}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  AgentStore store;
};

TEST_F(CustomersCli, DuplicatesListsRecordsSharingAMobile) {
  auto r = run_command(store.command({"customers", "duplicates", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  ASSERT_EQ(j["groups"].size(), 1u) << r.out;
  const auto& g = j["groups"][0];
  ASSERT_EQ(g["customers"].size(), 2u);
  EXPECT_EQ(g["customers"][0]["pos_id"], "C-1");
  EXPECT_EQ(g["customers"][1]["pos_id"], "C-2");
  EXPECT_EQ(g["shared"][0]["key"], "mobile");
  EXPECT_EQ(g["shared"][0]["value"], "+5511987654321");
  EXPECT_EQ(g["customers"][0]["name"], "Ana Souza");
  EXPECT_EQ(g["customers"][1]["sales"], 2);
  EXPECT_EQ(g["suggested_keep"], g["customers"][1]["id"]) << "the record with more sales";

  auto text = run_command(store.command({"customers", "duplicates"}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("same mobile +5511987654321"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("regua-agent customers merge"), std::string::npos) << text.out;
}

TEST_F(CustomersCli, MergeDryRunWritesNothingThenMergeMovesTheSales) {
  const auto before = store.status();
  auto dry = run_command(store.command({"customers", "merge", "pos:C-1", "pos:C-2", "--dry-run", "--json"}));
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const auto d = json_of(dry);
  EXPECT_EQ(d["written"], false);
  EXPECT_EQ(d["sales_moved"], 2);
  EXPECT_EQ(d["survivor_sales"], 3);
  EXPECT_EQ(d["survivor"]["email"], "ana@example.com") << "filled from C-2";
  EXPECT_EQ(store.status()["customers"], before["customers"]);
  auto still = json_of(run_command(store.command({"customers", "duplicates", "--json"})));
  EXPECT_EQ(still["groups"].size(), 1u) << "the dry run merged nothing";

  auto text = run_command(store.command({"customers", "merge", "pos:C-1", "pos:C-2"}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Merged 1 record(s)"), std::string::npos) << text.out;
  EXPECT_EQ(store.status()["customers"], before["customers"].get<int>() - 1);
  auto none = json_of(run_command(store.command({"customers", "duplicates", "--json"})));
  EXPECT_EQ(none["groups"].size(), 0u);

  // A later sale with the merged record's POS id goes to the survivor.
  test::write_file(store.dir / "later.jsonl", customers_sale("S-6", "7.00", R"({"id":"C-2"})"));
  ASSERT_EQ(run_command(store.command({"import", (store.dir / "later.jsonl").string()})).exit_code, 0);
  EXPECT_EQ(store.status()["customers"], before["customers"].get<int>() - 1);
  auto again = json_of(
      run_command(store.command({"customers", "merge", "pos:C-1", "pos:C-3", "--dry-run", "--json"})));
  EXPECT_EQ(again["survivor_sales"], 5) << "S-1, S-2, S-3, S-6 and Bia's S-4";
}

TEST_F(CustomersCli, MergeRefusesWhatItCannotDo) {
  auto unknown = run_command(store.command({"customers", "merge", "pos:C-1", "pos:C-404"}));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no customer has the POS id \"C-404\""), std::string::npos) << unknown.err;
  auto alone = run_command(store.command({"customers", "merge", "pos:C-1"}));
  EXPECT_EQ(alone.exit_code, 2);
  auto bare = run_command(store.command({"customers"}));
  EXPECT_EQ(bare.exit_code, 2);
}

TEST_F(CustomersCli, StatusJsonHasTheQualityFigures) {
  const auto s = store.status();
  ASSERT_TRUE(s.is_object());
  const auto& q = s["quality"];
  ASSERT_TRUE(q.is_object()) << s.dump();
  EXPECT_EQ(q["sales"], 5);
  EXPECT_EQ(q["identified_sales"], 4);
  EXPECT_DOUBLE_EQ(q["identified_sales_share"].get<double>(), 0.8);
  EXPECT_EQ(q["customers"], 3);
  EXPECT_EQ(q["valid_mobile"], 3) << "every phone of the history is a mobile, however it was written";
  EXPECT_EQ(q["valid_cpf"], 1);
  EXPECT_EQ(q["valid_email"], 1);
  EXPECT_EQ(q["duplicate_groups"], 1);
  EXPECT_EQ(q["quarantined"], 0);
}

TEST(DoctorCli, ExitsWithOneWhenSomethingNeedsActionAndZeroWhenNot) {
  AgentStore good;
  test::write_file(
      good.dir / "good.jsonl",
      customers_sale("S-1", "10.00", R"({"id":"C-1","name":"Ana","phone":"(11) 98765-4321"})") +
          customers_sale("S-2", "10.00", R"({"id":"C-2","name":"Bia","phone":"(21) 99876-5432"})"));
  ASSERT_EQ(run_command(good.command({"import", (good.dir / "good.jsonl").string()})).exit_code, 0);
  auto ok = run_command(good.command({"doctor"}));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("100% of sales have a customer"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("Nothing needs action"), std::string::npos) << ok.out;

  AgentStore bad;
  test::write_file(bad.dir / "bad.jsonl",
                   customers_sale("S-1", "10.00", R"({"id":"C-1","name":"Ana","phone":"(11) 3456-7890"})") +
                       customers_sale("S-2", "10.00") + customers_sale("S-3", "10.00") + "{broken\n");
  ASSERT_EQ(run_command(bad.command({"import", (bad.dir / "bad.jsonl").string()})).exit_code, 0);
  auto findings = run_command(bad.command({"doctor"}));
  EXPECT_EQ(findings.exit_code, 1) << findings.out << findings.err;
  EXPECT_NE(findings.out.find("67% of sales have no customer (2 of 3): select"), std::string::npos)
      << findings.out;
  EXPECT_NE(findings.out.find("1 have a landline only"), std::string::npos) << findings.out;
  EXPECT_NE(findings.out.find("1 input(s) could not be taken"), std::string::npos) << findings.out;

  AgentStore empty;  // never ingested: no ledger at all
  auto missing = run_command(empty.command({"doctor"}));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("the ledger cannot be read"), std::string::npos) << missing.out;
}

}  // namespace
}  // namespace regua
