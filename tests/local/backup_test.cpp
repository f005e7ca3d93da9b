// Backups of a ledger (SQLite's online backup API), restore, and the copy made before an upgrade.

#include "local/ledger/backup.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "local/ledger/migrations.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

using test::at;
using test::LedgerTest;
using test::TempDir;

unsigned file_mode(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

std::int64_t count_in(const std::filesystem::path& file, std::string_view sql) {
  auto db = sqlite::Db::open(file, sqlite::OpenMode::read_only);
  EXPECT_TRUE(db.ok());
  auto n = db->query_int(sql);
  EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
  return n.ok() ? *n : -1;
}

class BackupTest : public LedgerTest {
 protected:
  void add_sales(int n, int first = 0) {
    for (int i = first; i < first + n; ++i) {
      const auto sql = "INSERT INTO sales (pos_id, sold_at, total_cents, source, ingested_at) VALUES ('S-" +
                       std::to_string(i) + "', 1, 100, 'test', 1)";
      ASSERT_TRUE(ledger->db().exec(sql).ok());
    }
  }
};

TEST_F(BackupTest, ANewLedgerAndItsWalAreReadableOnlyByTheirOwner) {
  add_sales(1);
  EXPECT_EQ(file_mode(dir / "ledger.db"), 0600u);
  EXPECT_EQ(file_mode(dir / "ledger.db-wal"), 0600u);
}

TEST_F(BackupTest, TheCopyHoldsEveryCommittedRowAndOnlyItsOwnerCanReadIt) {
  add_sales(500);
  const auto copy = dir / "copies" / "centro.db";
  std::filesystem::create_directories(copy.parent_path());
  ASSERT_TRUE(backup_ledger(ledger->db(), copy).ok());
  EXPECT_EQ(count_in(copy, "SELECT count(*) FROM sales"), 500);
  EXPECT_EQ(file_mode(copy), 0600u) << "a backup holds personal data";
  EXPECT_FALSE(std::filesystem::exists(copy.string() + "-wal")) << "a backup is one file";
  auto identity = inspect_ledger(copy);
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(identity->store_id, "centro");
  EXPECT_EQ(identity->schema_version, latest_ledger_version());

  auto again = backup_ledger(ledger->db(), copy);
  ASSERT_FALSE(again.ok()) << "an existing file is never overwritten";
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos) << again.error().message;
  EXPECT_EQ(count_in(copy, "SELECT count(*) FROM sales"), 500);
}

TEST_F(BackupTest, ACopyTakenWhileAnotherConnectionWritesIsOneConsistentMoment) {
  add_sales(100);
  auto writer = sqlite::Db::open(dir / "ledger.db", sqlite::OpenMode::read_write);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(writer
                  ->exec("INSERT INTO sales (pos_id, sold_at, total_cents, source, ingested_at) "
                         "VALUES ('S-uncommitted', 1, 100, 'test', 1)")
                  .ok());
  const auto copy = dir / "during.db";
  ASSERT_TRUE(backup_ledger(ledger->db(), copy).ok()) << "a writer holding its lock does not block a backup";
  ASSERT_TRUE(writer->exec("COMMIT").ok());
  EXPECT_EQ(count_in(copy, "SELECT count(*) FROM sales"), 100) << "only what was committed when it started";
}

TEST_F(BackupTest, RestoreBringsTheCopyBackAndKeepsTheLedgerItReplaced) {
  add_sales(10);
  const auto copy = dir / "monday.db";
  ASSERT_TRUE(backup_ledger(ledger->db(), copy).ok());
  add_sales(5, 10);
  ledger.reset();

  ASSERT_TRUE(restore_ledger(copy, dir / "ledger.db", "centro", at("2026-03-02T10:00:00Z")).ok());
  EXPECT_EQ(count_in(dir / "ledger.db", "SELECT count(*) FROM sales"), 10);
  const auto kept = dir / "ledger.db.before-restore-2026-03-02T100000Z";
  ASSERT_TRUE(std::filesystem::exists(kept)) << "the ledger that was replaced is kept beside it";
  EXPECT_EQ(count_in(kept, "SELECT count(*) FROM sales"), 15);
  EXPECT_EQ(file_mode(dir / "ledger.db"), 0600u);
  reopen();
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 10) << "the restored ledger opens as this store's";
}

TEST_F(BackupTest, RestoreRefusesABackupOfAnotherStore) {
  TempDir other_dir;
  {
    auto other = Ledger::open(LedgerOptions{other_dir / "ledger.db", "shopping"}, clock);
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(backup_ledger(other->db(), other_dir / "shopping.db").ok());
  }
  add_sales(3);
  ledger.reset();
  auto refused = restore_ledger(other_dir / "shopping.db", dir / "ledger.db", "centro", clock.now());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::incompatible);
  EXPECT_NE(refused.error().message.find("store 'shopping'"), std::string::npos) << refused.error().message;
  EXPECT_EQ(count_in(dir / "ledger.db", "SELECT count(*) FROM sales"), 3) << "the ledger is untouched";
}

TEST_F(BackupTest, RestoreRefusesWhileTheLedgerIsOpenElsewhere) {
  const auto copy = dir / "copy.db";
  ASSERT_TRUE(backup_ledger(ledger->db(), copy).ok());
  add_sales(2);
  // `ledger` stays open: an agent still running.
  auto refused = restore_ledger(copy, dir / "ledger.db", "centro", clock.now());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("stop the agent"), std::string::npos) << refused.error().message;
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 2);
}

TEST_F(BackupTest, RestoreRefusesAFileThatIsNotALedger) {
  const auto junk = dir / "junk.db";
  {
    auto db = sqlite::Db::open(junk, sqlite::OpenMode::read_write_create);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("CREATE TABLE photos (id INTEGER)").ok());
  }
  ledger.reset();
  auto refused = restore_ledger(junk, dir / "ledger.db", "centro", clock.now());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("not a Régua ledger"), std::string::npos) << refused.error().message;
}

TEST(LedgerUpgrade, AnUpgradeCopiesTheOldLedgerFirst) {
  TempDir dir;
  const auto file = dir / "ledger.db";
  const auto all = ledger_migrations();
  ASSERT_GE(all.size(), 2u);
  {
    // A ledger as an older version left it: every migration but the last.
    auto db = sqlite::Db::open(file, sqlite::OpenMode::read_write_create);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("PRAGMA application_id = 1380406593").ok());
    ASSERT_TRUE(migrate_ledger(*db, all.first(all.size() - 1)).ok());
    ASSERT_TRUE(db->exec("INSERT INTO ledger_info (key, value) VALUES ('store_id', 'centro')").ok());
  }
  const int old_version = all[all.size() - 2].version;
  ManualClock clock(Seconds{});
  auto opened = Ledger::open(LedgerOptions{file, "centro"}, clock);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened->schema_version(), latest_ledger_version());
  const auto copy = upgrade_backup_path(file, old_version);
  EXPECT_EQ(opened->upgrade_backup(), copy);
  auto identity = inspect_ledger(copy);
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(identity->schema_version, old_version) << "the copy is the ledger before the upgrade";
}

TEST(LedgerUpgrade, AFailingUpgradeLeavesTheLedgerAtItsOldVersionWithNothingChanged) {
  TempDir dir;
  auto db = sqlite::Db::open(dir / "ledger.db", sqlite::OpenMode::read_write_create);
  ASSERT_TRUE(db.ok());
  const auto all = ledger_migrations();
  ASSERT_TRUE(migrate_ledger(*db, all.first(1)).ok());
  // The real migrations after the first, then one that fails: none of them may stay.
  std::vector<Migration> upgrade(all.begin(), all.end());
  upgrade.push_back(Migration{latest_ledger_version() + 1, "a broken migration", "CREATE TABLE oops (;"});
  auto failed = migrate_ledger(*db, upgrade);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("nothing was changed"), std::string::npos) << failed.error().message;
  EXPECT_EQ(*db->query_int("PRAGMA user_version"), 1);
  EXPECT_EQ(*db->query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'jobs'"), 0)
      << "a later migration that had succeeded was rolled back with the failing one";
}

}  // namespace
}  // namespace regua
