#include <gtest/gtest.h>

#include "local/ledger/migrations.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

using test::LedgerTest;
using test::TempDir;

TEST_F(LedgerTest, IsCreatedAtTheLatestSchemaInWalMode) {
  EXPECT_EQ(ledger->schema_version(), latest_ledger_version());
  EXPECT_EQ(count("PRAGMA user_version"), latest_ledger_version());
  auto mode = ledger->db().prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->text(0), "wal");
  for (const char* table : {"customers", "sales", "sale_items", "cancellations", "checkpoints", "quarantine",
                            "outbox", "consents", "ledger_info"}) {
    EXPECT_EQ(count(std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") + table + "'"), 1)
        << table;
  }
}

TEST_F(LedgerTest, ReopensWithoutChangingAnything) {
  ASSERT_TRUE(ledger->db().exec("INSERT INTO outbox (kind, ref) VALUES ('sale', 1)").ok());
  reopen();
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 1);
  EXPECT_EQ(count("PRAGMA user_version"), latest_ledger_version());
}

TEST_F(LedgerTest, RefusesALedgerWrittenByANewerVersion) {
  ASSERT_TRUE(ledger->db().exec("PRAGMA user_version = 99").ok());
  ledger.reset();
  auto again = Ledger::open(LedgerOptions{dir / "ledger.db", "centro"}, clock);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::incompatible);
  EXPECT_NE(again.error().message.find("newer"), std::string::npos) << again.error().message;
  EXPECT_NE(again.error().message.find("version 99"), std::string::npos) << again.error().message;
}

TEST_F(LedgerTest, RefusesTheLedgerOfAnotherStore) {
  ledger.reset();
  auto other = Ledger::open(LedgerOptions{dir / "ledger.db", "shopping"}, clock);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind, ErrorKind::incompatible);
  EXPECT_NE(other.error().message.find("belongs to store 'centro'"), std::string::npos)
      << other.error().message;
  auto reader = Ledger::open(LedgerOptions{dir / "ledger.db", "shopping", true, false}, clock);
  EXPECT_FALSE(reader.ok()) << "readers check the owner too";
}

TEST(LedgerOpen, RefusesASQLiteFileThatIsNotALedger) {
  TempDir dir;
  {
    auto db = sqlite::Db::open(dir / "other.db", sqlite::OpenMode::read_write_create);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("CREATE TABLE photos (id INTEGER)").ok());
  }
  ManualClock clock(Seconds{});
  auto opened = Ledger::open(LedgerOptions{dir / "other.db", "centro"}, clock);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("not a Régua ledger"), std::string::npos) << opened.error().message;
}

TEST(LedgerOpen, RefusesAFileThatIsNotSQLite) {
  TempDir dir;
  test::write_file(dir / "notes.db", std::string(8192, 'x'));
  ManualClock clock(Seconds{});
  auto opened = Ledger::open(LedgerOptions{dir / "notes.db", "centro"}, clock);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, ErrorKind::incompatible);
  EXPECT_NE(opened.error().message.find("notes.db"), std::string::npos) << opened.error().message;
}

TEST(LedgerOpen, ChecksIntegrityAndRefusesADamagedLedger) {
  TempDir dir;
  ManualClock clock(Seconds{});
  const auto file = dir / "ledger.db";
  {
    auto ledger = Ledger::open(LedgerOptions{file, "centro"}, clock);
    ASSERT_TRUE(ledger.ok());
    ASSERT_TRUE(ledger->db().exec("PRAGMA journal_mode = DELETE").ok());
    std::string many;
    for (int i = 0; i < 2000; ++i)
      many += "('kind " + std::to_string(i) + " payload payload payload', " + std::to_string(i) + "),";
    many.pop_back();
    ASSERT_TRUE(ledger->db().exec("INSERT INTO outbox (kind, ref) VALUES " + many).ok());
    ASSERT_TRUE(ledger->db().exec("CREATE INDEX outbox_kind ON outbox (kind)").ok());
  }
  // Scribble over the middle of the file: pages of the table or its index no longer agree.
  std::string bytes = test::read_file(file);
  ASSERT_GT(bytes.size(), 40000U);
  for (std::size_t i = 20000; i < 28000; ++i)
    bytes[i] = static_cast<char>(i * 7);
  test::write_file(file, bytes);
  auto opened = Ledger::open(LedgerOptions{file, "centro"}, clock);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, ErrorKind::incompatible);
  EXPECT_NE(opened.error().message.find("restore it from a backup"), std::string::npos)
      << opened.error().message;
}

TEST(LedgerOpen, AReaderNeverCreatesALedger) {
  TempDir dir;
  ManualClock clock(Seconds{});
  auto opened = Ledger::open(LedgerOptions{dir / "missing.db", "centro", true, false}, clock);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("does not exist yet"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "missing.db"));
}

TEST(LedgerOpen, AFailedMigrationLeavesTheLedgerAtItsVersion) {
  TempDir dir;
  const auto file = dir / "ledger.db";
  {
    // A file that is a ledger (its application id) but already has a table the first migration creates.
    auto db = sqlite::Db::open(file, sqlite::OpenMode::read_write_create);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("PRAGMA application_id = 1380406593").ok());
    ASSERT_TRUE(db->exec("CREATE TABLE sales (x INTEGER)").ok());
  }
  ManualClock clock(Seconds{});
  auto opened = Ledger::open(LedgerOptions{file, "centro"}, clock);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("migration 1"), std::string::npos) << opened.error().message;
  auto db = sqlite::Db::open(file, sqlite::OpenMode::read_write);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->query_int("PRAGMA user_version"), 0);
  EXPECT_EQ(*db->query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'customers'"), 0)
      << "the half-done migration was rolled back";
}

}  // namespace
}  // namespace regua
