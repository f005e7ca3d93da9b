// `regua-agent import` writes without foreign-key enforcement and with a smaller page cache
// (local/ledger/bulk_import.hpp). These tests show that it leaves no row
// pointing nowhere after imports that replay, cancel before and after the sale, refuse a line,
// record consents and POS id aliases, and follow a merge; that the connection gets its settings
// back; and that reading in small blocks still keeps a long line whole.

#include "local/ledger/bulk_import.hpp"

#include <date/tz.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "agent/connectors/chunk_reader.hpp"
#include "agent/connectors/file_import.hpp"
#include "agent/connectors/jsonl_decoder.hpp"
#include "local/identity/merge.hpp"
#include "tests/support/ledger_fixture.hpp"
#include "tests/support/phones.hpp"

namespace regua {
namespace {

constexpr std::string_view kFirstImport =
    R"({"type":"customer","customer":{"id":"C-1","name":"Ana Souza","phone":"(11) 98765-4321","opt_in":["sms"]}}
{"type":"sale","id":"S-1","ts":"2026-01-05T10:00:00-03:00","total":"50.00","customer":{"id":"C-1","name":"Ana Souza"},"items":[{"sku":"A1","name":"Camiseta","qty":1,"price":"30.00"},{"sku":"B2","name":"Meia","qty":2,"price":"10.00"}]}
{"type":"cancel","id":"S-3","ts":"2026-01-06T11:00:00-03:00"}
{"type":"sale","id":"S-2","ts":"2026-01-06T10:00:00-03:00","total":"30.00","customer":{"id":"C-2","name":"Bruno","cpf":"529.982.247-25"},"items":[{"sku":"A1","name":"Camiseta","qty":1,"price":"30.00"}]}
not a json line
{"type":"sale","id":"S-3","ts":"2026-01-06T10:30:00-03:00","total":"12.00","customer":{"id":"C-2"},"items":[{"sku":"C3","name":"Bone","qty":1,"price":"12.00"}]}
{"type":"sale","id":"S-4","ts":"2026-01-07T10:00:00-03:00","total":"99.00","customer":{"id":"C-9","name":"Bruno","cpf":"529.982.247-25"},"items":[{"sku":"D4","name":"Tenis","qty":1,"price":"99.00"}]}
{"type":"cancel","id":"S-1","ts":"2026-01-08T10:00:00-03:00"}
{"type":"sale","id":"S-5","ts":"2026-01-08T10:00:00-03:00","total":"5.00","items":[{"sku":"E5","name":"Bala","qty":5,"price":"1.00"}]}
)";

constexpr std::string_view kSecondImport =
    R"({"type":"sale","id":"S-6","ts":"2026-02-01T10:00:00-03:00","total":"20.00","customer":{"id":"C-1","name":"Ana Souza"},"items":[{"sku":"A1","name":"Camiseta","qty":1,"price":"20.00"}]}
{"type":"sale","id":"S-7","ts":"2026-02-02T10:00:00-03:00","total":"40.00","customer":{"id":"C-2","name":"Bruno","opt_out":["whatsapp"]},"items":[{"sku":"A1","name":"Camiseta","qty":2,"price":"20.00"}]}
)";

class BulkImportTest : public test::LedgerTest {
 protected:
  BulkImportTest() {
    store.id = "centro";
    store.zone = date::locate_zone("America/Sao_Paulo");
  }

  Result<IngestCounts> import(std::string_view name, std::string_view text, const ImportHooks& hooks = {}) {
    test::write_file(dir / name, text);
    auto in = Ingestor::create(*ledger, test::brazilian_phones());
    if (!in) return in.error();
    JsonlDecoder decoder(store, clock);
    return import_file(*in, decoder, dir / name, hooks);
  }

  // Rows whose foreign key points at no row, in every table (PRAGMA foreign_key_check).
  std::int64_t orphans() { return count("SELECT count(*) FROM pragma_foreign_key_check"); }

  StoreConfig store;
};

TEST_F(BulkImportTest, ImportsLeaveNoRowWithoutItsParent) {
  auto first = import("first.jsonl", kFirstImport);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->sales_added, 5);
  EXPECT_EQ(first->quarantined, 1);
  EXPECT_EQ(count("SELECT count(*) FROM sale_items"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE cancelled_at IS NOT NULL"), 2)
      << "one cancelled before its sale came, one after";
  EXPECT_EQ(count("SELECT count(*) FROM customer_pos_ids"), 1) << "C-9 is C-2 by its CPF";
  EXPECT_GE(count("SELECT count(*) FROM consents"), 1);
  EXPECT_EQ(orphans(), 0);

  auto again = import("first.jsonl", kFirstImport);  // a replay adds nothing
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->sales_added, 0);
  EXPECT_EQ(again->sales_replayed, 5);
  EXPECT_EQ(orphans(), 0);

  // A merge (foreign keys enforced: this connection has its settings back) between two imports.
  auto ana = resolve_customer(ledger->db(), "pos:C-1");
  auto bruno = resolve_customer(ledger->db(), "pos:C-2");
  ASSERT_TRUE(ana.ok() && bruno.ok());
  auto merged = merge_customers(*ledger, MergeRequest{*bruno, {*ana}, false});
  ASSERT_TRUE(merged.ok()) << merged.error().message;

  auto second = import("second.jsonl", kSecondImport);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->sales_added, 2);
  EXPECT_EQ(count("SELECT count(DISTINCT customer_id) FROM sales WHERE pos_id IN ('S-6', 'S-7')"), 1)
      << "the merged-away POS id goes to the survivor";
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE customer_id IS NOT NULL AND customer_id NOT IN "
                  "(SELECT id FROM customers)"),
            0);
  EXPECT_EQ(orphans(), 0);
}

TEST_F(BulkImportTest, ForeignKeysAreOffOnlyWhileTheImportRuns) {
  ASSERT_EQ(count("PRAGMA foreign_keys"), 1);
  const auto cache_before = count("PRAGMA cache_size");
  std::int64_t foreign_keys_during = -1, cache_during = 0;
  ImportHooks hooks;
  hooks.progress = [&](std::int64_t, std::int64_t) {
    foreign_keys_during = count("PRAGMA foreign_keys");
    cache_during = count("PRAGMA cache_size");
  };
  auto counts = import("first.jsonl", kFirstImport, hooks);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(foreign_keys_during, 0);
  EXPECT_EQ(cache_during, -BulkImportSettings::kImportCacheKiB);
  EXPECT_EQ(count("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(count("PRAGMA cache_size"), cache_before);
  // Enforcement is back for every other writer on this connection.
  EXPECT_FALSE(ledger->db().exec("INSERT INTO customer_pos_ids VALUES ('C-nobody', 999999)").ok());
}

TEST(ChunkReaderBlocks, ALineLongerThanTheBlockAskedForIsStillReadWhole) {
  test::TempDir dir;
  const std::string long_line(300 << 10, 'x');
  test::write_file(dir / "lines.txt", "short\n" + long_line + "\nlast\n");
  const int fd = ::open((dir / "lines.txt").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ChunkReader reader;
  auto first = reader.read(fd, 0, true, "lines.txt", 8);  // "short\n" and the start of the next
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->data, "short\n");
  EXPECT_EQ(first->lines, 1);
  auto second = reader.read(fd, first->consumed, true, "lines.txt", 64 << 10);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->oversized, 0);
  EXPECT_EQ(second->lines, 2) << "the whole long line and the one after it";
  EXPECT_EQ(second->data, long_line + "\nlast\n");
  ::close(fd);
}

}  // namespace
}  // namespace regua
