#include "local/ledger/ledger.hpp"

#include <system_error>

#include "local/core/durable_files.hpp"
#include "local/core/timestamp.hpp"
#include "local/ledger/backup.hpp"
#include "local/ledger/ledger_checks.hpp"
#include "local/ledger/migrations.hpp"

namespace regua {
namespace {

// The first writer of a ledger writes down which store it belongs to; later ones must agree.
Status claim_for_store(sqlite::Db& db, const std::string& store_id, const Clock& clock) {
  auto owner = read_ledger_owner(db);
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

  if (!exists) {
    // The ledger holds personal data: only its owner reads it. SQLite gives its -wal and -shm files
    // the database file's permissions, so creating the file owner-only first covers all three.
    if (auto s = create_private_file(options.path, false); !s) return s.error().within("ledger");
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
      if (auto s = d.exec("PRAGMA application_id = " + std::to_string(kLedgerApplicationId)); !s)
        return s.error();
    }
    if (*version > 0 && *version < latest_ledger_version()) {
      // An upgrade rewrites tables; SQLite rolls back a failed migration, but a copy first means even
      // a migration that "succeeds" wrongly can be undone (`regua-agent restore`).
      const auto copy = upgrade_backup_path(options.path, static_cast<int>(*version));
      if (!std::filesystem::exists(copy, ec)) {
        if (auto s = backup_ledger(d, copy); !s) return s.error().within("before upgrading the schema");
      }
      ledger.upgrade_backup_ = copy;
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
    auto owner = read_ledger_owner(d);
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
