#pragma once
// The store's sync (`regua-agent run` with a [sync] section): a thread of its own with its own
// connection to the ledger, so that it never blocks ingest. It connects to the broker (TLS, the CA
// pinned, the store's client certificate), drains the outbox to the hub (sync/outbox_publisher.hpp),
// takes the downlink (sync/inbox.hpp), adds a heartbeat and the daily KPI roll-ups to the outbox,
// keeps the outbox within its bounds, and reconnects with exponential backoff and full jitter.
// What it is doing is written to the ledger (ledger_info "sync.*") for `status` and `doctor`.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/ledger.hpp"
#include "local/rules/store_zone.hpp"
#include "sync/mqtt_link.hpp"
#include "sync/outbox_publisher.hpp"
#include "sync/pii.hpp"
#include "sync/rule_pack.hpp"

namespace regua::sync {

struct SyncSettings {
  std::string url;  // ssl://host:port
  std::string network;
  std::string store;
  TlsFiles tls;
  PiiSettings pii;
  std::filesystem::path rules_public_key;  // HQ's Ed25519 public key (PEM), pinned
  PublisherLimits limits;
  std::int64_t outbox_max_records = 5'000'000;
  std::chrono::milliseconds reconnect_min{1'000};
  std::chrono::milliseconds reconnect_max{300'000};
  std::chrono::milliseconds initial_spread{10'000};
  std::chrono::seconds heartbeat_every{60};
  std::chrono::seconds keep_alive{20};
  std::chrono::milliseconds poll{250};
};

// The ledger_info keys the sync writes (docs/ledger.md).
inline constexpr std::string_view kSyncLinkKey = "sync.link";    // JSON: state, since, broker, error, ...
inline constexpr std::string_view kSyncAlarmKey = "sync.alarm";  // the outbox is over its limit: why

class SyncService {
 public:
  // Opens its own connection to the ledger (`ledger` as the agent opened it) and starts the thread.
  // `on_rules_applied` (may be empty) is called on the sync thread when a new rule pack is applied;
  // `check_rules` (may be empty), on the sync thread too, says whether the store can run a pack.
  static Result<std::unique_ptr<SyncService>> start(SyncSettings settings, const LedgerOptions& ledger,
                                                    const Clock& clock, const StoreZone& zone,
                                                    std::function<void(std::int64_t)> on_rules_applied = {},
                                                    RulePackCheck check_rules = {});
  ~SyncService();
  SyncService(const SyncService&) = delete;
  SyncService& operator=(const SyncService&) = delete;

  // Asks the thread to stop and waits for it (a second or so).
  void stop();
  // New rows may wait in the outbox: look now rather than at the next poll (from any thread).
  void wake();

  [[nodiscard]] bool connected() const { return connected_.load(); }
  [[nodiscard]] std::int64_t acked() const { return acked_.load(); }

  // What the thread sent since start (a resend counts again); read it after stop(). For bench/hub.
  struct SentTotals {
    std::int64_t records = 0, bytes = 0, batches = 0;
  };
  [[nodiscard]] SentTotals sent_totals() const;

 private:
  struct Impl;
  explicit SyncService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<bool> connected_{false};
  std::atomic<std::int64_t> acked_{0};
};

}  // namespace regua::sync
