#include "cloud/ingest/hub_ingest.hpp"

#include <map>
#include <random>

#include <spdlog/spdlog.h>

#include "cloud/rules/rule_packs.hpp"
#include "sync/backoff.hpp"
#include "sync/mqtt_link.hpp"
#include "sync/order_signature.hpp"
#include "sync/protocol/batch.hpp"
#include "sync/protocol/envelope.hpp"
#include "sync/protocol/topics.hpp"
#include "sync/rule_pack.hpp"

namespace regua::hub {
namespace {

using Steady = std::chrono::steady_clock;
using sync::Direction;

class HubSession {
 public:
  HubSession(const HubConfig& config, HubStore& store, const Clock& clock, sync::MqttLink& link,
             HubCounters& counters)
      : config_(config), store_(store), clock_(clock), link_(link), counters_(counters) {}

  // Returns an error only when the database fails (then the hub stops: nothing was acknowledged).
  Status handle(const std::string& topic, const std::string& payload);
  Status tick();
  // Asks for what is still missing once a hole has outlived `resend_after`.
  Status check_holes();
  void log_stats();

 private:
  Status park(const std::string& topic, const std::string& payload, const std::string& reason);
  Status on_batch(const sync::TopicAddress& at, const sync::Envelope& envelope, const std::string& topic,
                  const std::string& payload);
  Status on_hello(const sync::TopicAddress& at, const sync::Envelope& envelope);
  void send_ack(const std::string& store, std::int64_t contiguous);
  void ask_resend(const std::string& store, std::int64_t from);
  Status send_orders(std::optional<std::string_view> store);
  void send_rule_pack(const std::string& store, const StoredRulePack& pack);
  // Sends each store the newest pack aimed at it when it runs an older one.
  Status send_rule_packs();
  std::string down(const std::string& store, std::string_view what) const {
    return sync::topic_for(config_.network, store, Direction::down, what);
  }

  const HubConfig& config_;
  HubStore& store_;
  const Clock& clock_;
  sync::MqttLink& link_;
  HubCounters& counters_;
  bool order_signing_failed_ = false;  // said once, not at every tick
  // Per store: the newest pack version this session sent it, so that each is sent once per session
  // (the message is retained on the store's topic: it also gets it when it reconnects).
  std::map<std::string, std::int64_t> pack_sent_;
  std::string pack_fingerprint_;  // the packs and groups the last pass over the stores saw
  Steady::time_point next_pack_pass_{};
  std::map<std::string, Steady::time_point> last_resend_;  // per store: asking too often helps nobody
  // Per store: since when its stream has had a hole. With several replicas a store's batches are
  // stored out of order all the time and another replica usually fills the hole within
  // milliseconds: ask the store again only for a hole that stays.
  struct Hole {
    Steady::time_point since;
    std::int64_t beyond = 0;  // the highest sequence this replica stored past the hole
  };
  std::map<std::string, Hole> holes_;
  Steady::time_point next_tick_{};
  Steady::time_point next_stats_{};
  HubCounts logged_{};
};

Status HubSession::park(const std::string& topic, const std::string& payload, const std::string& reason) {
  ++counters_.parked;
  spdlog::warn("hub: parked a message on {}: {}", topic, reason);
  return store_.park(topic, reason, payload, clock_.now());
}

void HubSession::send_ack(const std::string& store, std::int64_t contiguous) {
  // The hub's clock rides on every ack: the store compares it with its own (`doctor`).
  const auto message = sync::encode_envelope(
      "ack", nlohmann::json{{"acked", contiguous}, {"clock", clock_.now().time_since_epoch().count()}});
  if (auto s = link_.publish(down(store, "ack"), message); !s) spdlog::warn("hub: {}", s.error().message);
}

void HubSession::ask_resend(const std::string& store, std::int64_t from) {
  const auto now = Steady::now();
  auto& last = last_resend_[store];
  if (now - last < config_.resend_after) return;
  last = now;
  ++counters_.resends;
  spdlog::info("hub: store {} has a hole from sequence {}: asking it to send again", store, from);
  const auto message = sync::encode_envelope("resend", nlohmann::json{{"from", from}});
  if (auto s = link_.publish(down(store, "resend"), message); !s) spdlog::warn("hub: {}", s.error().message);
}

void HubSession::send_rule_pack(const std::string& store, const StoredRulePack& stored) {
  pack_sent_[store] = stored.version;
  sync::RulePack pack{config_.network, stored.version, stored.rules, stored.signature};
  if (auto s = link_.publish(down(store, "rules"), sync::encode_rule_pack(pack), true); !s) {
    spdlog::warn("hub: {}", s.error().message);
  }
}

Status HubSession::send_orders(std::optional<std::string_view> store) {
  const auto resend_before = clock_.now() - config_.order_resend;
  auto orders = store_.orders_to_send(resend_before, store);
  if (!orders) return orders.error();
  for (const auto& order : *orders) {
    auto header = order.body;
    header["id"] = order.order_id;
    // Stores apply only orders the hub signed for them (sync/order_signature.hpp).
    if (auto s = sync::sign_hq_order(header, config_.network, order.store, config_.signing_key); !s) {
      if (!order_signing_failed_) {
        spdlog::error("hub: cannot sign orders, none is sent: {}{}", s.error().message,
                      config_.signing_key.empty() ? " ([rules] signing_key is not set)" : "");
      }
      order_signing_failed_ = true;
      return {};
    }
    order_signing_failed_ = false;
    const auto message = sync::encode_envelope("order", std::move(header));
    if (auto s = link_.publish(down(order.store, "order"), message); !s) {
      spdlog::warn("hub: {}", s.error().message);
      continue;
    }
    if (auto s = store_.mark_order_sent(order.store, order.order_id, clock_.now()); !s) return s;
  }
  return {};
}

Status HubSession::on_batch(const sync::TopicAddress& at, const sync::Envelope& envelope,
                            const std::string& topic, const std::string& payload) {
  auto batch = sync::decode_batch(envelope);
  if (!batch) {
    if (auto s = park(topic, payload, batch.error().message); !s) return s;
    // What it carried is still on the store: ask for it again, built anew.
    auto c = store_.contiguous(at.store);
    if (!c) return c.error();
    ask_resend(at.store, *c + 1);
    return {};
  }
  if (batch->store != at.store) {
    return park(topic, payload,
                "the batch says store \"" + batch->store + "\" on store " + at.store + "'s topic");
  }
  auto stored = store_.store_batch(*batch, clock_.now());
  if (!stored) return stored.error();
  ++counters_.batches;
  counters_.records += stored->inserted;
  counters_.duplicates += stored->duplicates;
  if (stored->lost > 0) {
    spdlog::error(
        "hub: store {} had freed {} records this hub acknowledged before and no longer has (was the hub "
        "database restored from a backup?)",
        at.store, stored->lost);
  }
  send_ack(at.store, stored->contiguous);
  if (batch->last > stored->contiguous) {
    auto& hole = holes_.try_emplace(at.store, Hole{Steady::now(), 0}).first->second;
    hole.beyond = std::max(hole.beyond, batch->last);
  } else if (auto hole = holes_.find(at.store);
             hole != holes_.end() && stored->contiguous >= hole->second.beyond) {
    holes_.erase(hole);  // filled up to everything this replica had stored past it
  }
  return {};
}

Status HubSession::check_holes() {
  const auto now = Steady::now();
  for (auto it = holes_.begin(); it != holes_.end();) {
    if (now - it->second.since < config_.resend_after) {
      ++it;
      continue;
    }
    // Still there? Another replica may have filled it (its ack went to the store already).
    auto stored = store_.contiguous(it->first);
    if (!stored) return stored.error();
    if (*stored >= it->second.beyond) {
      it = holes_.erase(it);
      continue;
    }
    ask_resend(it->first, *stored + 1);
    it->second.since = now;
    ++it;
  }
  return {};
}

void HubSession::log_stats() {
  const auto now = Steady::now();
  if (now < next_stats_) return;
  next_stats_ = now + config_.stats_every;
  const auto counts = counters_.snapshot();
  if (counts.batches == logged_.batches && counts.parked == logged_.parked) return;
  spdlog::info(
      "hub: {} batch(es), {} new record(s), {} duplicate(s), {} parked, {} resend request(s) in the last {} "
      "s",
      counts.batches - logged_.batches, counts.records - logged_.records,
      counts.duplicates - logged_.duplicates, counts.parked - logged_.parked,
      counts.resends - logged_.resends, config_.stats_every.count());
  logged_ = counts;
}

Status HubSession::on_hello(const sync::TopicAddress& at, const sync::Envelope& envelope) {
  const auto agent = envelope.header.value("agent", std::string{});
  const auto rules_version = envelope.header.value("rules_version", std::int64_t{0});
  auto row = store_.note_hello(at.store, agent, rules_version, clock_.now());
  if (!row) return row.error();
  spdlog::info("hub: store {} connected (agent {}, acked {}, stored up to {})", at.store, agent,
               envelope.header.value("acked", std::int64_t{0}), row->contiguous);
  // Orders and the rule pack first, the ack last: the store sends nothing up until this ack, and
  // the broker delivers one publisher's messages in order, so an erasure or opt-out waiting here is
  // applied on the store before any of its records leave (docs/protocol.md, "Up: hello").
  if (auto s = send_orders(at.store); !s) return s;
  auto pack = store_.rule_pack_for(at.store);
  if (!pack) return pack.error();
  if (*pack && (*pack)->version > rules_version) {
    send_rule_pack(at.store, **pack);
  } else {
    pack_sent_.erase(at.store);  // it runs what is aimed at it: a later pack is news again
  }
  send_ack(at.store, row->contiguous);
  return {};
}

Status HubSession::handle(const std::string& topic, const std::string& payload) {
  const auto at = sync::parse_topic(topic);
  if (!at || at->direction != Direction::up || at->network != config_.network) {
    return park(topic, payload, "not an up/ topic of network " + config_.network);
  }
  auto envelope = sync::decode_envelope(payload);
  if (!envelope) {
    if (auto s = park(topic, payload, envelope.error().message); !s) return s;
    if (at->what == "batch") {
      auto c = store_.contiguous(at->store);
      if (!c) return c.error();
      ask_resend(at->store, *c + 1);
    }
    return {};
  }
  if (envelope->type != at->what) {
    return park(topic, payload, "a \"" + envelope->type + "\" message on the " + at->what + " topic");
  }
  if (envelope->type == "batch") return on_batch(*at, *envelope, topic, payload);
  if (envelope->type == "hello") return on_hello(*at, *envelope);
  return park(topic, payload, "unknown message type \"" + envelope->type + "\"");
}

Status HubSession::tick() {
  const auto now = Steady::now();
  if (now < next_tick_) return {};
  next_tick_ = now + std::chrono::seconds(1);
  if (auto s = send_orders(std::nullopt); !s) return s;
  return send_rule_packs();
}

Status HubSession::send_rule_packs() {
  // A pass over every store when a pack was published or a store's groups changed (cheap to see:
  // both lists are small), and every 30 s anyway for what another replica's restart may have missed.
  auto packs = store_.rule_pack_list();
  if (!packs) return packs.error();
  auto profiles = store_.store_profiles();
  if (!profiles) return profiles.error();
  std::string fingerprint;
  for (const auto& p : *packs)
    fingerprint += std::to_string(p.version) + "@" + p.target + "\n";
  for (const auto& p : *profiles)
    fingerprint += p.store + "\t" + p.region + "\t" + p.format + "\n";
  const auto now = Steady::now();
  if (fingerprint == pack_fingerprint_ && now < next_pack_pass_) return {};
  pack_fingerprint_ = std::move(fingerprint);
  next_pack_pass_ = now + std::chrono::seconds(30);
  if (packs->empty()) return {};
  std::map<std::string, const StoreProfile*> profile_of;
  for (const auto& p : *profiles)
    profile_of[p.store] = &p;
  auto rows = store_.stores();
  if (!rows) return rows.error();
  for (const auto& row : *rows) {
    const auto p = profile_of.find(row.store);
    const auto* aimed = newest_pack_for(row.store, p != profile_of.end() ? p->second : nullptr, *packs);
    if (aimed == nullptr || aimed->version <= row.rules_version) continue;
    if (auto sent = pack_sent_.find(row.store); sent != pack_sent_.end() && sent->second >= aimed->version)
      continue;
    auto whole = store_.rule_pack(aimed->target, aimed->version);
    if (!whole) return whole.error();
    if (*whole) send_rule_pack(row.store, **whole);
  }
  return {};
}

}  // namespace

Status run_hub(const HubConfig& config, HubStore& store, const Clock& clock, const std::atomic<bool>& stop,
               HubCounters* counters) {
  HubCounters own;
  HubCounters& count = counters != nullptr ? *counters : own;
  sync::LinkOptions options;
  options.url = config.url;
  options.client_id = "regua-hub-" + config.network + "-" + std::to_string(std::random_device{}());
  options.tls = config.tls;
  auto link = sync::MqttLink::create(options);
  if (!link) return link.error();
  HubSession session(config, store, clock, **link, count);
  sync::ReconnectBackoff backoff(std::chrono::milliseconds(500), std::chrono::milliseconds(30'000),
                                 std::chrono::milliseconds(0), std::random_device{}());
  const auto filter = sync::hub_filter(config.network, config.share_group);
  bool connected = false;
  auto next_attempt = Steady::now();
  while (!stop) {
    if (!connected && Steady::now() >= next_attempt) {
      auto s = (*link)->connect();
      if (s) {
        auto code = (*link)->subscribe(filter);
        if (!code) {
          s = code.error();
        } else if (*code >= 0x80) {
          s = make_error(ErrorKind::config, "the broker refused the subscription to " + filter +
                                                " (reason code " + std::to_string(*code) +
                                                "): check the hub certificate and the ACL");
        }
      }
      if (s) {
        connected = true;
        backoff.reset();
        spdlog::info("hub: consuming {} from {}", filter, config.url);
      } else {
        (*link)->disconnect();
        const auto delay = backoff.next_delay();
        next_attempt = Steady::now() + delay;
        spdlog::warn("hub: {}; trying again in {:.1f} s", s.error().message,
                     static_cast<double>(delay.count()) / 1000);
      }
    }
    if (connected) {
      if (auto s = session.tick(); !s) return s;
      if (auto s = session.check_holes(); !s) return s;
    }
    session.log_stats();
    auto event = (*link)->next_event(std::chrono::milliseconds(200));
    while (event) {
      if (event->kind == sync::LinkEvent::Kind::lost) {
        if (connected) {
          connected = false;
          (*link)->disconnect();
          const auto delay = backoff.next_delay();
          next_attempt = Steady::now() + delay;
          spdlog::warn("hub: connection lost ({}); trying again in {:.1f} s", event->cause,
                       static_cast<double>(delay.count()) / 1000);
        }
      } else if (auto s = session.handle(event->topic, event->payload); !s) {
        return s;
      }
      event = (*link)->next_event(std::chrono::milliseconds(0));
    }
  }
  (*link)->disconnect();
  return {};
}

}  // namespace regua::hub
