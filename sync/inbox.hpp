#pragma once
// The store's side of the downlink (docs/protocol.md): every message on its down/ topics goes
// through handle(): the hub's end-to-end ack and resend commands go to the publisher, rule packs
// are checked and recorded (sync/rule_pack.hpp), orders checked against the pinned hub key
// (sync/order_signature.hpp) and applied (sync/hq_orders.hpp). A message
// that cannot be taken (not protocol v1, malformed, for another store, an order this agent cannot
// apply) is parked in the ledger (sync_parked) with the reason, and the flow goes on.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"
#include "sync/outbox_publisher.hpp"
#include "sync/protocol/envelope.hpp"
#include "sync/rule_pack.hpp"

namespace regua::sync {

struct InboxSettings {
  std::string network;
  std::string store;
  std::filesystem::path rules_public_key;  // HQ's Ed25519 key, pinned; empty: packs and orders are refused
};

class Inbox {
 public:
  Inbox(sqlite::Db& db, OutboxPublisher& publisher, InboxSettings settings, const Clock& clock)
      : db_(&db), publisher_(&publisher), settings_(std::move(settings)), clock_(&clock) {}

  // Returns an error only when the ledger fails (then the caller retries the whole message).
  Status handle(const std::string& topic, const std::string& payload);

  // Called when a new rule pack was applied (on the sync thread).
  std::function<void(std::int64_t version)> on_rules_applied;
  // The store's check of a pack's rules before it is applied (may be empty; sync/rule_pack.hpp).
  RulePackCheck check_rules;

  [[nodiscard]] std::int64_t parked() const { return parked_; }

 private:
  Status park(const std::string& topic, const std::string& payload, const std::string& reason);
  // Records the hub's clock an ack carries (sync/hub_clock.hpp), at most once a minute.
  Status note_hub_clock(const Envelope& ack);
  // The same, unless that very message was parked for that reason before (a resent order).
  Status park_once(const std::string& topic, const std::string& payload, const std::string& reason);

  sqlite::Db* db_;
  OutboxPublisher* publisher_;
  InboxSettings settings_;
  const Clock* clock_;
  std::int64_t parked_ = 0;
  std::optional<std::chrono::steady_clock::time_point> clock_noted_;
};

// Parks a message (either side's ledger has the same table shape): topic, reason, first 64 KiB.
Status park_message(sqlite::Db& db, std::string_view table, const std::string& topic,
                    const std::string& payload, const std::string& reason, Seconds now);

}  // namespace regua::sync
