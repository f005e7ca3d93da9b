#include "sync/sync_service.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "local/ledger/outbox.hpp"
#include "sync/backoff.hpp"
#include "sync/inbox.hpp"
#include "sync/outbox_age.hpp"
#include "sync/protocol/envelope.hpp"
#include "sync/protocol/topics.hpp"
#include "sync/record_builder.hpp"
#include "sync/rule_pack.hpp"

namespace regua::sync {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kKpiDayKey = "sync.kpi_day";
constexpr auto kHousekeepingEvery = std::chrono::seconds(30);

Status put_info(sqlite::Db& db, std::string_view key, std::string_view value) {
  auto stmt = db.prepare(
      "INSERT INTO ledger_info (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = "
      "excluded.value");
  if (!stmt) return stmt.error();
  stmt->bind(1, key).bind(2, value);
  return stmt->run();
}

Status drop_info(sqlite::Db& db, std::string_view key) {
  auto stmt = db.prepare("DELETE FROM ledger_info WHERE key = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, key);
  return stmt->run();
}

}  // namespace

struct SyncService::Impl {
  Impl(SyncSettings s, Ledger l, const Clock& c, const StoreZone& z)
      : settings(std::move(s)),
        ledger(std::move(l)),
        clock(c),
        zone(z),
        backoff(settings.reconnect_min, settings.reconnect_max, settings.initial_spread,
                std::random_device{}()) {}

  void run(SyncService& owner);
  void connect(SyncService& owner);
  void lose(SyncService& owner, const std::string& why);
  Status housekeeping();
  Status enqueue_kpi_days();
  void write_link_state(const std::string& state, const std::string& error = {});

  SyncSettings settings;
  Ledger ledger;
  const Clock& clock;
  const StoreZone& zone;
  std::unique_ptr<RecordBuilder> builder;
  std::unique_ptr<OutboxPublisher> publisher;
  std::unique_ptr<Inbox> inbox;
  std::unique_ptr<MqttLink> link;
  ReconnectBackoff backoff;
  std::atomic<bool> stopping{false};
  bool connected = false;
  Steady::time_point next_attempt{};
  Steady::time_point next_housekeeping{};
  Steady::time_point next_heartbeat{};
  std::string last_state;
  std::string last_error;
  std::int64_t connects = 0;
  std::int64_t stuck_resets = 0;
};

void SyncService::Impl::write_link_state(const std::string& state, const std::string& error) {
  nlohmann::json j{{"state", state},
                   {"since", clock.now().time_since_epoch().count()},
                   {"broker", settings.url},
                   {"connects", connects},
                   {"stuck_resets", stuck_resets}};
  // While it retries, the last failure stays visible (`status` shows why the link is down).
  if (!error.empty()) last_error = error;
  if (state == "connected") last_error.clear();
  if (!last_error.empty()) j["error"] = last_error;
  last_state = state;
  if (auto s = put_info(ledger.db(), kSyncLinkKey, j.dump()); !s) {
    spdlog::warn("sync: cannot record the link state: {}", s.error().message);
  }
}

void SyncService::Impl::lose(SyncService& owner, const std::string& why) {
  link->disconnect();
  connected = false;
  owner.connected_ = false;
  const auto delay = backoff.next_delay();
  next_attempt = Steady::now() + delay;
  spdlog::warn("sync: {}; trying again in {:.1f} s", why, static_cast<double>(delay.count()) / 1000.0);
  write_link_state("waiting", why);
}

void SyncService::Impl::connect(SyncService& owner) {
  write_link_state("connecting");
  auto s = link->connect();
  if (s) {
    const auto down = store_filter(settings.network, settings.store, Direction::down);
    auto code = link->subscribe(down);
    if (!code) {
      s = code.error();
    } else if (*code >= 0x80) {
      s = make_error(ErrorKind::config, "the broker refused the subscription to " + down + " (reason code " +
                                            std::to_string(*code) +
                                            "): check the store certificate's CN and the broker's ACL");
    }
  }
  if (s) {
    s = publisher->start_session();
    publisher->hold_until_acked();
  }
  if (s) {
    auto ack = outbox_ack(ledger.db());
    auto pack = latest_rule_pack(ledger.db());
    nlohmann::json hello{{"store", settings.store},
                         {"acked", ack ? ack->seq : 0},
                         {"rules_version", pack && *pack ? (*pack)->version : 0},
                         {"agent", REGUA_VERSION}};
    s = link->publish(topic_for(settings.network, settings.store, Direction::up, "hello"),
                      encode_envelope("hello", std::move(hello)));
  }
  if (!s) {
    lose(owner, s.error().message);
    return;
  }
  ++connects;
  connected = true;
  owner.connected_ = true;
  backoff.reset();
  spdlog::info("sync: connected to {} as {}/{}", settings.url, settings.network, settings.store);
  write_link_state("connected");
}

Status SyncService::Impl::enqueue_kpi_days() {
  auto& db = ledger.db();
  const auto today = zone.day(clock.now());
  auto last = db.query_int("SELECT coalesce((SELECT CAST(value AS INTEGER) FROM ledger_info WHERE key = '" +
                           std::string(kKpiDayKey) + "'), -1)");
  if (!last) return last.error();
  // The first time, only yesterday; after days off, each missed day (a week at most).
  auto first = *last < 0 ? today - 1 : std::max(*last + 1, today - 7);
  if (first > today - 1) return {};
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  for (auto day = first; day <= today - 1; ++day) {
    if (auto s = enqueue_outbox(db, OutboxKind::kpi_day, day); !s) return s;
  }
  if (auto s = put_info(db, kKpiDayKey, std::to_string(today - 1)); !s) return s;
  return txn->commit();
}

Status SyncService::Impl::housekeeping() {
  auto& db = ledger.db();
  if (auto s = enqueue_kpi_days(); !s) return s;
  auto trim = enforce_outbox_bounds(db, settings.outbox_max_records);
  if (!trim) return trim.error();
  if (trim->coalesced > 0 || trim->dropped > 0) {
    spdlog::warn(
        "sync: the outbox was over its limit of {} records: {} superseded and {} droppable records removed",
        settings.outbox_max_records, trim->coalesced, trim->dropped);
  }
  if (auto s = mark_outbox_time(db, clock.now()); !s) return s;
  if (trim->over_limit) {
    const auto alarm = std::to_string(trim->waiting) + " records wait for the hub, over the limit of " +
                       std::to_string(settings.outbox_max_records) +
                       "; sales and erasures are kept (ingest goes on): reconnect the store to its hub";
    spdlog::error("sync: {}", alarm);
    if (auto s = put_info(db, kSyncAlarmKey, alarm); !s) return s;
  } else if (auto s = drop_info(db, kSyncAlarmKey); !s) {
    return s;
  }
  // While connected and caught up, the hub is current: say so (status shows no lag).
  if (connected && publisher->in_flight() == 0) {
    auto depth = outbox_depth(db);
    if (!depth) return depth.error();
    if (depth->waiting == 0) {
      if (auto s = put_info(db, "sync.acked_at", std::to_string(clock.now().time_since_epoch().count())); !s)
        return s;
    }
  }
  return {};
}

void SyncService::Impl::run(SyncService& owner) {
  next_attempt = Steady::now() + backoff.initial_delay();
  next_housekeeping = Steady::now();
  next_heartbeat = Steady::now();
  write_link_state("waiting");
  const auto up_batch = topic_for(settings.network, settings.store, Direction::up, "batch");
  while (!stopping) {
    const auto now = Steady::now();
    if (now >= next_housekeeping) {
      if (auto s = housekeeping(); !s) spdlog::error("sync: {}", s.error().message);
      next_housekeeping = now + kHousekeepingEvery;
    }
    if (now >= next_heartbeat) {
      if (auto s = enqueue_outbox(ledger.db(), OutboxKind::heartbeat, 0); !s)
        spdlog::error("sync: {}", s.error().message);
      next_heartbeat = now + settings.heartbeat_every;
    }
    if (!connected && now >= next_attempt) connect(owner);
    if (connected) {
      auto sent =
          publisher->pump([&](const std::string& payload) { return link->publish(up_batch, payload); });
      if (!sent) {
        lose(owner, sent.error().message);
      } else if (publisher->stuck(Steady::now())) {
        ++stuck_resets;
        lose(owner,
             "no ack from the hub for " + std::to_string(settings.limits.ack_timeout.count() / 1000) +
                 " s while batches are out or the hello waits for its answer: resetting the connection");
      }
    }
    auto wait = settings.poll;
    if (!connected)
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(next_attempt - Steady::now()));
    auto event = link->next_event(std::max(wait, milliseconds(1)));
    while (event) {
      if (event->kind == LinkEvent::Kind::lost) {
        if (connected) lose(owner, "connection lost: " + event->cause);
      } else if (auto s = inbox->handle(event->topic, event->payload); !s) {
        spdlog::error("sync: {}", s.error().message);
      }
      owner.acked_ = publisher->acked();
      event = link->next_event(milliseconds(0));
    }
  }
  link->disconnect();
  owner.connected_ = false;
  write_link_state("stopped");
  // What bench/sync reads to report bytes per record; useful in any support log too.
  spdlog::info("sync: stopped; sent {} record(s) in {} byte(s) of batches since start, acked up to {}",
               publisher->records_sent(), publisher->bytes_sent(), publisher->acked());
}

SyncService::SyncService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SyncService::~SyncService() {
  stop();
}

Result<std::unique_ptr<SyncService>> SyncService::start(SyncSettings settings,
                                                        const LedgerOptions& ledger_options,
                                                        const Clock& clock, const StoreZone& zone,
                                                        std::function<void(std::int64_t)> on_rules_applied,
                                                        RulePackCheck check_rules) {
  LedgerOptions options = ledger_options;
  options.check_integrity = false;  // the agent checked it a moment ago
  auto ledger = Ledger::open(options, clock);
  if (!ledger) return ledger.error().within("sync");
  auto impl = std::make_unique<Impl>(std::move(settings), std::move(*ledger), clock, zone);
  auto& s = impl->settings;
  auto builder = RecordBuilder::create(impl->ledger.db(), s.pii, zone);
  if (!builder) return builder.error();
  impl->builder = std::move(*builder);
  impl->publisher =
      std::make_unique<OutboxPublisher>(impl->ledger.db(), *impl->builder, s.store, s.limits, clock);
  if (auto st = impl->publisher->start_session(); !st) return st.error();
  impl->inbox = std::make_unique<Inbox>(impl->ledger.db(), *impl->publisher,
                                        InboxSettings{s.network, s.store, s.rules_public_key}, clock);
  impl->inbox->on_rules_applied = std::move(on_rules_applied);
  impl->inbox->check_rules = std::move(check_rules);
  LinkOptions link;
  link.url = s.url;
  link.client_id = "regua-store-" + s.network + "-" + s.store;
  link.tls = s.tls;
  link.keep_alive = s.keep_alive;
  auto made = MqttLink::create(std::move(link));
  if (!made) return made.error();
  impl->link = std::move(*made);
  std::unique_ptr<SyncService> service(new SyncService(std::move(impl)));
  service->acked_ = service->impl_->publisher->acked();
  service->thread_ = std::thread([svc = service.get()] { svc->impl_->run(*svc); });
  return service;
}

void SyncService::stop() {
  if (!thread_.joinable()) return;
  impl_->stopping = true;
  impl_->link->wake();
  thread_.join();
}

SyncService::SentTotals SyncService::sent_totals() const {
  const auto& p = *impl_->publisher;
  return SentTotals{p.records_sent(), p.bytes_sent(), p.batches_sent()};
}

void SyncService::wake() {
  impl_->link->wake();
}

}  // namespace regua::sync
