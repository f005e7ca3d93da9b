#pragma once
// A real ledger file in a fresh folder, on a clock the test controls.

#include <optional>

#include <gtest/gtest.h>

#include "local/core/clock.hpp"
#include "local/core/timestamp.hpp"
#include "local/ledger/ledger.hpp"
#include "tests/support/temp_dir.hpp"

namespace regua::test {

inline Seconds at(std::string_view iso) {
  auto t = parse_timestamp(iso);
  return t && t->offset ? t->utc() : Seconds{};
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
