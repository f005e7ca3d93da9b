// `regua-agent backup` and `regua-agent restore` (docs/cli.md): copies of the ledger with SQLite's
// online backup API. A backup runs beside a running agent; a restore needs the agent stopped.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "local/core/timestamp.hpp"
#include "local/ledger/backup.hpp"
#include "local/ledger/ledger_checks.hpp"

namespace regua {
namespace {

// backups/<store>-<UTC time>.db beside the ledger: where support staff look first.
std::filesystem::path default_backup_path(const AgentConfig& config, Seconds now) {
  auto stamp = format_utc(now);
  std::erase(stamp, ':');
  const auto folder = config.ledger.path.parent_path() / "backups";
  return folder / (config.store.id + "-" + stamp + ".db");
}

Result<sqlite::Db> open_ledger_to_copy(const AgentConfig& config) {
  std::error_code ec;
  if (!std::filesystem::exists(config.ledger.path, ec)) {
    return make_error(ErrorKind::io, "ledger " + config.ledger.path.string() +
                                         " does not exist yet: there is nothing to back up");
  }
  auto db = sqlite::Db::open(config.ledger.path, sqlite::OpenMode::read_only);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA busy_timeout = 10000"); !s) return s.error();
  if (auto s = check_is_ledger(*db); !s) return s.error();
  auto owner = read_ledger_owner(*db);
  if (!owner) return owner.error();
  if (*owner) {
    if (auto s = check_owner(config.ledger.path, **owner, config.store.id); !s) return s.error();
  }
  return db;
}

}  // namespace

int backup_command(const AgentConfig& config, const BackupOptions& options) {
  SystemClock clock;
  auto db = open_ledger_to_copy(config);
  if (!db) return report_error(db.error());
  const auto target = options.file ? *options.file : default_backup_path(config, clock.now());
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  if (auto s = backup_ledger(*db, target); !s) return report_error(s.error());
  auto identity = inspect_ledger(target);
  if (!identity) return report_error(identity.error().within("checking the backup"));
  const auto bytes = std::filesystem::file_size(target, ec);
  if (options.json) {
    nlohmann::ordered_json j;
    j["backup"] = target.string();
    j["store"] = identity->store_id;
    j["schema_version"] = identity->schema_version;
    j["bytes"] = ec ? 0 : bytes;
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("backed up the ledger of store {} to {} ({:.1f} MiB, schema version {}, checked)\n",
               identity->store_id, target.string(), static_cast<double>(ec ? 0 : bytes) / (1024.0 * 1024.0),
               identity->schema_version);
  }
  return kExitOk;
}

int restore_command(const AgentConfig& config, const RestoreOptions& options) {
  SystemClock clock;
  if (auto s = restore_ledger(options.file, config.ledger.path, config.store.id, clock.now()); !s) {
    return report_error(s.error());
  }
  // Opening it for writing upgrades an older backup's schema and checks it once more.
  auto ledger = open_ledger_for_writing(config, clock);
  if (!ledger) return report_error(ledger.error().within("opening the restored ledger"));
  if (options.json) {
    nlohmann::ordered_json j;
    j["restored"] = options.file.string();
    j["ledger"] = config.ledger.path.string();
    j["schema_version"] = ledger->schema_version();
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print(
        "restored {} into {}; the ledger it replaced (if any) is kept beside it as "
        "*.before-restore-*; start the agent again\n",
        options.file.string(), config.ledger.path.string());
  }
  return kExitOk;
}

}  // namespace regua
