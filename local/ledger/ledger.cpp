#include "local/ledger/ledger.hpp"

#include <system_error>

#include "local/core/timestamp.hpp"
#include "local/ledger/migrations.hpp"

namespace regua {
namespace {

// PRAGMA application_id of every Régua ledger ("RGUA"), so that another SQLite file is never mistaken for
// one.
constexpr std::int64_t kApplicationId = 0x52475541;

Status check_is_ledger(sqlite::Db& db) {
  auto app = db.query_int("PRAGMA application_id");
  if (!app) return app.error();
  if (*app == kApplicationId) return {};
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

Result<std::optional<std::string>> read_owner(sqlite::Db& db) {
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

// The first writer of a ledger writes down which store it belongs to; later ones must agree.
Status claim_for_store(sqlite::Db& db, const std::string& store_id, const Clock& clock) {
  auto owner = read_owner(db);
  if (!owner) return owner.error();
  if (*owner) return check_owner(db.path(), **owner, store_id);
  auto put = db.prepare(
      "INSERT INTO ledger_info (key, value) VALUES ('store_id', ?1), ('created_at', ?2), ('created_by', ?3)");
  if (!put) return put.error();
  put->bind(1, std::string_view(store_id)).bind(2, std::string_view(format_utc(clock.now())));
  put->bind(3, std::string_view("regua " REGUA_VERSION));
  return put->run();
}

}  // namespace

Result<Ledger> Ledger::open(const LedgerOptions& options, const Clock& clock) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(options.path, ec);
  if (options.read_only && !exists) {
    return make_error(ErrorKind::io,
                      "ledger " + options.path.string() +
                          " does not exist yet: `regua-agent run` or `regua-agent import` creates it");
  }
  if (!exists && options.path.has_parent_path()) {
    std::filesystem::create_directories(options.path.parent_path(), ec);
    if (ec) {
      return make_error(ErrorKind::io,
                        "ledger " + options.path.string() + ": cannot create its folder: " + ec.message());
    }
  }

  auto db = sqlite::Db::open(
      options.path, options.read_only ? sqlite::OpenMode::read_write : sqlite::OpenMode::read_write_create);
  if (!db) return db.error();
  Ledger ledger(std::move(*db), clock);
  auto& d = ledger.db_;

  // A reader waits for a writer's commit instead of failing; the agent commits in milliseconds.
  if (auto s = d.exec("PRAGMA busy_timeout = 10000"); !s) return s.error();
  if (auto s = check_is_ledger(d); !s) return s.error();

  auto version = d.query_int("PRAGMA user_version");
  if (!version) return version.error();
  if (options.read_only) {
    if (*version == 0) {
      return make_error(ErrorKind::ledger,
                        "ledger " + options.path.string() +
                            " is empty: an agent is creating it right now, or it was never "
                            "used; try again in a moment");
    }
    if (*version != latest_ledger_version()) {
      return make_error(
          ErrorKind::incompatible,
          "ledger " + options.path.string() + " has schema version " + std::to_string(*version) +
              " and this regua-agent reads version " + std::to_string(latest_ledger_version()) +
              (*version < latest_ledger_version() ? ": run `regua-agent run` once to upgrade it"
                                                  : ": it was written by a newer Régua; use that version"));
    }
  } else {
    if (options.check_integrity && *version > 0) {
      if (auto s = check_integrity(d); !s) return s.error();
    }
    // WAL lets `status` and other readers run while the agent writes. synchronous=NORMAL is enough
    // for ingest: a power cut can only lose commits whose input the checkpoints let us read again.
    for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"}) {
      if (auto s = d.exec(pragma); !s) return s.error();
    }
    if (*version == 0) {
      if (auto s = d.exec("PRAGMA application_id = " + std::to_string(kApplicationId)); !s) return s.error();
    }
    if (auto s = migrate_ledger(d); !s) return s.error();
    if (auto s = claim_for_store(d, options.store_id, clock); !s) return s.error();
  }
  // 16 MiB of page cache keeps the hot parts of the indexes in memory while the agent stays small.
  // Temporary files in memory: a statement that fires a trigger (the outbox's, migration 10) keeps a
  // statement journal of the pages it changes, and once one statement of a large ingest transaction
  // spilled it to a file, every later one wrote to that file (a write per page per sale).
  for (const char* pragma :
       {"PRAGMA foreign_keys = ON", "PRAGMA cache_size = -16384", "PRAGMA temp_store = MEMORY"}) {
    if (auto s = d.exec(pragma); !s) return s.error();
  }
  if (options.read_only && !options.store_id.empty()) {
    auto owner = read_owner(d);
    if (!owner) return owner.error();
    if (*owner) {
      if (auto s = check_owner(options.path, **owner, options.store_id); !s) return s.error();
    }
  }
  ledger.schema_version_ = latest_ledger_version();
  ledger.store_id_ = options.store_id;
  return ledger;
}

}  // namespace regua
