#include "cloud/storage/sqlite_hub_store.hpp"

#include <iterator>

#include "local/ledger/sqlite.hpp"

namespace regua::hub {
namespace {

// The hub's schema, one numbered step after another (PRAGMA user_version says how many ran). Append
// a step; never edit one that shipped. postgres_hub_store.cpp keeps the same numbering.
constexpr std::string_view kSqliteHubMigration1 = R"sql(
-- One row per store that ever said something: how far its stream is stored without a hole.
CREATE TABLE stores (
  store         TEXT PRIMARY KEY,
  contiguous    INTEGER NOT NULL DEFAULT 0,
  first_seen    INTEGER NOT NULL,
  last_seen     INTEGER,
  agent         TEXT NOT NULL DEFAULT '',
  rules_version INTEGER NOT NULL DEFAULT 0,
  lost          INTEGER NOT NULL DEFAULT 0  -- sequences freed by the store on an ack this hub lost
) WITHOUT ROWID;
-- Every record once, by (store, seq): the log.
CREATE TABLE records (
  store       TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  key         TEXT NOT NULL,
  body        TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (store, seq)
) WITHOUT ROWID;
-- Ranges received beyond `contiguous` (out of order, or after a hole), merged as holes fill.
CREATE TABLE ranges (
  store TEXT NOT NULL,
  first INTEGER NOT NULL,
  last  INTEGER NOT NULL,
  PRIMARY KEY (store, first)
) WITHOUT ROWID;
-- The newest state of each thing a store sent (a sale, a customer, a task, a KPI day, ...).
CREATE TABLE entities (
  store TEXT NOT NULL,
  key   TEXT NOT NULL,
  kind  TEXT NOT NULL,
  seq   INTEGER NOT NULL,
  body  TEXT NOT NULL,
  PRIMARY KEY (store, key)
) WITHOUT ROWID;
CREATE TABLE parked (
  id      INTEGER PRIMARY KEY,
  topic   TEXT NOT NULL,
  reason  TEXT NOT NULL,
  payload BLOB NOT NULL,
  at      INTEGER NOT NULL
);
CREATE TABLE orders (
  store      TEXT NOT NULL,
  order_id   TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at    INTEGER,
  done_at    INTEGER,
  outcome    TEXT,
  PRIMARY KEY (store, order_id)
) WITHOUT ROWID;
CREATE TABLE rule_packs (
  target     TEXT NOT NULL,  -- a store id or '*'
  version    INTEGER NOT NULL,
  rules      TEXT NOT NULL,
  signature  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  announced  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (target, version)
) WITHOUT ROWID;
)sql";

// The network model: HQ's groups and silence threshold per store (docs/hub.md).
constexpr std::string_view kSqliteHubMigration2 = R"sql(
CREATE TABLE store_profiles (
  store          TEXT PRIMARY KEY,
  name           TEXT NOT NULL DEFAULT '',
  region         TEXT NOT NULL DEFAULT '',
  format         TEXT NOT NULL DEFAULT '',
  silent_after_s INTEGER  -- NULL: [hub] silent_after_s
) WITHOUT ROWID;
)sql";

// Migration 3: one-time enrolment tokens; the secret itself is never stored (docs/hub.md).
constexpr std::string_view kSqliteHubMigrationEnrolmentTokens = R"sql(
CREATE TABLE enrolment_tokens (
  id          TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  store       TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER
) WITHOUT ROWID;
)sql";

// Migration 4 (rule packs): who published a pack, why, and the hash of its text.
constexpr std::string_view kSqliteHubMigrationRulePackMeta = R"sql(
ALTER TABLE rule_packs ADD COLUMN author TEXT NOT NULL DEFAULT '';
ALTER TABLE rule_packs ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE rule_packs ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
)sql";

// Migration 5: the HQ API's tokens, only their SHA-256 (docs/hub-api.md).
constexpr std::string_view kSqliteHubMigrationApiTokens = R"sql(
CREATE TABLE api_tokens (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL,
  store      TEXT NOT NULL DEFAULT '',
  hash       TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) WITHOUT ROWID;
)sql";

constexpr std::string_view kSqliteHubMigrations[] = {
    kSqliteHubMigration1, kSqliteHubMigration2, kSqliteHubMigrationEnrolmentTokens,
    kSqliteHubMigrationRulePackMeta, kSqliteHubMigrationApiTokens};
constexpr int kHubSchemaVersion = static_cast<int>(std::size(kSqliteHubMigrations));

std::int64_t unix_of(Seconds t) {
  return t.time_since_epoch().count();
}

class SqliteHubStore final : public HubStore {
 public:
  explicit SqliteHubStore(sqlite::Db db) : db_(std::move(db)) {}

  Status init() {
    for (const char* pragma :
         {"PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"}) {
      if (auto s = db_.exec(pragma); !s) return s;
    }
    // Read inside a write transaction: `regua-hub status` and `run` may open a new database at once.
    auto txn = sqlite::Transaction::begin(db_);
    if (!txn) return txn.error();
    auto version = db_.query_int("PRAGMA user_version");
    if (!version) return version.error();
    if (*version > kHubSchemaVersion) {
      return make_error(ErrorKind::incompatible, "hub database " + db_.path().string() +
                                                     " has schema version " + std::to_string(*version) +
                                                     ", newer than this regua-hub knows (" +
                                                     std::to_string(kHubSchemaVersion) +
                                                     "): run the regua-hub that wrote it, or newer");
    }
    if (*version == kHubSchemaVersion) return {};
    for (auto step = *version; step < kHubSchemaVersion; ++step) {
      if (auto s = db_.exec(kSqliteHubMigrations[step]); !s) {
        return s.error().within("hub schema migration " + std::to_string(step + 1));
      }
    }
    if (auto s = db_.exec("PRAGMA user_version = " + std::to_string(kHubSchemaVersion)); !s) return s;
    return txn->commit();
  }

  Result<BatchStored> store_batch(const sync::DecodedBatch& batch, Seconds now) override {
    BatchStored out;
    auto txn = sqlite::Transaction::begin(db_);
    if (!txn) return txn.error();
    auto c = ensure_store(batch.store, now);
    if (!c) return c.error();
    std::int64_t contiguous = *c;
    // The store freed what an earlier ack of this hub covered, and this hub no longer has it (a
    // restored backup): it can never come again. Count it and go on from there.
    if (batch.acked > contiguous && batch.first > contiguous + 1) {
      out.lost = batch.acked - contiguous;
      contiguous = batch.acked;
    }
    if (!insert_record_.valid()) {
      for (auto& [stmt, sql] : std::initializer_list<std::pair<sqlite::Stmt*, std::string_view>>{
               {&insert_record_,
                "INSERT INTO records (store, seq, kind, key, body, received_at) VALUES (?1, ?2, ?3, ?4, ?5, "
                "?6) "
                "ON CONFLICT (store, seq) DO NOTHING"},
               {&upsert_entity_,
                "INSERT INTO entities (store, key, kind, seq, body) VALUES (?1, ?2, ?3, ?4, ?5) "
                "ON CONFLICT (store, key) DO UPDATE SET kind = excluded.kind, seq = excluded.seq, body = "
                "excluded.body "
                "WHERE excluded.seq > entities.seq"}}) {
        auto prepared = db_.prepare(sql);
        if (!prepared) return prepared.error();
        *stmt = std::move(*prepared);
      }
    }
    for (const auto& record : batch.records) {
      if (record.seq <= contiguous) {
        ++out.duplicates;
        continue;
      }
      const auto body = record.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      insert_record_.bind(1, batch.store).bind(2, record.seq).bind(3, record.kind).bind(4, record.key);
      insert_record_.bind(5, body).bind(6, unix_of(now));
      if (auto s = insert_record_.run(); !s) return s.error();
      if (db_.changes() == 0) {
        ++out.duplicates;
        continue;
      }
      ++out.inserted;
      if (auto s = apply_state(batch.store, record, body, now); !s) return s.error();
    }
    if (batch.last > contiguous) {
      auto range = db_.prepare(
          "INSERT INTO ranges (store, first, last) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (store, first) DO UPDATE SET last = max(last, excluded.last)");
      if (!range) return range.error();
      range->bind(1, batch.store).bind(2, std::max(batch.first, contiguous + 1)).bind(3, batch.last);
      if (auto s = range->run(); !s) return s.error();
    }
    // Fill the mark from the ranges that now touch it.
    auto next = db_.prepare("SELECT first, last FROM ranges WHERE store = ?1 ORDER BY first LIMIT 1");
    if (!next) return next.error();
    auto drop = db_.prepare("DELETE FROM ranges WHERE store = ?1 AND first = ?2");
    if (!drop) return drop.error();
    for (;;) {
      next->bind(1, batch.store);
      auto row = next->step();
      if (!row) return row.error();
      if (!*row) break;
      const auto first = next->int64(0), last = next->int64(1);
      next->reset();
      if (first > contiguous + 1) break;
      contiguous = std::max(contiguous, last);
      drop->bind(1, batch.store).bind(2, first);
      if (auto s = drop->run(); !s) return s.error();
    }
    auto save =
        db_.prepare("UPDATE stores SET contiguous = ?2, last_seen = ?3, lost = lost + ?4 WHERE store = ?1");
    if (!save) return save.error();
    save->bind(1, batch.store).bind(2, contiguous).bind(3, unix_of(now)).bind(4, out.lost);
    if (auto s = save->run(); !s) return s.error();
    if (auto s = txn->commit(); !s) return s.error();
    out.contiguous = contiguous;
    return out;
  }

  Result<std::int64_t> contiguous(std::string_view store) override {
    auto stmt = db_.prepare("SELECT contiguous FROM stores WHERE store = ?1");
    if (!stmt) return stmt.error();
    stmt->bind(1, store);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::int64_t{0};
    const auto c = stmt->int64(0);
    stmt->reset();
    return c;
  }

  Result<StoreRow> note_hello(std::string_view store, std::string_view agent, std::int64_t rules_version,
                              Seconds now) override {
    auto txn = sqlite::Transaction::begin(db_);
    if (!txn) return txn.error();
    if (auto c = ensure_store(store, now); !c) return c.error();
    auto stmt =
        db_.prepare("UPDATE stores SET last_seen = ?2, agent = ?3, rules_version = ?4 WHERE store = ?1");
    if (!stmt) return stmt.error();
    stmt->bind(1, store).bind(2, unix_of(now)).bind(3, agent).bind(4, rules_version);
    if (auto s = stmt->run(); !s) return s.error();
    if (auto s = txn->commit(); !s) return s.error();
    auto all = stores();
    if (!all) return all.error();
    for (auto& row : *all) {
      if (row.store == store) return row;
    }
    return make_error(ErrorKind::internal, "hub: store row vanished");
  }

  Result<std::vector<StoreRow>> stores() override {
    auto stmt = db_.prepare(
        "SELECT s.store, s.contiguous, (SELECT count(*) FROM records r WHERE r.store = s.store), "
        "s.last_seen, s.agent, "
        "s.rules_version, s.lost FROM stores s ORDER BY s.store");
    if (!stmt) return stmt.error();
    std::vector<StoreRow> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      StoreRow r;
      r.store = stmt->text(0);
      r.contiguous = stmt->int64(1);
      r.records = stmt->int64(2);
      if (!stmt->is_null(3)) r.last_seen = stmt->int64(3);
      r.agent = stmt->text(4);
      r.rules_version = stmt->int64(5);
      r.lost = stmt->int64(6);
      out.push_back(std::move(r));
    }
    return out;
  }

  Result<std::vector<StoredRecord>> records(std::string_view store, std::string_view kind) override {
    return read_records(
        "SELECT seq, kind, key, body FROM records WHERE store = ?1 AND kind = ?2 ORDER BY seq", store, kind);
  }

  Result<std::vector<StoredRecord>> entities(std::string_view store, std::string_view kind) override {
    return read_records(
        "SELECT seq, kind, key, body FROM entities WHERE store = ?1 AND kind = ?2 ORDER BY key", store, kind);
  }

  Status set_store_profile(const StoreProfile& p) override {
    auto stmt = db_.prepare(
        "INSERT INTO store_profiles (store, name, region, format, silent_after_s) VALUES (?1, ?2, ?3, ?4, "
        "?5) "
        "ON CONFLICT (store) DO UPDATE SET name = excluded.name, region = excluded.region, format = "
        "excluded.format, silent_after_s = excluded.silent_after_s");
    if (!stmt) return stmt.error();
    stmt->bind(1, p.store).bind(2, p.name).bind(3, p.region).bind(4, p.format);
    if (p.silent_after_s) {
      stmt->bind(5, *p.silent_after_s);
    } else {
      stmt->bind_null(5);
    }
    return stmt->run();
  }

  Result<std::vector<StoreProfile>> store_profiles() override {
    auto stmt =
        db_.prepare("SELECT store, name, region, format, silent_after_s FROM store_profiles ORDER BY store");
    if (!stmt) return stmt.error();
    std::vector<StoreProfile> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      StoreProfile p{std::string(stmt->text(0)), std::string(stmt->text(1)), std::string(stmt->text(2)),
                     std::string(stmt->text(3)), std::nullopt};
      if (!stmt->is_null(4)) p.silent_after_s = stmt->int64(4);
      out.push_back(std::move(p));
    }
    return out;
  }

  Result<std::vector<StoredHeartbeat>> heartbeats() override {
    auto stmt = db_.prepare(
        "SELECT e.store, e.seq, e.body, r.received_at FROM entities e JOIN records r ON r.store = e.store "
        "AND "
        "r.seq = e.seq WHERE e.key = 'heartbeat' ORDER BY e.store");
    if (!stmt) return stmt.error();
    std::vector<StoredHeartbeat> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      out.push_back(StoredHeartbeat{std::string(stmt->text(0)), stmt->int64(1), std::string(stmt->text(2)),
                                    stmt->int64(3)});
    }
    return out;
  }

  Status park(std::string_view topic, std::string_view reason, std::string_view payload,
              Seconds now) override {
    auto stmt = db_.prepare("INSERT INTO parked (topic, reason, payload, at) VALUES (?1, ?2, ?3, ?4)");
    if (!stmt) return stmt.error();
    constexpr std::size_t kKept = 64 * 1024;
    stmt->bind(1, topic).bind(2, reason).bind_blob(3, payload.substr(0, kKept)).bind(4, unix_of(now));
    return stmt->run();
  }

  Result<std::int64_t> parked_count() override { return db_.query_int("SELECT count(*) FROM parked"); }

  Status add_order(std::string_view store, std::string_view order_id, const nlohmann::json& body,
                   Seconds now) override {
    auto stmt = db_.prepare(
        "INSERT INTO orders (store, order_id, body, created_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (store, order_id) DO NOTHING");
    if (!stmt) return stmt.error();
    stmt->bind(1, store).bind(2, order_id).bind(3, body.dump()).bind(4, unix_of(now));
    return stmt->run();
  }

  Result<std::vector<PendingOrder>> orders_to_send(Seconds resend_before,
                                                   std::optional<std::string_view> store) override {
    auto stmt = db_.prepare(
        "SELECT store, order_id, body FROM orders WHERE done_at IS NULL AND (?2 IS NULL OR store = ?2) "
        "AND (sent_at IS NULL OR sent_at < ?1 OR ?2 IS NOT NULL) ORDER BY created_at");
    if (!stmt) return stmt.error();
    stmt->bind(1, unix_of(resend_before));
    if (store) {
      stmt->bind(2, *store);
    } else {
      stmt->bind_null(2);
    }
    std::vector<PendingOrder> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      out.push_back(PendingOrder{std::string(stmt->text(0)), std::string(stmt->text(1)),
                                 nlohmann::json::parse(stmt->text(2), nullptr, false)});
    }
    return out;
  }

  Status mark_order_sent(std::string_view store, std::string_view order_id, Seconds now) override {
    auto stmt = db_.prepare("UPDATE orders SET sent_at = ?3 WHERE store = ?1 AND order_id = ?2");
    if (!stmt) return stmt.error();
    stmt->bind(1, store).bind(2, order_id).bind(3, unix_of(now));
    return stmt->run();
  }

  Status add_rule_pack(const StoredRulePack& pack, Seconds now) override {
    auto stmt = db_.prepare(
        "INSERT INTO rule_packs (target, version, rules, signature, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!stmt) return stmt.error();
    stmt->bind(1, pack.target)
        .bind(2, pack.version)
        .bind(3, pack.rules)
        .bind(4, pack.signature)
        .bind(5, unix_of(now));
    if (auto s = stmt->run(); !s) {
      return s.error().within("rule pack version " + std::to_string(pack.version) + " for " + pack.target +
                              " (a version is published once: use a higher number)");
    }
    return {};
  }

  Result<std::optional<StoredRulePack>> rule_pack_for(std::string_view store) override {
    auto stmt = db_.prepare(
        "SELECT target, version, rules, signature FROM rule_packs WHERE target = ?1 OR target = '*' OR "
        "target IN (SELECT 'region:' || region FROM store_profiles WHERE store = ?1 AND region <> '' UNION "
        "ALL "
        "SELECT 'format:' || format FROM store_profiles WHERE store = ?1 AND format <> '') "
        "ORDER BY version DESC LIMIT 1");
    if (!stmt) return stmt.error();
    stmt->bind(1, store);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<StoredRulePack>{};
    StoredRulePack p{stmt->int64(1),
                     std::string(stmt->text(0)),
                     std::string(stmt->text(2)),
                     std::string(stmt->text(3)),
                     {},
                     {},
                     {},
                     0};
    stmt->reset();
    return std::optional<StoredRulePack>(std::move(p));
  }

  Result<std::vector<StoredRulePack>> rule_packs_to_announce() override {
    auto stmt = db_.prepare(
        "SELECT target, version, rules, signature FROM rule_packs WHERE announced = 0 ORDER BY version");
    if (!stmt) return stmt.error();
    std::vector<StoredRulePack> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      out.push_back(StoredRulePack{stmt->int64(1),
                                   std::string(stmt->text(0)),
                                   std::string(stmt->text(2)),
                                   std::string(stmt->text(3)),
                                   {},
                                   {},
                                   {},
                                   0});
    }
    return out;
  }

  Status mark_rule_pack_announced(const StoredRulePack& pack) override {
    auto stmt = db_.prepare("UPDATE rule_packs SET announced = 1 WHERE target = ?1 AND version = ?2");
    if (!stmt) return stmt.error();
    stmt->bind(1, pack.target).bind(2, pack.version);
    return stmt->run();
  }

  Result<std::optional<std::int64_t>> add_rule_pack_above_newest(const StoredRulePack& pack,
                                                                 Seconds now) override {
    auto txn = sqlite::Transaction::begin(db_);
    if (!txn) return txn.error();
    auto newest = db_.query_int("SELECT coalesce(max(version), 0) FROM rule_packs");
    if (!newest) return newest.error();
    if (*newest >= pack.version) return std::optional<std::int64_t>(*newest);
    auto stmt = db_.prepare(
        "INSERT INTO rule_packs (target, version, rules, signature, created_at, author, note, sha256) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!stmt) return stmt.error();
    stmt->bind(1, pack.target).bind(2, pack.version).bind(3, pack.rules).bind(4, pack.signature);
    stmt->bind(5, unix_of(now)).bind(6, pack.author).bind(7, pack.note).bind(8, pack.sha256);
    if (auto s = stmt->run(); !s) return s.error();
    if (auto s = txn->commit(); !s) return s.error();
    return std::optional<std::int64_t>{};
  }

  Result<std::vector<StoredRulePack>> rule_pack_list() override {
    auto stmt = db_.prepare(
        "SELECT target, version, author, note, sha256, created_at FROM rule_packs ORDER BY version DESC, "
        "target");
    if (!stmt) return stmt.error();
    std::vector<StoredRulePack> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      StoredRulePack p;
      p.target = stmt->text(0);
      p.version = stmt->int64(1);
      p.author = stmt->text(2);
      p.note = stmt->text(3);
      p.sha256 = stmt->text(4);
      p.created_at = stmt->int64(5);
      out.push_back(std::move(p));
    }
    return out;
  }

  Result<std::optional<StoredRulePack>> rule_pack(std::string_view target, std::int64_t version) override {
    auto stmt = db_.prepare(
        "SELECT target, version, rules, signature, author, note, sha256, created_at FROM rule_packs WHERE "
        "target = ?1 AND version = ?2");
    if (!stmt) return stmt.error();
    stmt->bind(1, target).bind(2, version);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<StoredRulePack>{};
    StoredRulePack p{stmt->int64(1),
                     std::string(stmt->text(0)),
                     std::string(stmt->text(2)),
                     std::string(stmt->text(3)),
                     std::string(stmt->text(4)),
                     std::string(stmt->text(5)),
                     std::string(stmt->text(6)),
                     stmt->int64(7)};
    stmt->reset();
    return std::optional<StoredRulePack>(std::move(p));
  }

  Status add_enrolment_token(const EnrolmentTokenRow& t) override {
    auto stmt = db_.prepare(
        "INSERT INTO enrolment_tokens (id, secret_hash, store, created_at, expires_at) VALUES (?1, ?2, ?3, "
        "?4, "
        "?5)");
    if (!stmt) return stmt.error();
    stmt->bind(1, t.id).bind(2, t.secret_hash).bind(3, t.store).bind(4, t.created_at).bind(5, t.expires_at);
    return stmt->run();
  }

  Result<std::vector<EnrolmentTokenRow>> enrolment_tokens() override {
    return read_tokens(
        "SELECT id, secret_hash, store, created_at, expires_at, used_at FROM enrolment_tokens ORDER BY "
        "created_at, id",
        std::nullopt);
  }

  Result<TokenCheck> check_enrolment_token(std::string_view id, std::string_view secret_hash,
                                           Seconds now) override {
    auto rows = read_tokens(
        "SELECT id, secret_hash, store, created_at, expires_at, used_at FROM enrolment_tokens WHERE id = ?1",
        id);
    if (!rows) return rows.error();
    if (rows->empty()) return TokenCheck{};
    return token_check_of(rows->front(), secret_hash, now);
  }

  Result<TokenCheck> use_enrolment_token(std::string_view id, std::string_view secret_hash,
                                         Seconds now) override {
    // One statement: SQLite takes the write lock for it, so a second use finds used_at set.
    auto stmt = db_.prepare(
        "UPDATE enrolment_tokens SET used_at = ?3 WHERE id = ?1 AND secret_hash = ?2 AND used_at IS NULL AND "
        "expires_at > ?3 RETURNING store");
    if (!stmt) return stmt.error();
    stmt->bind(1, id).bind(2, secret_hash).bind(3, unix_of(now));
    auto row = stmt->step();
    if (!row) return row.error();
    if (*row) {
      TokenCheck won{TokenState::valid, std::string(stmt->text(0))};
      if (auto done = stmt->step(); !done) return done.error();
      return won;
    }
    return check_enrolment_token(id, secret_hash, now);
  }

  Status add_api_token(const ApiToken& t) override {
    auto stmt = db_.prepare(
        "INSERT INTO api_tokens (id, name, role, store, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!stmt) return stmt.error();
    stmt->bind(1, t.id)
        .bind(2, t.name)
        .bind(3, t.role)
        .bind(4, t.store)
        .bind(5, t.hash)
        .bind(6, t.created_at);
    return stmt->run();
  }

  Result<std::vector<ApiToken>> api_tokens() override {
    auto stmt = db_.prepare(
        "SELECT id, name, role, store, hash, created_at, revoked_at FROM api_tokens ORDER BY created_at, id");
    if (!stmt) return stmt.error();
    std::vector<ApiToken> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      ApiToken t{std::string(stmt->text(0)),
                 std::string(stmt->text(1)),
                 std::string(stmt->text(2)),
                 std::string(stmt->text(3)),
                 std::string(stmt->text(4)),
                 stmt->int64(5),
                 std::nullopt};
      if (!stmt->is_null(6)) t.revoked_at = stmt->int64(6);
      out.push_back(std::move(t));
    }
    return out;
  }

  Result<bool> revoke_api_token(std::string_view id, Seconds now) override {
    auto stmt = db_.prepare("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
    if (!stmt) return stmt.error();
    stmt->bind(1, id).bind(2, unix_of(now));
    if (auto s = stmt->run(); !s) return s.error();
    return db_.changes() > 0;
  }

 private:
  Result<std::vector<EnrolmentTokenRow>> read_tokens(std::string_view sql,
                                                     std::optional<std::string_view> id) {
    auto stmt = db_.prepare(sql);
    if (!stmt) return stmt.error();
    if (id) stmt->bind(1, *id);
    std::vector<EnrolmentTokenRow> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      EnrolmentTokenRow t{std::string(stmt->text(0)),
                          std::string(stmt->text(1)),
                          std::string(stmt->text(2)),
                          stmt->int64(3),
                          stmt->int64(4),
                          std::nullopt};
      if (!stmt->is_null(5)) t.used_at = stmt->int64(5);
      out.push_back(std::move(t));
    }
    return out;
  }

  Result<std::vector<StoredRecord>> read_records(std::string_view sql, std::string_view store,
                                                 std::string_view kind) {
    auto stmt = db_.prepare(sql);
    if (!stmt) return stmt.error();
    stmt->bind(1, store).bind(2, kind);
    std::vector<StoredRecord> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      out.push_back(StoredRecord{stmt->int64(0), std::string(stmt->text(1)), std::string(stmt->text(2)),
                                 std::string(stmt->text(3))});
    }
    return out;
  }

  Result<std::int64_t> ensure_store(std::string_view store, Seconds now) {
    auto put =
        db_.prepare("INSERT INTO stores (store, first_seen) VALUES (?1, ?2) ON CONFLICT (store) DO NOTHING");
    if (!put) return put.error();
    put->bind(1, store).bind(2, unix_of(now));
    if (auto s = put->run(); !s) return s.error();
    return contiguous(store);
  }

  // The newest state per key; an erasure also blanks the customer's records.
  Status apply_state(const std::string& store, const sync::DecodedRecord& record, const std::string& body,
                     Seconds now) {
    if (record.kind == "erasure") {
      const auto customer_key = "customer:" + std::to_string(record.body.value("id", std::int64_t{0}));
      // Only what came before the erasure: a later record (out of order, stored first) is newer.
      auto blank = db_.prepare(
          "UPDATE records SET body = '{\"erased\":true}' WHERE store = ?1 AND key = ?2 AND seq < ?3");
      if (!blank) return blank.error();
      blank->bind(1, store).bind(2, customer_key).bind(3, record.seq);
      if (auto s = blank->run(); !s) return s;
      auto gone = db_.prepare("DELETE FROM entities WHERE store = ?1 AND key = ?2 AND seq < ?3");
      if (!gone) return gone.error();
      gone->bind(1, store).bind(2, customer_key).bind(3, record.seq);
      if (auto s = gone->run(); !s) return s;
    }
    if (record.kind == "order") {
      auto done =
          db_.prepare("UPDATE orders SET done_at = ?3, outcome = ?4 WHERE store = ?1 AND order_id = ?2");
      if (!done) return done.error();
      done->bind(1, store).bind(2, record.body.value("order", std::string{}));
      done->bind(3, unix_of(now)).bind(4, record.body.value("outcome", std::string{}));
      if (auto s = done->run(); !s) return s;
    }
    upsert_entity_.bind(1, store).bind(2, record.key).bind(3, record.kind).bind(4, record.seq).bind(5, body);
    return upsert_entity_.run();
  }

  sqlite::Db db_;
  sqlite::Stmt insert_record_, upsert_entity_;
};

}  // namespace

Result<std::unique_ptr<HubStore>> open_sqlite_hub_store(const std::filesystem::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  auto db = sqlite::Db::open(file, sqlite::OpenMode::read_write_create);
  if (!db) return db.error();
  auto store = std::make_unique<SqliteHubStore>(std::move(*db));
  if (auto s = store->init(); !s) return s.error().within("hub database " + file.string());
  return std::unique_ptr<HubStore>(std::move(store));
}

}  // namespace regua::hub
