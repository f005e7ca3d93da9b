#include "cloud/storage/postgres_hub_store.hpp"

#include <iterator>
#include <set>

#include "cloud/storage/pg_connection.hpp"

namespace regua::hub {
namespace {

using pg::Param;

// The same steps as sqlite_hub_store.cpp, in PostgreSQL's dialect; `hub_schema` lists those that
// ran. Append a step; never edit one that shipped.
constexpr std::string_view kPostgresHubMigration1 = R"sql(
CREATE TABLE stores (
  store         TEXT PRIMARY KEY,
  contiguous    BIGINT NOT NULL DEFAULT 0,
  records       BIGINT NOT NULL DEFAULT 0,  -- rows in `records` (a count(*) is slow at scale)
  first_seen    BIGINT NOT NULL,
  last_seen     BIGINT,
  agent         TEXT NOT NULL DEFAULT '',
  rules_version BIGINT NOT NULL DEFAULT 0,
  lost          BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE records (
  store       TEXT NOT NULL,
  seq         BIGINT NOT NULL,
  kind        TEXT NOT NULL,
  key         TEXT NOT NULL,
  body        TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (store, seq)
);
CREATE INDEX records_by_key ON records (store, key);
CREATE TABLE ranges (
  store TEXT NOT NULL,
  first BIGINT NOT NULL,
  last  BIGINT NOT NULL,
  PRIMARY KEY (store, first)
);
CREATE TABLE entities (
  store TEXT NOT NULL,
  key   TEXT NOT NULL,
  kind  TEXT NOT NULL,
  seq   BIGINT NOT NULL,
  body  TEXT NOT NULL,
  PRIMARY KEY (store, key)
);
CREATE INDEX entities_by_kind ON entities (store, kind);
CREATE TABLE parked (
  id      BIGSERIAL PRIMARY KEY,
  topic   TEXT NOT NULL,
  reason  TEXT NOT NULL,
  payload BYTEA NOT NULL,
  at      BIGINT NOT NULL
);
CREATE TABLE orders (
  store      TEXT NOT NULL,
  order_id   TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  sent_at    BIGINT,
  done_at    BIGINT,
  outcome    TEXT,
  PRIMARY KEY (store, order_id)
);
CREATE TABLE rule_packs (
  target     TEXT NOT NULL,
  version    BIGINT NOT NULL,
  rules      TEXT NOT NULL,
  signature  TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  announced  BOOLEAN NOT NULL DEFAULT false,
  PRIMARY KEY (target, version)
);
)sql";

constexpr std::string_view kPostgresHubMigration2 = R"sql(
CREATE TABLE store_profiles (
  store          TEXT PRIMARY KEY,
  name           TEXT NOT NULL DEFAULT '',
  region         TEXT NOT NULL DEFAULT '',
  format         TEXT NOT NULL DEFAULT '',
  silent_after_s BIGINT
);
)sql";

// Migration 3: one-time enrolment tokens; the secret itself is never stored (docs/hub.md).
constexpr std::string_view kPostgresHubMigrationEnrolmentTokens = R"sql(
CREATE TABLE enrolment_tokens (
  id          TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  store       TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  used_at     BIGINT
);
)sql";

// Migration 4 (rule packs): who published a pack, why, and the hash of its text.
constexpr std::string_view kPostgresHubMigrationRulePackMeta = R"sql(
ALTER TABLE rule_packs ADD COLUMN author TEXT NOT NULL DEFAULT '';
ALTER TABLE rule_packs ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE rule_packs ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
)sql";

// Migration 5: the HQ API's tokens, only their SHA-256 (docs/hub-api.md).
constexpr std::string_view kPostgresHubMigrationApiTokens = R"sql(
CREATE TABLE api_tokens (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL,
  store      TEXT NOT NULL DEFAULT '',
  hash       TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
)sql";

constexpr std::string_view kPostgresHubMigrations[] = {
    kPostgresHubMigration1, kPostgresHubMigration2, kPostgresHubMigrationEnrolmentTokens,
    kPostgresHubMigrationRulePackMeta, kPostgresHubMigrationApiTokens};
constexpr int kPostgresHubSchemaVersion = static_cast<int>(std::size(kPostgresHubMigrations));
// pg_advisory_xact_lock key of the migrations ("regua" in ASCII): replicas starting together take
// turns, and the second finds the schema made.
constexpr std::int64_t kMigrationLock = 0x7265677561;

Param pg_int(std::int64_t v) {
  return std::to_string(v);
}

Param pg_text(std::string_view v) {
  return std::string(v);
}

Param pg_seconds(Seconds t) {
  return std::to_string(t.time_since_epoch().count());
}

std::string pg_bytea_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

// Records waiting to become the newest state of their keys, upserted in one statement.
struct PendingEntities {
  std::vector<std::int64_t> seqs;
  std::vector<std::string_view> kinds, keys, bodies;
  void clear() {
    seqs.clear();
    kinds.clear();
    keys.clear();
    bodies.clear();
  }
};

class PostgresHubStore final : public HubStore {
 public:
  explicit PostgresHubStore(pg::Connection conn) : db_(std::move(conn)) {}

  Status migrate() {
    auto txn = pg::Transaction::begin(db_);
    if (!txn) return txn.error();
    if (auto s = db_.query("SELECT pg_advisory_xact_lock($1)", {pg_int(kMigrationLock)}); !s)
      return s.error();
    if (auto s = db_.exec("CREATE TABLE IF NOT EXISTS hub_schema (version INTEGER PRIMARY KEY, "
                          "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        !s) {
      return s;
    }
    auto version = db_.query_int("SELECT max(version) FROM hub_schema");
    if (!version) return version.error();
    if (*version > kPostgresHubSchemaVersion) {
      return make_error(ErrorKind::incompatible, db_.where() + " has hub schema version " +
                                                     std::to_string(*version) +
                                                     ", newer than this regua-hub knows (" +
                                                     std::to_string(kPostgresHubSchemaVersion) +
                                                     "): run the regua-hub that wrote it, or newer");
    }
    for (auto step = *version; step < kPostgresHubSchemaVersion; ++step) {
      if (auto s = db_.exec(kPostgresHubMigrations[step]); !s) {
        return s.error().within("hub schema migration " + std::to_string(step + 1));
      }
      if (auto s = db_.query("INSERT INTO hub_schema (version) VALUES ($1)", {pg_int(step + 1)}); !s) {
        return s.error();
      }
    }
    return txn->commit();
  }

  Result<BatchStored> store_batch(const sync::DecodedBatch& batch, Seconds now) override {
    BatchStored out;
    auto txn = pg::Transaction::begin(db_);
    if (!txn) return txn.error();
    if (auto s = ensure_store(batch.store, now); !s) return s.error();
    // Replicas storing the same store's batches take turns here, until this transaction ends.
    auto c =
        db_.query_int("SELECT contiguous FROM stores WHERE store = $1 FOR UPDATE", {pg_text(batch.store)});
    if (!c) return c.error();
    std::int64_t contiguous = *c;
    if (batch.acked > contiguous && batch.first > contiguous + 1) {
      out.lost = batch.acked - contiguous;
      contiguous = batch.acked;
    }
    std::vector<std::string> bodies;
    bodies.reserve(batch.records.size());
    PendingEntities candidates;
    std::vector<const sync::DecodedRecord*> candidate_records;
    for (const auto& record : batch.records) {
      if (record.seq <= contiguous) {
        ++out.duplicates;
        continue;
      }
      bodies.push_back(record.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      candidate_records.push_back(&record);
    }
    for (std::size_t i = 0; i < candidate_records.size(); ++i) {
      candidates.seqs.push_back(candidate_records[i]->seq);
      candidates.kinds.push_back(candidate_records[i]->kind);
      candidates.keys.push_back(candidate_records[i]->key);
      candidates.bodies.push_back(bodies[i]);
    }
    std::set<std::int64_t> inserted;
    if (!candidates.seqs.empty()) {
      auto rows = db_.query(
          "INSERT INTO records (store, seq, kind, key, body, received_at) "
          "SELECT $1, t.seq, t.kind, t.key, t.body, $6 "
          "FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS t(seq, kind, key, body) "
          "ON CONFLICT (store, seq) DO NOTHING RETURNING seq",
          {pg_text(batch.store), pg::int_array(candidates.seqs), pg::text_array(candidates.kinds),
           pg::text_array(candidates.keys), pg::text_array(candidates.bodies), pg_seconds(now)});
      if (!rows) return rows.error();
      for (int i = 0; i < rows->size(); ++i)
        inserted.insert(rows->int64(i, 0));
    }
    out.inserted = static_cast<std::int64_t>(inserted.size());
    out.duplicates += static_cast<std::int64_t>(candidates.seqs.size()) - out.inserted;
    if (auto s = apply_states(batch.store, candidate_records, bodies, inserted, now); !s) return s.error();
    if (batch.last > contiguous) {
      if (auto s = db_.query(
              "INSERT INTO ranges (store, first, last) VALUES ($1, $2, $3) "
              "ON CONFLICT (store, first) DO UPDATE SET last = greatest(ranges.last, excluded.last)",
              {pg_text(batch.store), pg_int(std::max(batch.first, contiguous + 1)), pg_int(batch.last)});
          !s) {
        return s.error();
      }
    }
    auto ranges =
        db_.query("SELECT first, last FROM ranges WHERE store = $1 ORDER BY first", {pg_text(batch.store)});
    if (!ranges) return ranges.error();
    for (int i = 0; i < ranges->size(); ++i) {
      const auto first = ranges->int64(i, 0), last = ranges->int64(i, 1);
      if (first > contiguous + 1) break;
      contiguous = std::max(contiguous, last);
      if (auto s = db_.query("DELETE FROM ranges WHERE store = $1 AND first = $2",
                             {pg_text(batch.store), pg_int(first)});
          !s) {
        return s.error();
      }
    }
    if (auto s = db_.query("UPDATE stores SET contiguous = $2, last_seen = $3, lost = lost + $4, "
                           "records = records + $5 WHERE store = $1",
                           {pg_text(batch.store), pg_int(contiguous), pg_seconds(now), pg_int(out.lost),
                            pg_int(out.inserted)});
        !s) {
      return s.error();
    }
    if (auto s = txn->commit(); !s) return s.error();
    out.contiguous = contiguous;
    return out;
  }

  Result<std::int64_t> contiguous(std::string_view store) override {
    return db_.query_int("SELECT contiguous FROM stores WHERE store = $1", {pg_text(store)});
  }

  Result<StoreRow> note_hello(std::string_view store, std::string_view agent, std::int64_t rules_version,
                              Seconds now) override {
    auto txn = pg::Transaction::begin(db_);
    if (!txn) return txn.error();
    if (auto s = ensure_store(store, now); !s) return s.error();
    if (auto s =
            db_.query("UPDATE stores SET last_seen = $2, agent = $3, rules_version = $4 WHERE store = $1",
                      {pg_text(store), pg_seconds(now), pg_text(agent), pg_int(rules_version)});
        !s) {
      return s.error();
    }
    if (auto s = txn->commit(); !s) return s.error();
    auto rows = read_stores("WHERE store = $1", {pg_text(store)});
    if (!rows) return rows.error();
    if (rows->empty()) return make_error(ErrorKind::internal, "hub: store row vanished");
    return std::move(rows->front());
  }

  Result<std::vector<StoreRow>> stores() override { return read_stores("", {}); }

  Result<std::vector<StoredRecord>> records(std::string_view store, std::string_view kind) override {
    return read_records(
        "SELECT seq, kind, key, body FROM records WHERE store = $1 AND kind = $2 ORDER BY seq", store, kind);
  }

  Result<std::vector<StoredRecord>> entities(std::string_view store, std::string_view kind) override {
    return read_records(
        "SELECT seq, kind, key, body FROM entities WHERE store = $1 AND kind = $2 ORDER BY key COLLATE \"C\"",
        store, kind);
  }

  Status set_store_profile(const StoreProfile& p) override {
    auto s = db_.query(
        "INSERT INTO store_profiles (store, name, region, format, silent_after_s) VALUES ($1, $2, $3, $4, "
        "$5) "
        "ON CONFLICT (store) DO UPDATE SET name = excluded.name, region = excluded.region, format = "
        "excluded.format, silent_after_s = excluded.silent_after_s",
        {pg_text(p.store), pg_text(p.name), pg_text(p.region), pg_text(p.format),
         p.silent_after_s ? pg_int(*p.silent_after_s) : Param{}});
    if (!s) return s.error();
    return {};
  }

  Result<std::vector<StoreProfile>> store_profiles() override {
    auto rows = db_.query(
        "SELECT store, name, region, format, silent_after_s FROM store_profiles ORDER BY store COLLATE "
        "\"C\"");
    if (!rows) return rows.error();
    std::vector<StoreProfile> out;
    for (int i = 0; i < rows->size(); ++i) {
      StoreProfile p{rows->text(i, 0), rows->text(i, 1), rows->text(i, 2), rows->text(i, 3), std::nullopt};
      if (!rows->is_null(i, 4)) p.silent_after_s = rows->int64(i, 4);
      out.push_back(std::move(p));
    }
    return out;
  }

  Result<std::vector<StoredHeartbeat>> heartbeats() override {
    auto rows = db_.query(
        "SELECT e.store, e.seq, e.body, r.received_at FROM entities e JOIN records r ON r.store = e.store "
        "AND "
        "r.seq = e.seq WHERE e.key = 'heartbeat' ORDER BY e.store COLLATE \"C\"");
    if (!rows) return rows.error();
    std::vector<StoredHeartbeat> out;
    for (int i = 0; i < rows->size(); ++i)
      out.push_back(
          StoredHeartbeat{rows->text(i, 0), rows->int64(i, 1), rows->text(i, 2), rows->int64(i, 3)});
    return out;
  }

  Status park(std::string_view topic, std::string_view reason, std::string_view payload,
              Seconds now) override {
    constexpr std::size_t kKept = 64 * 1024;
    auto s =
        db_.query("INSERT INTO parked (topic, reason, payload, at) VALUES ($1, $2, $3::bytea, $4)",
                  {pg_text(topic), pg_text(reason), pg_bytea_hex(payload.substr(0, kKept)), pg_seconds(now)});
    if (!s) return s.error();
    return {};
  }

  Result<std::int64_t> parked_count() override { return db_.query_int("SELECT count(*) FROM parked"); }

  Status add_order(std::string_view store, std::string_view order_id, const nlohmann::json& body,
                   Seconds now) override {
    auto s = db_.query(
        "INSERT INTO orders (store, order_id, body, created_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (store, order_id) DO NOTHING",
        {pg_text(store), pg_text(order_id), body.dump(), pg_seconds(now)});
    if (!s) return s.error();
    return {};
  }

  Result<std::vector<PendingOrder>> orders_to_send(Seconds resend_before,
                                                   std::optional<std::string_view> store) override {
    auto rows = db_.query(
        "SELECT store, order_id, body FROM orders WHERE done_at IS NULL AND ($2::text IS NULL OR store = $2) "
        "AND (sent_at IS NULL OR sent_at < $1 OR $2::text IS NOT NULL) ORDER BY created_at, store, order_id",
        {pg_seconds(resend_before), store ? pg_text(*store) : Param{}});
    if (!rows) return rows.error();
    std::vector<PendingOrder> out;
    for (int i = 0; i < rows->size(); ++i) {
      out.push_back(PendingOrder{rows->text(i, 0), rows->text(i, 1),
                                 nlohmann::json::parse(rows->text(i, 2), nullptr, false)});
    }
    return out;
  }

  Status mark_order_sent(std::string_view store, std::string_view order_id, Seconds now) override {
    auto s = db_.query("UPDATE orders SET sent_at = $3 WHERE store = $1 AND order_id = $2",
                       {pg_text(store), pg_text(order_id), pg_seconds(now)});
    if (!s) return s.error();
    return {};
  }

  Status add_rule_pack(const StoredRulePack& pack, Seconds now) override {
    auto s = db_.query(
        "INSERT INTO rule_packs (target, version, rules, signature, created_at) VALUES ($1, $2, $3, $4, $5)",
        {pg_text(pack.target), pg_int(pack.version), pg_text(pack.rules), pg_text(pack.signature),
         pg_seconds(now)});
    if (!s) {
      return s.error().within("rule pack version " + std::to_string(pack.version) + " for " + pack.target +
                              " (a version is published once: use a higher number)");
    }
    return {};
  }

  Result<std::optional<StoredRulePack>> rule_pack_for(std::string_view store) override {
    auto rows = db_.query(
        "SELECT target, version, rules, signature FROM rule_packs WHERE target = $1 OR target = '*' OR "
        "target IN (SELECT 'region:' || region FROM store_profiles WHERE store = $1 AND region <> '' UNION "
        "ALL "
        "SELECT 'format:' || format FROM store_profiles WHERE store = $1 AND format <> '') "
        "ORDER BY version DESC LIMIT 1",
        {pg_text(store)});
    if (!rows) return rows.error();
    if (rows->size() == 0) return std::optional<StoredRulePack>{};
    return std::optional<StoredRulePack>(StoredRulePack{
        rows->int64(0, 1), rows->text(0, 0), rows->text(0, 2), rows->text(0, 3), {}, {}, {}, 0});
  }

  Result<std::vector<StoredRulePack>> rule_packs_to_announce() override {
    auto rows = db_.query(
        "SELECT target, version, rules, signature FROM rule_packs WHERE NOT announced ORDER BY version, "
        "target");
    if (!rows) return rows.error();
    std::vector<StoredRulePack> out;
    for (int i = 0; i < rows->size(); ++i)
      out.push_back(StoredRulePack{
          rows->int64(i, 1), rows->text(i, 0), rows->text(i, 2), rows->text(i, 3), {}, {}, {}, 0});
    return out;
  }

  Status mark_rule_pack_announced(const StoredRulePack& pack) override {
    auto s = db_.query("UPDATE rule_packs SET announced = true WHERE target = $1 AND version = $2",
                       {pg_text(pack.target), pg_int(pack.version)});
    if (!s) return s.error();
    return {};
  }

  Result<std::optional<std::int64_t>> add_rule_pack_above_newest(const StoredRulePack& pack,
                                                                 Seconds now) override {
    auto txn = pg::Transaction::begin(db_);
    if (!txn) return txn.error();
    // Publishers take turns (readers and the hub's announcements do not wait): the check and the
    // insert see the same newest version.
    if (auto s = db_.exec("LOCK TABLE rule_packs IN SHARE ROW EXCLUSIVE MODE"); !s) return s.error();
    auto newest = db_.query_int("SELECT coalesce(max(version), 0) FROM rule_packs");
    if (!newest) return newest.error();
    if (*newest >= pack.version) return std::optional<std::int64_t>(*newest);
    auto s = db_.query(
        "INSERT INTO rule_packs (target, version, rules, signature, created_at, author, note, sha256) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8)",
        {pg_text(pack.target), pg_int(pack.version), pg_text(pack.rules), pg_text(pack.signature),
         pg_seconds(now), pg_text(pack.author), pg_text(pack.note), pg_text(pack.sha256)});
    if (!s) return s.error();
    if (auto c = txn->commit(); !c) return c.error();
    return std::optional<std::int64_t>{};
  }

  Result<std::vector<StoredRulePack>> rule_pack_list() override {
    auto rows = db_.query(
        "SELECT target, version, author, note, sha256, created_at FROM rule_packs ORDER BY version DESC, "
        "target COLLATE \"C\"");
    if (!rows) return rows.error();
    std::vector<StoredRulePack> out;
    for (int i = 0; i < rows->size(); ++i) {
      StoredRulePack p;
      p.target = rows->text(i, 0);
      p.version = rows->int64(i, 1);
      p.author = rows->text(i, 2);
      p.note = rows->text(i, 3);
      p.sha256 = rows->text(i, 4);
      p.created_at = rows->int64(i, 5);
      out.push_back(std::move(p));
    }
    return out;
  }

  Result<std::optional<StoredRulePack>> rule_pack(std::string_view target, std::int64_t version) override {
    auto rows = db_.query(
        "SELECT target, version, rules, signature, author, note, sha256, created_at FROM rule_packs WHERE "
        "target = $1 AND version = $2",
        {pg_text(target), pg_int(version)});
    if (!rows) return rows.error();
    if (rows->size() == 0) return std::optional<StoredRulePack>{};
    return std::optional<StoredRulePack>(StoredRulePack{rows->int64(0, 1), rows->text(0, 0), rows->text(0, 2),
                                                        rows->text(0, 3), rows->text(0, 4), rows->text(0, 5),
                                                        rows->text(0, 6), rows->int64(0, 7)});
  }

  Status add_enrolment_token(const EnrolmentTokenRow& t) override {
    auto s = db_.query(
        "INSERT INTO enrolment_tokens (id, secret_hash, store, created_at, expires_at) VALUES ($1, $2, $3, "
        "$4, $5)",
        {pg_text(t.id), pg_text(t.secret_hash), pg_text(t.store), pg_int(t.created_at),
         pg_int(t.expires_at)});
    if (!s) return s.error();
    return {};
  }

  Result<std::vector<EnrolmentTokenRow>> enrolment_tokens() override {
    return read_tokens(
        "SELECT id, secret_hash, store, created_at, expires_at, used_at FROM enrolment_tokens ORDER BY "
        "created_at, id COLLATE \"C\"",
        {});
  }

  Result<TokenCheck> check_enrolment_token(std::string_view id, std::string_view secret_hash,
                                           Seconds now) override {
    auto rows = read_tokens(
        "SELECT id, secret_hash, store, created_at, expires_at, used_at FROM enrolment_tokens WHERE id = $1",
        {pg_text(id)});
    if (!rows) return rows.error();
    if (rows->empty()) return TokenCheck{};
    return token_check_of(rows->front(), secret_hash, now);
  }

  Result<TokenCheck> use_enrolment_token(std::string_view id, std::string_view secret_hash,
                                         Seconds now) override {
    // A second replica's UPDATE waits for the first one's row lock, then re-reads used_at: one wins.
    auto won = db_.query(
        "UPDATE enrolment_tokens SET used_at = $3 WHERE id = $1 AND secret_hash = $2 AND used_at IS NULL AND "
        "expires_at > $3 RETURNING store",
        {pg_text(id), pg_text(secret_hash), pg_seconds(now)});
    if (!won) return won.error();
    if (won->size() == 1) return TokenCheck{TokenState::valid, won->text(0, 0)};
    return check_enrolment_token(id, secret_hash, now);
  }

  Status add_api_token(const ApiToken& t) override {
    auto s = db_.query(
        "INSERT INTO api_tokens (id, name, role, store, hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        {pg_text(t.id), pg_text(t.name), pg_text(t.role), pg_text(t.store), pg_text(t.hash),
         pg_int(t.created_at)});
    if (!s) return s.error();
    return {};
  }

  Result<std::vector<ApiToken>> api_tokens() override {
    auto rows = db_.query(
        "SELECT id, name, role, store, hash, created_at, revoked_at FROM api_tokens ORDER BY created_at, id "
        "COLLATE \"C\"");
    if (!rows) return rows.error();
    std::vector<ApiToken> out;
    for (int i = 0; i < rows->size(); ++i) {
      ApiToken t{rows->text(i, 0), rows->text(i, 1),  rows->text(i, 2), rows->text(i, 3),
                 rows->text(i, 4), rows->int64(i, 5), std::nullopt};
      if (!rows->is_null(i, 6)) t.revoked_at = rows->int64(i, 6);
      out.push_back(std::move(t));
    }
    return out;
  }

  Result<bool> revoke_api_token(std::string_view id, Seconds now) override {
    auto rows =
        db_.query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id",
                  {pg_text(id), pg_seconds(now)});
    if (!rows) return rows.error();
    return rows->size() > 0;
  }

 private:
  Result<std::vector<EnrolmentTokenRow>> read_tokens(std::string_view sql, const std::vector<Param>& params) {
    auto rows = db_.query(sql, params);
    if (!rows) return rows.error();
    std::vector<EnrolmentTokenRow> out;
    for (int i = 0; i < rows->size(); ++i) {
      EnrolmentTokenRow t{rows->text(i, 0),  rows->text(i, 1),  rows->text(i, 2),
                          rows->int64(i, 3), rows->int64(i, 4), std::nullopt};
      if (!rows->is_null(i, 5)) t.used_at = rows->int64(i, 5);
      out.push_back(std::move(t));
    }
    return out;
  }

  Status ensure_store(std::string_view store, Seconds now) {
    auto s =
        db_.query("INSERT INTO stores (store, first_seen) VALUES ($1, $2) ON CONFLICT (store) DO NOTHING",
                  {pg_text(store), pg_seconds(now)});
    if (!s) return s.error();
    return {};
  }

  Result<std::vector<StoreRow>> read_stores(std::string_view where, const std::vector<Param>& params) {
    auto rows =
        db_.query("SELECT store, contiguous, records, last_seen, agent, rules_version, lost FROM stores " +
                      std::string(where) + " ORDER BY store COLLATE \"C\"",
                  params);
    if (!rows) return rows.error();
    std::vector<StoreRow> out;
    for (int i = 0; i < rows->size(); ++i) {
      StoreRow r;
      r.store = rows->text(i, 0);
      r.contiguous = rows->int64(i, 1);
      r.records = rows->int64(i, 2);
      if (!rows->is_null(i, 3)) r.last_seen = rows->int64(i, 3);
      r.agent = rows->text(i, 4);
      r.rules_version = rows->int64(i, 5);
      r.lost = rows->int64(i, 6);
      out.push_back(std::move(r));
    }
    return out;
  }

  Result<std::vector<StoredRecord>> read_records(std::string_view sql, std::string_view store,
                                                 std::string_view kind) {
    auto rows = db_.query(sql, {pg_text(store), pg_text(kind)});
    if (!rows) return rows.error();
    std::vector<StoredRecord> out;
    out.reserve(static_cast<std::size_t>(rows->size()));
    for (int i = 0; i < rows->size(); ++i)
      out.push_back(StoredRecord{rows->int64(i, 0), rows->text(i, 1), rows->text(i, 2), rows->text(i, 3)});
    return out;
  }

  // The newest state per key, in the batch's order: runs of plain records in one statement, an
  // erasure or an order's outcome where it stands (what came before it is already applied).
  Status apply_states(const std::string& store, const std::vector<const sync::DecodedRecord*>& records,
                      const std::vector<std::string>& bodies, const std::set<std::int64_t>& inserted,
                      Seconds now) {
    PendingEntities pending;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const auto& record = *records[i];
      if (!inserted.contains(record.seq)) continue;
      if (record.kind == "erasure" || record.kind == "order") {
        if (auto s = upsert_entities(store, pending); !s) return s;
        pending.clear();
      }
      if (record.kind == "erasure") {
        const auto customer_key = "customer:" + std::to_string(record.body.value("id", std::int64_t{0}));
        if (auto s = db_.query("UPDATE records SET body = '{\"erased\":true}' WHERE store = $1 AND key = $2 "
                               "AND seq < $3",
                               {pg_text(store), pg_text(customer_key), pg_int(record.seq)});
            !s) {
          return s.error();
        }
        if (auto s = db_.query("DELETE FROM entities WHERE store = $1 AND key = $2 AND seq < $3",
                               {pg_text(store), pg_text(customer_key), pg_int(record.seq)});
            !s) {
          return s.error();
        }
      }
      if (record.kind == "order") {
        if (auto s =
                db_.query("UPDATE orders SET done_at = $3, outcome = $4 WHERE store = $1 AND order_id = $2",
                          {pg_text(store), pg_text(record.body.value("order", std::string{})),
                           pg_seconds(now), pg_text(record.body.value("outcome", std::string{}))});
            !s) {
          return s.error();
        }
      }
      pending.seqs.push_back(record.seq);
      pending.kinds.push_back(record.kind);
      pending.keys.push_back(record.key);
      pending.bodies.push_back(bodies[i]);
    }
    return upsert_entities(store, pending);
  }

  Status upsert_entities(const std::string& store, const PendingEntities& pending) {
    if (pending.seqs.empty()) return {};
    // One row per key (the newest of the run): an upsert may touch a row only once per statement.
    auto s = db_.query(
        "INSERT INTO entities (store, key, kind, seq, body) "
        "SELECT DISTINCT ON (t.key) $1, t.key, t.kind, t.seq, t.body "
        "FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS t(seq, kind, key, body) "
        "ORDER BY t.key, t.seq DESC "
        "ON CONFLICT (store, key) DO UPDATE SET kind = excluded.kind, seq = excluded.seq, body = "
        "excluded.body "
        "WHERE excluded.seq > entities.seq",
        {pg_text(store), pg::int_array(pending.seqs), pg::text_array(pending.kinds),
         pg::text_array(pending.keys), pg::text_array(pending.bodies)});
    if (!s) return s.error();
    return {};
  }

  pg::Connection db_;
};

}  // namespace

int postgres_hub_schema_version() {
  return kPostgresHubSchemaVersion;
}

Result<std::unique_ptr<HubStore>> open_postgres_hub_store(const std::string& conninfo) {
  auto conn = pg::Connection::open(conninfo);
  if (!conn) return conn.error();
  auto store = std::make_unique<PostgresHubStore>(std::move(*conn));
  if (auto s = store->migrate(); !s) return s.error();
  return std::unique_ptr<HubStore>(std::move(store));
}

}  // namespace regua::hub
