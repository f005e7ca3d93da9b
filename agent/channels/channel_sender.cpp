#include "agent/channels/channel_sender.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include <spdlog/spdlog.h>

#include "agent/channels/file_channel.hpp"
#include "agent/channels/provider.hpp"
#include "agent/channels/smtp_email.hpp"
#include "agent/channels/twilio_sms.hpp"
#include "agent/channels/webhook_channel.hpp"
#include "agent/channels/whatsapp_cloud.hpp"
#include "local/ledger/durable_commits.hpp"
#include "local/ledger/ledger.hpp"
#include "local/scheduler/send_check.hpp"

namespace regua {
namespace {

using SteadyClock = std::chrono::steady_clock;

// A call cut short by a stop is unknown when its request had started: wait this long for answers.
constexpr std::chrono::seconds kStopGrace{10};
// After a failure of the ledger or the outbox file: try again this soon.
constexpr std::chrono::seconds kSenderRetry{5};
// Even with nothing to do, look at the ledger this often (intents are normally announced by wake()).
constexpr std::chrono::seconds kSenderIdleLook{60};
constexpr std::chrono::minutes kLongestBackoff{15};
constexpr std::chrono::hours kLongestRetryAfter{1};

std::unique_ptr<Provider> make_provider(ProviderKind kind, const ChannelsConfig& c,
                                        const TransferSettings& t) {
  switch (kind) {
    case ProviderKind::twilio:
      return std::make_unique<TwilioSms>(c.twilio, c.callback_url, t);
    case ProviderKind::whatsapp_cloud:
      return std::make_unique<WhatsappCloud>(c.whatsapp_cloud, t);
    case ProviderKind::webhook:
      return std::make_unique<WebhookChannel>(c.webhook, t);
    case ProviderKind::smtp:
      return std::make_unique<SmtpEmail>(c.smtp, t);
    case ProviderKind::file:
      break;
  }
  return nullptr;
}

std::chrono::seconds backoff_after(const ChannelsConfig& c, int attempts_made,
                                   std::optional<std::chrono::seconds> retry_after) {
  if (retry_after && *retry_after > std::chrono::seconds{0})
    return std::min<std::chrono::seconds>(*retry_after, kLongestRetryAfter);
  auto delay = c.retry_delay;
  for (int i = 1; i < attempts_made && delay < kLongestBackoff; ++i)
    delay *= 2;
  return std::min<std::chrono::seconds>(delay, kLongestBackoff);
}

}  // namespace

struct ChannelSender::Impl {
  struct InFlight {
    OutgoingMessage message;
    std::unique_ptr<Transfer> transfer;
    const Provider* provider = nullptr;
    AttemptContext context;
  };

  Impl(const AgentConfig& config, const Clock& k, Ledger l, const StoreZone& zone)
      : channels(config.channels),
        store_id(config.store.id),
        clock(k),
        ledger(std::move(l)),
        file(config.channels.file.path, zone) {}
  ~Impl() {
    if (multi != nullptr) curl_multi_cleanup(multi);
  }

  void run();
  void deliver_file();
  void start_attempts();
  int collect_done();  // returns how many calls ended
  void settle(InFlight& f, SendOutcome outcome);
  void abort_in_flight();
  // After a failure of the ledger or the outbox file: log it, and look again in a few seconds.
  void hold_after(std::string_view what, const Error& error);
  [[nodiscard]] int wait_ms(bool stopping_now);
  [[nodiscard]] const Provider* provider_for(std::string_view channel) const;

  ChannelsConfig channels;
  std::string store_id;
  const Clock& clock;
  Ledger ledger;
  FileChannel file;
  std::map<ProviderKind, std::unique_ptr<Provider>> providers;
  std::vector<std::string> file_channels, network_channels;
  CURLM* multi = nullptr;
  std::map<CURL*, InFlight> in_flight;
  bool more_ready = false;                            // the last look found more than the free slots
  std::optional<SteadyClock::time_point> held_until;  // after a ledger or file failure
  std::string description;
  std::atomic<bool> stopping{false};
  std::thread thread;
};

const Provider* ChannelSender::Impl::provider_for(std::string_view channel) const {
  const auto it = providers.find(channels.provider_of(channel));
  return it == providers.end() ? nullptr : it->second.get();
}

void ChannelSender::Impl::hold_after(std::string_view what, const Error& error) {
  spdlog::error("{}: {}; trying again in {} s", what, error.message, kSenderRetry.count());
  held_until = SteadyClock::now() + kSenderRetry;
}

void ChannelSender::Impl::deliver_file() {
  if (file_channels.empty()) return;
  auto written = file.deliver(ledger, file_channels);
  if (!written) return hold_after("file channel", written.error());
  if (*written > 0) spdlog::info("file channel: {} message(s) written to {}", *written, file.path().string());
}

void ChannelSender::Impl::start_attempts() {
  const int free = channels.concurrency - static_cast<int>(in_flight.size());
  if (free <= 0 || network_channels.empty()) return;
  more_ready = false;
  const Seconds now = clock.now();
  auto ready = messages_ready(ledger.db(), now, network_channels, free);
  if (!ready) return hold_after("channels", ready.error());
  if (ready->empty()) return;
  more_ready = static_cast<int>(ready->size()) == free;

  // The check and the claim in one transaction, on the disk before any provider hears of them.
  std::vector<InFlight> claimed;
  {
    DurableCommits durable(ledger);
    if (!durable.status()) return hold_after("channels", durable.status().error());
    auto txn = sqlite::Transaction::begin(ledger.db());
    if (!txn) return hold_after("channels", txn.error());
    for (auto& m : *ready) {
      const Provider* provider = provider_for(m.channel);
      auto refusal = check_before_send(ledger.db(), m);
      Status s;
      if (!refusal) {
        s = refusal.error();
      } else if (*refusal) {
        s = cancel_message(ledger.db(), m, (*refusal)->code, (*refusal)->detail, now);
        if (s) spdlog::info("channels: message {} not sent: {}", m.id, (*refusal)->detail);
      } else {
        InFlight f;
        f.provider = provider;
        f.context.ref = store_id + "-" + std::to_string(m.id);
        f.context.now = now;
        if (provider->idempotent()) f.context.idempotency_key = m.idempotency_key.value_or(f.context.ref);
        auto began = begin_attempt(ledger.db(), m.id, provider->name(), f.context.idempotency_key, now);
        if (!began) {
          s = began.error();
        } else if (*began) {
          ++m.attempts;
          f.message = std::move(m);
          claimed.push_back(std::move(f));
        }
      }
      if (!s) return hold_after("channels", s.error());  // rolled back: nothing was claimed
    }
    if (auto s = txn->commit(); !s) return hold_after("channels", s.error());
  }

  for (auto& f : claimed) {
    auto transfer = f.provider->request(f.message, f.context);
    if (!transfer) {
      SendOutcome never;
      never.result = SendResult::failed;
      never.reason = std::string(f.provider->name()) + " cannot send it: " + transfer.error().message;
      settle(f, std::move(never));
      continue;
    }
    f.transfer = std::move(*transfer);
    CURL* easy = f.transfer->handle();
    if (const CURLMcode code = curl_multi_add_handle(multi, easy); code != CURLM_OK) {
      SendOutcome never;
      never.result = SendResult::retry;
      never.reason = std::string("libcurl cannot start the call: ") + curl_multi_strerror(code);
      settle(f, std::move(never));
      continue;
    }
    spdlog::debug("channels: message {} ({}) going to {} (attempt {})", f.message.id, f.message.channel,
                  f.provider->name(), f.message.attempts);
    in_flight.emplace(easy, std::move(f));
  }
}

void ChannelSender::Impl::settle(InFlight& f, SendOutcome outcome) {
  const auto& m = f.message;
  const Seconds now = clock.now();
  const std::string_view via = f.provider->name();
  Status s;
  auto txn = sqlite::Transaction::begin(ledger.db());
  if (!txn) {
    s = txn.error();
  } else {
    switch (outcome.result) {
      case SendResult::sent:
        s = record_sent(ledger.db(), m.id, outcome.provider_id, now);
        if (s) {
          spdlog::info("channels: message {} ({}) sent via {}{}", m.id, m.channel, via,
                       outcome.provider_id ? " as " + *outcome.provider_id : std::string());
        }
        break;
      case SendResult::failed:
        s = record_failed(ledger.db(), m.id, outcome.reason);
        if (s) spdlog::warn("channels: message {} ({}) failed: {}", m.id, m.channel, outcome.reason);
        break;
      case SendResult::unknown:
        if (!f.context.idempotency_key) {
          s = record_unknown(ledger.db(), m.id, outcome.reason);
          if (s) {
            spdlog::warn("channels: message {} ({}) is unknown, never sent again: {}", m.id, m.channel,
                         outcome.reason);
          }
          break;
        }
        outcome.reason += "; repeated with the same idempotency key";
        [[fallthrough]];
      case SendResult::retry:
        if (m.attempts >= channels.max_attempts) {
          const std::string why =
              "gave up after " + std::to_string(m.attempts) + " attempt(s); the last: " + outcome.reason;
          s = record_failed(ledger.db(), m.id, why);
          if (s) spdlog::warn("channels: message {} ({}) failed: {}", m.id, m.channel, why);
        } else {
          const auto delay = backoff_after(channels, m.attempts, outcome.retry_after);
          s = record_retry(ledger.db(), m.id, outcome.reason, now + delay);
          if (s) {
            spdlog::warn("channels: message {} ({}) will be tried again in {} s: {}", m.id, m.channel,
                         delay.count(), outcome.reason);
          }
        }
        break;
    }
    if (s) s = txn->commit();
  }
  if (!s) {
    // The attempt stays `sending`: the next start makes it unknown, which is the safe side.
    spdlog::error("channels: cannot record the outcome of message {} ({}): {}", m.id, outcome.reason,
                  s.error().message);
  }
}

int ChannelSender::Impl::collect_done() {
  int ended = 0;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    curl_multi_remove_handle(multi, easy);
    auto it = in_flight.find(easy);
    if (it == in_flight.end()) continue;
    InFlight f = std::move(it->second);
    in_flight.erase(it);
    f.transfer->finish(code);
    settle(f, f.provider->outcome(f.transfer->reply()));
    ++ended;
  }
  return ended;
}

void ChannelSender::Impl::abort_in_flight() {
  for (auto& [easy, f] : in_flight) {
    curl_multi_remove_handle(multi, easy);
    SendOutcome cut;
    if (f.transfer->reply().request_started) {
      cut.result = SendResult::unknown;
      cut.reason =
          "the agent stopped while the provider was being called: it may or may not have the message";
    } else {
      cut.result = SendResult::retry;
      cut.reason = "the agent stopped before the request left";
      --f.message.attempts;  // it did not count
    }
    settle(f, std::move(cut));
  }
  in_flight.clear();
}

int ChannelSender::Impl::wait_ms(bool stopping_now) {
  if (stopping_now) return 100;
  if (held_until) {
    const auto left = *held_until - SteadyClock::now();
    if (left > std::chrono::milliseconds{0})
      return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(left).count()) + 1;
    held_until.reset();
    return 0;
  }
  if (more_ready && static_cast<int>(in_flight.size()) < channels.concurrency) return 0;
  if (!in_flight.empty()) return 1000;
  std::chrono::seconds wait = kSenderIdleLook;
  if (!network_channels.empty()) {
    auto next = next_attempt_due(ledger.db(), network_channels);
    if (next && *next) {
      wait = std::clamp<std::chrono::seconds>(**next - clock.now(), std::chrono::seconds{0}, kSenderIdleLook);
    }
  }
  return static_cast<int>(wait.count() * 1000) + (wait.count() > 0 ? 10 : 0);
}

void ChannelSender::Impl::run() {
  std::optional<SteadyClock::time_point> grace_end;
  for (;;) {
    const bool stopping_now = stopping.load();
    if (stopping_now && !grace_end) grace_end = SteadyClock::now() + kStopGrace;
    if (!stopping_now && !held_until) {
      deliver_file();
      if (!held_until) start_attempts();
    }
    if (stopping_now && in_flight.empty()) return;
    int running = 0;
    curl_multi_perform(multi, &running);
    const int ended = collect_done();
    if (stopping_now && in_flight.empty()) return;
    if (stopping_now && SteadyClock::now() >= *grace_end) {
      abort_in_flight();
      return;
    }
    // A call that ended freed a slot: the next message may go at once.
    const int wait = ended > 0 && !stopping_now ? 0 : wait_ms(stopping_now);
    if (wait > 0) curl_multi_poll(multi, nullptr, 0, wait, nullptr);
  }
}

Result<std::unique_ptr<ChannelSender>> ChannelSender::start(const AgentConfig& config, const Clock& clock,
                                                            const StoreZone& zone) {
  if (auto s = init_curl(); !s) return s.error();
  // Its own connection: the agent's loop writes through another, SQLite serialises the two.
  auto ledger = Ledger::open(LedgerOptions{config.ledger.path, config.store.id, false, false}, clock);
  if (!ledger) return ledger.error();
  auto impl = std::make_unique<Impl>(config, clock, std::move(*ledger), zone);

  auto recovered = recover_interrupted_sends(impl->ledger.db());
  if (!recovered) return recovered.error().within("recovering the sends a stop interrupted");
  if (recovered->unknown > 0) {
    spdlog::warn(
        "channels: {} message(s) were being sent when the agent stopped; they are marked unknown and not "
        "sent "
        "again (a duplicate is worse than a missing message)",
        recovered->unknown);
  }
  if (recovered->retried > 0) {
    spdlog::info("channels: {} interrupted message(s) will be sent again with their idempotency key",
                 recovered->retried);
  }

  const TransferSettings settings{config.channels.ca_file, config.channels.timeout, std::chrono::seconds{10}};
  for (const std::string channel : {"sms", "whatsapp", "email"}) {
    const ProviderKind kind = config.channels.provider_of(channel);
    if (kind == ProviderKind::file) {
      impl->file_channels.push_back(channel);
      continue;
    }
    impl->network_channels.push_back(channel);
    if (!impl->providers.contains(kind))
      impl->providers[kind] = make_provider(kind, config.channels, settings);
    impl->description +=
        (impl->description.empty() ? "" : ", ") + channel + " via " + std::string(provider_name(kind));
  }
  if (!impl->file_channels.empty()) {
    std::string names;
    for (std::size_t i = 0; i < impl->file_channels.size(); ++i)
      names += (i == 0 ? "" : i + 1 == impl->file_channels.size() ? " and " : ", ") + impl->file_channels[i];
    impl->description += (impl->description.empty() ? "" : ", ") + names + " to the file outbox " +
                         config.channels.file.path.string();
  }
  impl->multi = curl_multi_init();
  if (impl->multi == nullptr) return make_error(ErrorKind::internal, "libcurl cannot start (out of memory?)");
  curl_multi_setopt(impl->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                    static_cast<long>(config.channels.concurrency));

  std::unique_ptr<ChannelSender> sender(new ChannelSender(std::move(impl)));
  sender->impl_->thread = std::thread([impl = sender->impl_.get()] { impl->run(); });
  return sender;
}

ChannelSender::ChannelSender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ChannelSender::~ChannelSender() {
  impl_->stopping = true;
  wake();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void ChannelSender::wake() {
  if (impl_->multi != nullptr) curl_multi_wakeup(impl_->multi);
}

const std::string& ChannelSender::description() const {
  return impl_->description;
}

}  // namespace regua
