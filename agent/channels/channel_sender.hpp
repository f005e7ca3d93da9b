#pragma once
// Sends the ledger's message intents through the configured channels, on its own thread with its
// own ledger connection, so that a provider call (hundreds of milliseconds, or a timeout) never
// holds up ingest or the rule engine on the agent's loop. At most [channels] concurrency calls are
// in flight at once, driven by one libcurl multi handle.
//
// Every attempt follows the state machine of local/scheduler/messages.hpp:
//   1. the send-time check (local/scheduler/send_check.hpp) and the claim (intent -> sending) are
//      one transaction committed with a full sync, before the provider is called;
//   2. the provider's answer is recorded: sent, failed, an intent to retry later (backoff from
//      [channels] retry_delay_seconds, doubling, at most 15 minutes, or the provider's Retry-After),
//      or unknown;
//   3. at start-up, what a crash left in `sending` becomes unknown (or is retried with its
//      idempotency key), before anything else is sent.
// The `file` channel runs on the same thread (file_channel.hpp has its own once-only scheme).
// Stopping waits a few seconds for the calls in flight; one cut short is unknown if its request
// had started to leave, else it goes back to being an intent.

#include <memory>
#include <string>

#include "agent/config/config.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/rules/store_zone.hpp"

namespace regua {

class ChannelSender {
 public:
  // `zone` (the store's, for the file outbox's times) must outlive the sender.
  static Result<std::unique_ptr<ChannelSender>> start(const AgentConfig& config, const Clock& clock,
                                                      const StoreZone& zone);
  ~ChannelSender();
  ChannelSender(const ChannelSender&) = delete;
  ChannelSender& operator=(const ChannelSender&) = delete;

  // New intents were committed: look now. Safe from any thread.
  void wake();
  // "sms via twilio, whatsapp to the file outbox /x/outbox.jsonl, email via smtp"
  [[nodiscard]] const std::string& description() const;

  struct Impl;

 private:
  explicit ChannelSender(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace regua
