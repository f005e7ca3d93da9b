#include "sync/inbox.hpp"

#include <spdlog/spdlog.h>

#include "sync/hq_orders.hpp"
#include "sync/hub_clock.hpp"
#include "sync/order_signature.hpp"
#include "sync/protocol/envelope.hpp"
#include "sync/protocol/topics.hpp"
#include "sync/rule_pack.hpp"

namespace regua::sync {

Status park_message(sqlite::Db& db, std::string_view table, const std::string& topic,
                    const std::string& payload, const std::string& reason, Seconds now) {
  auto stmt = db.prepare("INSERT INTO " + std::string(table) +
                         " (topic, reason, payload, at) VALUES (?1, ?2, ?3, ?4)");
  if (!stmt) return stmt.error();
  constexpr std::size_t kKept = 64 * 1024;
  stmt->bind(1, topic).bind(2, reason).bind_blob(3, std::string_view(payload).substr(0, kKept));
  stmt->bind(4, now.time_since_epoch().count());
  return stmt->run();
}

Status Inbox::park(const std::string& topic, const std::string& payload, const std::string& reason) {
  ++parked_;
  spdlog::warn("sync: parked a message on {}: {}", topic, reason);
  return park_message(*db_, "sync_parked", topic, payload, reason, clock_->now());
}

Status Inbox::note_hub_clock(const Envelope& ack) {
  // Optional (older hubs send none); a wrong type is no reason to park the ack it rides on.
  const auto hub_time = ack.header.find("clock");
  if (hub_time == ack.header.end() || !hub_time->is_number_integer()) return {};
  const auto now = std::chrono::steady_clock::now();
  if (clock_noted_ && now - *clock_noted_ < std::chrono::minutes(1)) return {};
  clock_noted_ = now;
  return record_hub_clock(*db_, HubClockReading{from_unix(hub_time->get<std::int64_t>()), clock_->now()});
}

Status Inbox::park_once(const std::string& topic, const std::string& payload, const std::string& reason) {
  auto seen =
      db_->prepare("SELECT 1 FROM sync_parked WHERE topic = ?1 AND reason = ?2 AND payload = ?3 LIMIT 1");
  if (!seen) return seen.error();
  constexpr std::size_t kKept = 64 * 1024;
  seen->bind(1, topic).bind(2, reason).bind_blob(3, std::string_view(payload).substr(0, kKept));
  auto row = seen->step();
  if (!row) return row.error();
  if (*row) {
    seen->reset();
    return {};
  }
  return park(topic, payload, reason);
}

Status Inbox::handle(const std::string& topic, const std::string& payload) {
  const auto address = parse_topic(topic);
  if (!address || address->direction != Direction::down || address->network != settings_.network ||
      address->store != settings_.store) {
    return park(topic, payload,
                "not a down/ topic of this store (" + settings_.network + "/" + settings_.store + ")");
  }
  auto envelope = decode_envelope(payload);
  if (!envelope) return park(topic, payload, envelope.error().message);
  if (envelope->type != address->what) {
    return park(topic, payload, "a \"" + envelope->type + "\" message on the " + address->what + " topic");
  }
  const auto& type = envelope->type;
  if (type == "ack") {
    auto acked = header_int(*envelope, "acked");
    if (!acked) return park(topic, payload, acked.error().message);
    if (auto s = note_hub_clock(*envelope); !s) return s;
    return publisher_->on_ack(*acked);
  }
  if (type == "resend") {
    auto from = header_int(*envelope, "from");
    if (!from) return park(topic, payload, from.error().message);
    spdlog::info("sync: the hub asks for everything from sequence {}", *from);
    publisher_->on_resend(*from);
    return {};
  }
  if (type == "rules") {
    auto pack = decode_rule_pack(*envelope);
    if (!pack) return park(topic, payload, pack.error().message);
    auto decision = receive_rule_pack(*db_, *pack, settings_.network, settings_.rules_public_key,
                                      clock_->now(), check_rules);
    if (!decision) return decision.error();
    if (decision->applied) {
      spdlog::info("sync: rule pack version {} applied", pack->version);
      if (on_rules_applied) on_rules_applied(pack->version);
    } else if (decision->reason != "already in force") {
      spdlog::warn("sync: rule pack version {} refused: {}", pack->version, decision->reason);
    }
    return {};
  }
  if (type == "order") {
    // Only what the hub signed for this store is taken; anything else is parked, never applied
    // (sync/order_signature.hpp). The hub sends an order again until the store reports it: a
    // refused one is parked once.
    if (auto verified =
            verify_hq_order(*envelope, settings_.network, settings_.store, settings_.rules_public_key);
        !verified) {
      return park_once(topic, payload, "order refused: " + verified.error().message);
    }
    auto outcome = apply_hq_order(*db_, *envelope, clock_->now());
    if (!outcome) return outcome.error();
    if (!outcome->recorded) return park(topic, payload, outcome->detail);
    if (!outcome->repeated) {
      spdlog::info("sync: order from HQ {}: {}", outcome->applied ? "applied" : "refused", outcome->detail);
    }
    return {};
  }
  return park(topic, payload, "unknown message type \"" + type + "\"");
}

}  // namespace regua::sync
