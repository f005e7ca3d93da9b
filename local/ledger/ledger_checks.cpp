#include "local/ledger/ledger_checks.hpp"

namespace regua {

Status check_is_ledger(sqlite::Db& db) {
  auto app = db.query_int("PRAGMA application_id");
  if (!app) return app.error();
  if (*app == kLedgerApplicationId) return {};
  auto tables = db.query_int("SELECT count(*) FROM sqlite_schema");
  if (!tables) return tables.error();
  if (*app == 0 && *tables == 0) return {};  // a new, empty file
  return make_error(ErrorKind::incompatible,
                    "ledger " + db.path().string() +
                        ": this SQLite file is not a Régua ledger; point [ledger] path "
                        "at a new file or at an existing ledger");
}

Status check_integrity(sqlite::Db& db) {
  auto stmt = db.prepare("PRAGMA quick_check(5)");
  if (!stmt) return stmt.error();
  std::string problems;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    const auto text = stmt->text(0);
    if (text == "ok") continue;
    if (!problems.empty()) problems += "; ";
    problems += text;
  }
  if (problems.empty()) return {};
  return make_error(ErrorKind::incompatible,
                    "ledger " + db.path().string() + " failed its integrity check (" + problems +
                        "): restore it from a backup, or move it aside to start a new ledger");
}

Result<std::optional<std::string>> read_ledger_owner(sqlite::Db& db) {
  auto tables = db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'ledger_info'");
  if (!tables) return tables.error();
  if (*tables == 0) return std::optional<std::string>{};
  auto get = db.prepare("SELECT value FROM ledger_info WHERE key = 'store_id'");
  if (!get) return get.error();
  auto row = get->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>{};
  std::optional<std::string> owner{std::string(get->text(0))};
  get->reset();
  return owner;
}

Status check_owner(const std::filesystem::path& path, const std::string& owner, const std::string& store_id) {
  if (owner == store_id) return {};
  return make_error(ErrorKind::incompatible, "ledger " + path.string() + " belongs to store '" + owner +
                                                 "' but the configuration says this is store '" + store_id +
                                                 "': point [ledger] path at this store's own ledger");
}

}  // namespace regua
