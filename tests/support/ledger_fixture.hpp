#pragma once
// A real ledger file in a fresh folder, on a clock the test controls.

#include <optional>

#include <gtest/gtest.h>

#include "local/core/clock.hpp"
#include "local/core/timestamp.hpp"
#include "local/ledger/ledger.hpp"
#include "local/ledger/migrations.hpp"
#include "local/ledger/sqlite.hpp"
#include "tests/support/temp_dir.hpp"

namespace regua::test {

inline Seconds at(std::string_view iso) {
  auto t = parse_timestamp(iso);
  return t && t->offset ? t->utc() : Seconds{};
}

// A ledger file as a Régua at schema `version` left it (migrations 1 to `version`, store centro),
// holding the rows `history` (SQL) inserts: what upgrade tests open. Call under
// ASSERT_NO_FATAL_FAILURE.
inline void write_old_ledger(const std::filesystem::path& file, int version, std::string_view history) {
  auto db = sqlite::Db::open(file, sqlite::OpenMode::read_write_create);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("PRAGMA application_id = 1380406593").ok());
  for (const Migration& m : ledger_migrations()) {
    if (m.version > version) break;
    ASSERT_TRUE(db->exec(m.sql).ok()) << m.version;
  }
  ASSERT_TRUE(db->exec("PRAGMA user_version = " + std::to_string(version)).ok());
  ASSERT_TRUE(db->exec("INSERT INTO ledger_info VALUES ('store_id', 'centro')").ok());
  ASSERT_TRUE(db->exec(history).ok()) << history;
}

class LedgerTest : public ::testing::Test {
 protected:
  LedgerTest() : clock(at("2026-03-01T12:00:00Z")) {}

  void SetUp() override { reopen(); }

  void reopen() {
    ledger.reset();
    auto opened = Ledger::open(LedgerOptions{dir / "ledger.db", "centro"}, clock);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    ledger.emplace(std::move(*opened));
  }

  std::int64_t count(std::string_view sql) {
    auto n = ledger->db().query_int(sql);
    EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
    return n.ok() ? *n : -1;
  }

  TempDir dir;
  ManualClock clock;
  std::optional<Ledger> ledger;
};

}  // namespace regua::test
