#include "local/ledger/backup.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

#include "local/core/durable_files.hpp"
#include "local/core/timestamp.hpp"
#include "local/ledger/ledger_checks.hpp"
#include "local/ledger/migrations.hpp"

namespace regua {
namespace {

Error backup_io_error(const std::string& what, const std::filesystem::path& path, int err) {
  return make_error(ErrorKind::io, what + " " + path.string() + ": " + std::strerror(err) +
                                       " (check the folder exists, is writable and the disk has room)");
}

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

// Copies every page of `from` into the empty file `to` in one step: one read transaction, so the copy
// is the ledger as of one commit while writers go on in the WAL. The copy is left as a single file
// (rollback journal), which is what people move around and what restore expects.
Status copy_pages(sqlite::Db& from, const std::filesystem::path& to) {
  auto dest = sqlite::Db::open(to, sqlite::OpenMode::read_write);
  if (!dest) return dest.error();
  sqlite3_backup* backup = sqlite3_backup_init(dest->handle(), "main", from.handle(), "main");
  if (backup == nullptr) {
    return dest->error("starting the copy of " + from.path().string(), sqlite3_errcode(dest->handle()));
  }
  int rc = SQLITE_OK;
  do {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return dest->error("copying " + from.path().string(), rc);
  if (auto s = dest->exec("PRAGMA journal_mode = DELETE"); !s) return s;
  if (auto s = check_integrity(*dest); !s) return s.error().within("the copy");
  return {};
}

// Whether the ledger could leave WAL mode: SQLite refuses (an error, or the old mode returned) while
// another connection has it open.
bool leave_wal(sqlite::Db& db) {
  auto stmt = db.prepare("PRAGMA journal_mode = DELETE");
  if (!stmt) return false;
  auto row = stmt->step();
  if (!row || !*row) return false;
  const bool left = stmt->text(0) == "delete";
  stmt->reset();
  return left;
}

}  // namespace

Result<LedgerIdentity> inspect_ledger(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ErrorKind::io, path.string() + " is not a file: name a ledger or a backup of one");
  }
  auto db = sqlite::Db::open(path, sqlite::OpenMode::read_only);
  if (!db) return db.error();
  if (auto s = check_is_ledger(*db); !s) return s.error();
  if (auto s = check_integrity(*db); !s) return s.error();
  auto version = db->query_int("PRAGMA user_version");
  if (!version) return version.error();
  auto owner = read_ledger_owner(*db);
  if (!owner) return owner.error();
  return LedgerIdentity{owner->value_or(""), static_cast<int>(*version)};
}

Status backup_ledger(sqlite::Db& db, const std::filesystem::path& target) {
  const auto partial = std::filesystem::path(target.string() + ".partial");
  std::error_code ec;
  if (std::filesystem::exists(target, ec)) {
    return make_error(ErrorKind::io,
                      target.string() + " already exists: choose another name or move it away");
  }
  std::filesystem::remove(partial, ec);  // left by a copy that was interrupted
  if (auto s = create_private_file(partial, true); !s) return s;
  auto made = copy_pages(db, partial);
  if (made) made = sync_file(partial);
  if (made) {
    std::filesystem::rename(partial, target, ec);
    if (ec) made = backup_io_error("cannot rename the copy to", target, ec.value());
  }
  if (made) made = sync_folder(folder_of(target));
  if (!made) {
    std::filesystem::remove(partial, ec);
    return made.error().within("backing up " + db.path().string() + " to " + target.string());
  }
  return {};
}

Status restore_ledger(const std::filesystem::path& source, const std::filesystem::path& ledger_path,
                      const std::string& store_id, Seconds now) {
  auto identity = inspect_ledger(source);
  if (!identity) return identity.error().within("restoring from " + source.string());
  if (identity->store_id != store_id) {
    return make_error(ErrorKind::incompatible,
                      source.string() + " is a ledger of store '" +
                          (identity->store_id.empty() ? std::string("(none)") : identity->store_id) +
                          "', not of this store '" + store_id +
                          "': restore only a backup of this store's own ledger");
  }
  if (identity->schema_version > latest_ledger_version()) {
    return make_error(ErrorKind::incompatible,
                      source.string() + " has schema version " + std::to_string(identity->schema_version) +
                          " but this regua-agent knows versions up to " +
                          std::to_string(latest_ledger_version()) + ": restore it with that newer Régua");
  }

  std::error_code ec;
  std::optional<std::filesystem::path> kept;
  if (std::filesystem::exists(ledger_path, ec)) {
    // Leaving WAL mode needs every other connection closed: it fails at once while an agent or a
    // reader has the ledger open, and it folds the WAL into the file so that one file holds it all.
    auto current = sqlite::Db::open(ledger_path, sqlite::OpenMode::read_write);
    if (!current) return current.error();
    if (!leave_wal(*current)) {
      return make_error(ErrorKind::io, "the ledger " + ledger_path.string() +
                                           " is in use (is `regua-agent run` running?): stop the agent, "
                                           "then restore");
    }
    auto pages = current->query_int("PRAGMA page_count");
    if (!pages) return pages.error();
    if (*pages > 0) {
      auto stamp = format_utc(now);
      std::erase(stamp, ':');  // a file name that every file system takes
      kept = std::filesystem::path(ledger_path.string() + ".before-restore-" + stamp);
    }
  }

  const auto incoming = std::filesystem::path(ledger_path.string() + ".restoring");
  std::filesystem::remove(incoming, ec);
  if (auto s = create_private_file(incoming, true); !s) return s;
  {
    auto from = sqlite::Db::open(source, sqlite::OpenMode::read_only);
    if (!from) return from.error();
    if (auto s = copy_pages(*from, incoming); !s) {
      std::filesystem::remove(incoming, ec);
      return s.error().within("restoring from " + source.string());
    }
  }
  if (auto s = sync_file(incoming); !s) return s;
  if (kept) {
    std::filesystem::rename(ledger_path, *kept, ec);
    if (ec) return backup_io_error("cannot keep the current ledger as", *kept, ec.value());
  }
  std::filesystem::rename(incoming, ledger_path, ec);
  if (ec) return backup_io_error("cannot put the restored ledger at", ledger_path, ec.value());
  return sync_folder(folder_of(ledger_path));
}

std::filesystem::path upgrade_backup_path(const std::filesystem::path& ledger_path, int from_version) {
  return ledger_path.string() + ".v" + std::to_string(from_version) + ".backup";
}

}  // namespace regua
