#include "local/ledger/migrations.hpp"

#include <array>
#include <string>

namespace regua {
namespace {

// Times are Unix seconds in UTC; money is integer cents. docs/ledger.md describes every table.
constexpr std::array kMigrations{
    Migration{1, "customers, sales, items, cancellations, checkpoints, quarantine, outbox", R"sql(
CREATE TABLE ledger_info (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE customers (
  id            INTEGER PRIMARY KEY,
  pos_id        TEXT UNIQUE,
  name          TEXT,
  phone         TEXT,
  email         TEXT,
  cpf           TEXT,
  birthday      TEXT,
  info_at       INTEGER NOT NULL,  -- POS time of the newest information applied
  created_at    INTEGER NOT NULL
);

CREATE TABLE consents (
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  channel     TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'email')),
  granted     INTEGER NOT NULL CHECK (granted IN (0, 1)),
  source      TEXT NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (customer_id, channel)
) WITHOUT ROWID;

CREATE TABLE sales (
  id           INTEGER PRIMARY KEY,
  pos_id       TEXT NOT NULL UNIQUE,
  customer_id  INTEGER REFERENCES customers(id),
  sold_at      INTEGER NOT NULL,
  total_cents  INTEGER NOT NULL CHECK (total_cents >= 0),
  cancelled_at INTEGER,
  source       TEXT NOT NULL,
  ingested_at  INTEGER NOT NULL
);
CREATE INDEX sales_by_customer ON sales (customer_id, sold_at);

CREATE TABLE sale_items (
  sale_id     INTEGER NOT NULL REFERENCES sales(id),
  line        INTEGER NOT NULL,
  sku         TEXT NOT NULL,
  name        TEXT NOT NULL,
  quantity    REAL NOT NULL,
  unit_cents  INTEGER NOT NULL,
  PRIMARY KEY (sale_id, line)
) WITHOUT ROWID;

-- Every cancellation received, also one that arrived before its sale (applied when the sale comes).
CREATE TABLE cancellations (
  sale_pos_id  TEXT PRIMARY KEY,
  cancelled_at INTEGER NOT NULL,
  source       TEXT NOT NULL,
  received_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Where each source stopped reading: committed with the rows read, so nothing is lost or read twice.
CREATE TABLE checkpoints (
  source          TEXT PRIMARY KEY,
  file_device     INTEGER NOT NULL,
  file_inode      INTEGER NOT NULL,
  byte_offset     INTEGER NOT NULL,
  line            INTEGER NOT NULL,
  fingerprint_len INTEGER NOT NULL,
  fingerprint     INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE quarantine (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  file        TEXT NOT NULL,
  origin      TEXT NOT NULL,     -- the file's identity (device:inode) when read
  line        INTEGER NOT NULL,
  byte_offset INTEGER NOT NULL,
  raw_hash    INTEGER NOT NULL,
  raw         BLOB NOT NULL,
  reason      TEXT NOT NULL,
  at          INTEGER NOT NULL,
  UNIQUE (origin, byte_offset, raw_hash)
);

-- Changes that must leave the machine, numbered without gaps; filled and drained by later layers.
CREATE TABLE outbox (
  seq        INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,
  payload    BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
)sql"},
};

}  // namespace

std::span<const Migration> ledger_migrations() {
  return kMigrations;
}

int latest_ledger_version() {
  return kMigrations.back().version;
}

Status migrate_ledger(sqlite::Db& db) {
  auto current = db.query_int("PRAGMA user_version");
  if (!current) return current.error();
  if (*current > latest_ledger_version()) {
    return make_error(ErrorKind::incompatible,
                      "ledger " + db.path().string() + " has schema version " + std::to_string(*current) +
                          " but this regua-agent knows versions up to " +
                          std::to_string(latest_ledger_version()) +
                          ": it was written by a newer Régua. Install that version (or newer) to use it.");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= *current) continue;
    auto txn = sqlite::Transaction::begin(db);
    if (!txn) return txn.error();
    if (auto s = db.exec(m.sql); !s) {
      return s.error().within("migration " + std::to_string(m.version) + " (" + m.summary + ")");
    }
    if (auto s = db.exec("PRAGMA user_version = " + std::to_string(m.version)); !s) return s;
    if (auto s = txn->commit(); !s) return s;
  }
  return {};
}

}  // namespace regua
