#pragma once
// Where the hub keeps what stores send: behind this interface so that the SQLite backend (one
// machine, the default) and a PostgreSQL backend (issue 8: several hub replicas on one database)
// are interchangeable and run the same tests.
//
// Several hub processes may share one database (replicas behind an MQTT shared subscription):
// batches of one store are then stored concurrently and out of order, and every guarantee below
// still holds (each backend serialises a store's batches on its row).
//
// The guarantees every backend keeps: a batch is stored in one transaction, idempotently by
// (store, sequence) (a record seen before changes nothing), with the range it covers; the store's
// `contiguous` mark (the highest sequence with everything before it stored) is computed in that
// transaction, and only what the transaction committed is ever acknowledged.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "sync/protocol/batch.hpp"

namespace regua::hub {

struct BatchStored {
  std::int64_t contiguous = 0;  // after the commit: what the hub acknowledges
  std::int64_t inserted = 0;    // records new to the hub
  std::int64_t duplicates = 0;  // records it had already
  std::int64_t lost = 0;        // sequences the store had freed on an earlier ack the hub no longer has
};

struct StoreRow {
  std::string store;
  std::int64_t contiguous = 0;
  std::int64_t records = 0;
  std::optional<std::int64_t> last_seen;
  std::string agent;
  std::int64_t rules_version = 0;
  std::int64_t lost = 0;
};

// A record as the hub holds it: in the log (`records`) or as the newest state of its key (`entities`).
struct StoredRecord {
  std::int64_t seq = 0;
  std::string kind;
  std::string key;
  std::string body;  // JSON text
};

// How HQ groups a store and when its silence is an alarm: set at the hub (stores never send it).
struct StoreProfile {
  std::string store;
  std::string name;
  std::string region;
  std::string format;
  std::optional<std::int64_t> silent_after_s;  // empty: the hub's default ([hub] silent_after_s)
};

// A store's newest heartbeat record and when the hub stored it (hub clock, Unix seconds).
struct StoredHeartbeat {
  std::string store;
  std::int64_t seq = 0;
  std::string body;  // JSON: agent, clock, outbox_waiting, acked, last_sale_at (docs/protocol.md)
  std::int64_t received_at = 0;
};

struct PendingOrder {
  std::string store;
  std::string order_id;
  nlohmann::json body;  // the order's header fields (type "order")
};

// A one-time enrolment token as the hub keeps it: never the secret, only its SHA-256.
struct EnrolmentTokenRow {
  std::string id;           // public: listed, logged
  std::string secret_hash;  // lowercase hex SHA-256 of the secret (sync/enrolment_token.hpp)
  std::string store;        // the store it enrols
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
};

// What a token presented to the hub is worth.
enum class TokenState { valid, unknown, expired, used };
struct TokenCheck {
  TokenState state = TokenState::unknown;
  std::string store;  // state valid (and used: the store it enrolled)
};

struct StoredRulePack {
  std::int64_t version = 0;
  std::string target;  // "*" (every store), "region:R", "format:F", or a store id (cloud/rules/)
  std::string rules;
  std::string signature;
  std::string author;  // who published it, and why (free text)
  std::string note;
  std::string sha256;  // of `rules`, hex
  std::int64_t created_at = 0;
};

// A token of the HQ API (cloud/api/): who it is for and what it may do; the hub keeps only a hash of
// the token itself (docs/hub-api.md).
struct ApiToken {
  std::string id;     // public: what `regua-hub token list` shows and `token revoke` takes
  std::string name;   // who or what holds it
  std::string role;   // network_admin, store_manager, analyst
  std::string store;  // store_manager: its store; "" otherwise
  std::string hash;   // SHA-256 of the token, hex
  std::int64_t created_at = 0;
  std::optional<std::int64_t> revoked_at;
};

class HubStore {
 public:
  virtual ~HubStore() = default;

  virtual Result<BatchStored> store_batch(const sync::DecodedBatch& batch, Seconds now) = 0;
  virtual Result<std::int64_t> contiguous(std::string_view store) = 0;
  // A store said hello: when it was seen, its agent and rule pack version; returns the store's row.
  virtual Result<StoreRow> note_hello(std::string_view store, std::string_view agent,
                                      std::int64_t rules_version, Seconds now) = 0;
  virtual Result<std::vector<StoreRow>> stores() = 0;
  // A store's log of one kind of record, in the store's order.
  virtual Result<std::vector<StoredRecord>> records(std::string_view store, std::string_view kind) = 0;
  // The newest state of each thing of one kind a store sent, by key.
  virtual Result<std::vector<StoredRecord>> entities(std::string_view store, std::string_view kind) = 0;
  // The network model: HQ's profile of each store (groups, silence threshold), and the newest
  // heartbeat of every store (cloud/network/store_health.hpp reads them together).
  virtual Status set_store_profile(const StoreProfile& profile) = 0;
  virtual Result<std::vector<StoreProfile>> store_profiles() = 0;
  virtual Result<std::vector<StoredHeartbeat>> heartbeats() = 0;
  // A message that cannot be taken, with why; never blocks what follows.
  virtual Status park(std::string_view topic, std::string_view reason, std::string_view payload,
                      Seconds now) = 0;
  virtual Result<std::int64_t> parked_count() = 0;

  // Orders for stores: kept until the store's `order` record says it took them.
  virtual Status add_order(std::string_view store, std::string_view order_id, const nlohmann::json& body,
                           Seconds now) = 0;
  // Orders not done and not sent since `resend_before` (or to `store` only when given).
  virtual Result<std::vector<PendingOrder>> orders_to_send(Seconds resend_before,
                                                           std::optional<std::string_view> store) = 0;
  virtual Status mark_order_sent(std::string_view store, std::string_view order_id, Seconds now) = 0;

  // Rule packs, signed by the publisher.
  virtual Status add_rule_pack(const StoredRulePack& pack, Seconds now) = 0;
  virtual Result<std::optional<StoredRulePack>> rule_pack_for(std::string_view store) = 0;
  virtual Result<std::vector<StoredRulePack>> rule_packs_to_announce() = 0;
  virtual Status mark_rule_pack_announced(const StoredRulePack& pack) = 0;

  // Enrolment tokens (cloud/enrolment): added by `regua-hub enrol token`, looked at and
  // then used once by the enrolment endpoint. A token whose id and secret hash do not both match is
  // unknown. `use_enrolment_token` is atomic across processes sharing the database: of two uses of
  // one token, exactly one gets `valid`, the other `used`.
  virtual Status add_enrolment_token(const EnrolmentTokenRow& token) = 0;
  virtual Result<std::vector<EnrolmentTokenRow>> enrolment_tokens() = 0;
  virtual Result<TokenCheck> check_enrolment_token(std::string_view id, std::string_view secret_hash,
                                                   Seconds now) = 0;
  virtual Result<TokenCheck> use_enrolment_token(std::string_view id, std::string_view secret_hash,
                                                 Seconds now) = 0;

  // Rule packs as HQ manages them (cloud/rules/rule_packs.hpp).
  // Stores `pack` only when its version is above every version stored, checked and written in one
  // transaction (concurrent publishers cannot interleave): empty when stored, else the newest
  // version that is in the way (nothing stored).
  virtual Result<std::optional<std::int64_t>> add_rule_pack_above_newest(const StoredRulePack& pack,
                                                                         Seconds now) = 0;
  // Every pack without its rules and signature, newest version first.
  virtual Result<std::vector<StoredRulePack>> rule_pack_list() = 0;
  // One pack whole; empty when there is none.
  virtual Result<std::optional<StoredRulePack>> rule_pack(std::string_view target, std::int64_t version) = 0;

  // The HQ API's tokens (in the hub database, so that replicas share them). Revoking an
  // unknown or already revoked token returns false.
  virtual Status add_api_token(const ApiToken& token) = 0;
  virtual Result<std::vector<ApiToken>> api_tokens() = 0;
  virtual Result<bool> revoke_api_token(std::string_view id, Seconds now) = 0;
};

// The state of a stored token at `now`, for a check that found its row (shared by the backends).
inline TokenCheck token_check_of(const EnrolmentTokenRow& row, std::string_view secret_hash, Seconds now) {
  if (row.secret_hash != secret_hash) return {TokenState::unknown, {}};
  if (row.used_at) return {TokenState::used, row.store};
  if (row.expires_at <= now.time_since_epoch().count()) return {TokenState::expired, row.store};
  return {TokenState::valid, row.store};
}

}  // namespace regua::hub
