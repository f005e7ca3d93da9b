// cloud/network's pure figures on records built by hand: the cross-store recognition under the
// `full` policy (numbers compared once normalised) and weekly network KPIs.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cloud/network/cross_store.hpp"
#include "cloud/network/network_kpis.hpp"

namespace regua::test {
namespace {

hub::StoredRecord stored(std::int64_t seq, const std::string& key, const nlohmann::json& body) {
  return hub::StoredRecord{seq, key.substr(0, key.find(':')), key, body.dump()};
}

TEST(NetworkFigures, UnderTheFullPolicyCpfAndMobileAreComparedNormalised) {
  std::vector<hub::CrossStoreInput> stores(3);
  stores[0].store = "centro";
  stores[0].customers = {
      stored(1, "customer:1", {{"id", 1}, {"name", "Ana"}, {"cpf", "529.982.247-25"}, {"phone", nullptr}}),
      stored(2, "customer:2", {{"id", 2}, {"name", "Bia"}, {"cpf", nullptr}, {"phone", "+55 11 98765-4321"}}),
      stored(3, "customer:3",
             {{"id", 3}, {"name", "Caio"}, {"cpf", "111.111.111-11"}, {"phone", "(11) 3333-4444"}}),
      stored(4, "customer:4", {{"id", 4}, {"removed", true}, {"merged_into", 1}})};
  stores[0].sales = {
      stored(5, "sale:1", {{"customer", 1}, {"total_cents", 1'000}, {"cancelled_at", nullptr}}),
      stored(6, "sale:2", {{"customer", 2}, {"total_cents", 2'000}, {"cancelled_at", nullptr}})};
  stores[1].store = "norte";
  stores[1].customers = {
      stored(1, "customer:7", {{"id", 7}, {"name", "Ana S."}, {"cpf", "52998224725"}, {"phone", nullptr}}),
      stored(2, "customer:8", {{"id", 8}, {"name", "B."}, {"cpf", nullptr}, {"phone", "+5511987654321"}}),
      // An invalid CPF and a phone that is not E.164 recognise nobody.
      stored(3, "customer:9",
             {{"id", 9}, {"name", "C."}, {"cpf", "111.111.111-11"}, {"phone", "(11) 3333-4444"}})};
  stores[1].sales = {stored(4, "sale:1", {{"customer", 7}, {"total_cents", 500}, {"cancelled_at", nullptr}})};
  stores[2].store = "praia";  // no customer record yet
  const auto r = hub::cross_store_customers(stores);
  EXPECT_EQ(r.customer_records, 6) << "the merged-away record is not a customer";
  EXPECT_EQ(r.shared_customers, 2);  // Ana by CPF, Bia by mobile
  EXPECT_EQ(r.unique_customers, 4);  // Ana, Bia, Caio (centro), C. (norte)
  EXPECT_EQ(r.revenue, 3'500);
  EXPECT_EQ(r.shared_revenue, 3'500);
  ASSERT_EQ(r.shared.size(), 2U);
  EXPECT_EQ(r.shared[0].matched_by, "mobile");  // 20.00: most revenue first
  EXPECT_EQ(r.shared[1].matched_by, "cpf");
  EXPECT_EQ(r.shared[1].revenue, 1'500);
  EXPECT_EQ(r.stores[0].policy, "full");
  EXPECT_EQ(r.stores[2].policy, "unknown");
}

TEST(NetworkFigures, WeeksRunMondayToSundayAndAreLabelledByTheirMonday) {
  hub::StoreFigures s{"centro", "sul", "loja", {}, {}};
  // 2026-03-01 is a Sunday: the range's first week is one day long.
  for (const auto& [day, sales] : {std::pair{"2026-03-01", 1}, std::pair{"2026-03-02", 2},
                                   std::pair{"2026-03-08", 4}, std::pair{"2026-03-09", 8}}) {
    s.days.push_back(hub::KpiDayFigures{*hub::day_from_text(day), sales, sales * 100, 0, 0, 0});
  }
  const auto g = hub::network_kpis({s}, hub::GroupBy::network, *hub::day_from_text("2026-03-01"),
                                   *hub::day_from_text("2026-03-10"), KpiGrouping::week);
  ASSERT_EQ(g.size(), 1U);
  ASSERT_EQ(g[0].periods.size(), 3U);
  EXPECT_EQ(g[0].periods[0].label, "2026-02-23");
  EXPECT_EQ(g[0].periods[0].orders, 1);
  EXPECT_EQ(g[0].periods[1].label, "2026-03-02");
  EXPECT_EQ(g[0].periods[1].orders, 6);  // Monday the 2nd and Sunday the 8th
  EXPECT_EQ(g[0].periods[2].label, "2026-03-09");
  EXPECT_EQ(g[0].periods[2].orders, 8);
  EXPECT_EQ(g[0].total.orders, 15);
  EXPECT_EQ(g[0].total.average_ticket, 100);
  EXPECT_FALSE(g[0].total.retention_rate.has_value()) << "no customer active at the start";
}

}  // namespace
}  // namespace regua::test
