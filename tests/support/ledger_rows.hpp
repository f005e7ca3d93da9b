#pragma once
// Reading a ledger's rows back in tests: the first column of a query as text, every row kept (so
// that a duplicate shows as one more element).

#include <set>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "local/ledger/sqlite.hpp"

namespace regua::test {

inline std::multiset<std::string> text_rows(sqlite::Db& db, std::string_view sql) {
  std::multiset<std::string> rows;
  auto stmt = db.prepare(sql);
  EXPECT_TRUE(stmt.ok()) << sql;
  if (!stmt) return rows;
  while (*stmt->step())
    rows.emplace(stmt->text(0));
  return rows;
}

// The distinct values of such rows.
inline std::set<std::string> distinct(const std::multiset<std::string>& rows) {
  return {rows.begin(), rows.end()};
}

}  // namespace regua::test
