// A sale's items kept as JSON in its row (migration 11): what any POS text becomes, read back
// through the sale_items view, and an older ledger's items table moved into the sales.

#include <gtest/gtest.h>

#include "local/ledger/ingest.hpp"
#include "local/ledger/migrations.hpp"
#include "local/ledger/sale_items_json.hpp"
#include "tests/support/fake_phones.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

using test::at;

struct ItemRow {
  std::int64_t line;
  std::string sku, name;
  double quantity;
  Cents unit_cents;
  bool operator==(const ItemRow&) const = default;
};

std::vector<ItemRow> items_of(sqlite::Db& db, std::string_view sale_pos_id) {
  auto stmt = db.prepare(
      "SELECT i.line, i.sku, i.name, i.quantity, i.unit_cents, typeof(i.quantity) FROM sale_items i "
      "JOIN sales s ON s.id = i.sale_id WHERE s.pos_id = ?1 ORDER BY i.line");
  EXPECT_TRUE(stmt.ok());
  stmt->bind(1, sale_pos_id);
  std::vector<ItemRow> out;
  for (;;) {
    auto row = stmt->step();
    EXPECT_TRUE(row.ok());
    if (!row.ok() || !*row) break;
    EXPECT_EQ(stmt->text(5), "real");  // a quantity is always a REAL, as the old table's column was
    out.push_back({stmt->int64(0), std::string(stmt->text(1)), std::string(stmt->text(2)), stmt->real(3),
                   stmt->int64(4)});
  }
  return out;
}

class SaleItemsTest : public test::LedgerTest {
 protected:
  test::FakePhones phones;
};

TEST_F(SaleItemsTest, AnyTextThePosWritesComesBackThroughTheViewAsItWas) {
  auto ingestor = Ingestor::create(*ledger, phones);
  ASSERT_TRUE(ingestor.ok()) << ingestor.error().message;
  Sale s;
  s.pos_id = "S-1";
  s.sold_at = at("2026-03-01T10:00:00-03:00");
  s.total = 1;
  s.items = {{"A\"1", "Camiseta \"básica\" \\ P", 1, 12990},
             {"B\n2", "tab\there, \x01 and \x1f too, emoji \xF0\x9F\x91\x95", 2.5, 0},
             {"", "", 0.125, -300},
             {"C-3", "Meia", 1e-3, 1}};
  Sale empty;
  empty.pos_id = "S-2";
  empty.sold_at = s.sold_at;
  ASSERT_TRUE(ingestor->begin().ok());
  ASSERT_TRUE(ingestor->apply(s, "pdv").ok());
  ASSERT_TRUE(ingestor->apply(empty, "pdv").ok());
  ASSERT_TRUE(ingestor->commit().ok());

  const std::vector<ItemRow> expected{{1, s.items[0].sku, s.items[0].name, 1, 12990},
                                      {2, s.items[1].sku, s.items[1].name, 2.5, 0},
                                      {3, "", "", 0.125, -300},
                                      {4, "C-3", "Meia", 1e-3, 1}};
  EXPECT_EQ(items_of(ledger->db(), "S-1"), expected);
  EXPECT_TRUE(items_of(ledger->db(), "S-2").empty());
  EXPECT_EQ(count("SELECT json_valid(items) FROM sales WHERE pos_id = 'S-1'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE items = '[]'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM sale_items"), 4);
}

TEST(SaleItemsJson, TheTextIsCompactAndInThePosOrder) {
  std::string out = "kept:";
  const std::vector<SaleItem> items{{"CAM-014", "Camisa social", 1, 12990}, {"X", "y", 0.5, 7}};
  append_sale_items_json(out, items);
  EXPECT_EQ(out, R"(kept:[["CAM-014","Camisa social",1,12990],["X","y",0.5,7]])");
  out.clear();
  append_sale_items_json(out, {});
  EXPECT_EQ(out, "[]");
}

// A ledger an older Régua wrote (schema 10, built here from migrations 1 to 10) keeps every item,
// in its line order, when its items table becomes part of the sales.
TEST(SaleItemsUpgrade, MigrationElevenMovesTheItemsIntoTheirSalesInLineOrder) {
  test::TempDir dir;
  const auto file = dir / "ledger.db";
  ASSERT_NO_FATAL_FAILURE(test::write_old_ledger(
      file, 10,
      "INSERT INTO sales (id, pos_id, sold_at, total_cents, source, ingested_at) VALUES "
      "(1, 'S-1', 1769940000, 1000, 'pdv', 0), (2, 'S-2', 1769940000, 500, 'pdv', 0), "
      "(3, 'S-3', 1769940000, 0, 'pdv', 0);"
      // Written out of line order, with a quote and an accent.
      "INSERT INTO sale_items VALUES (1, 3, 'C', 'Cinto', 1, 300), "
      "(1, 1, 'A', 'Camisa \"slim\"', 2.5, 100), (1, 2, 'B', 'Boné', 1, 200), "
      "(2, 1, 'D', 'Meia', 3, 50)"));
  ManualClock clock(at("2026-03-01T12:00:00Z"));
  auto ledger = Ledger::open(LedgerOptions{file, "centro"}, clock);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  auto& db = ledger->db();
  EXPECT_EQ(*db.query_int("PRAGMA user_version"), 11);
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'sale_items' AND type = 'view'"),
            1);
  const std::vector<ItemRow> first{
      {1, "A", "Camisa \"slim\"", 2.5, 100}, {2, "B", "Boné", 1, 200}, {3, "C", "Cinto", 1, 300}};
  EXPECT_EQ(items_of(db, "S-1"), first);
  EXPECT_EQ(items_of(db, "S-2"), (std::vector<ItemRow>{{1, "D", "Meia", 3, 50}}));
  EXPECT_TRUE(items_of(db, "S-3").empty());
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM sales WHERE pos_id = 'S-3' AND items = '[]'"), 1);
}

}  // namespace
}  // namespace regua
