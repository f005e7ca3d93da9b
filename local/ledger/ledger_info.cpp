#include "local/ledger/ledger_info.hpp"

namespace regua {

Result<std::optional<std::string>> read_ledger_info(sqlite::Db& db, std::string_view key) {
  auto stmt = db.prepare("SELECT value FROM ledger_info WHERE key = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, key);
  auto row = stmt->step();
  if (!row) return row.error();
  std::optional<std::string> value;
  if (*row) value = stmt->optional_text(0);
  stmt->reset();
  return value;
}

Result<std::optional<std::int64_t>> read_ledger_info_int(sqlite::Db& db, std::string_view key) {
  auto stmt = db.prepare("SELECT CAST(value AS INTEGER) FROM ledger_info WHERE key = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, key);
  auto row = stmt->step();
  if (!row) return row.error();
  std::optional<std::int64_t> value;
  if (*row) value = stmt->int64(0);
  stmt->reset();
  return value;
}

Status write_ledger_info(sqlite::Db& db, std::string_view key, std::string_view value) {
  auto stmt = db.prepare(
      "INSERT INTO ledger_info (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = "
      "excluded.value");
  if (!stmt) return stmt.error();
  stmt->bind(1, key).bind(2, value);
  return stmt->run();
}

}  // namespace regua
