#pragma once
// A message provider (Twilio, WhatsApp Cloud, a webhook, SMTP): builds the request for one attempt
// at a message and reads the reply into an outcome, as the provider's documentation says to. The
// sender (channel_sender.hpp) drives the requests, records the outcomes and retries.
//
// Outcomes (docs/channels.md has each provider's table):
//   sent     the provider took the message (with its id for the message when it gives one);
//   retry    the provider documents the failure as temporary (429, 5xx, a rate-limit code) or the
//            request never left the machine (no connection, a refused certificate);
//   failed   the provider refused this message for good (an invalid number, a 4xx) with its reason;
//   unknown  the request may have reached the provider but no answer came: never resent, unless
//            the provider honours an idempotency key (then the retry carries the same key).

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/channels/curl_transfer.hpp"
#include "agent/config/channels_options.hpp"
#include "local/core/result.hpp"
#include "local/scheduler/messages.hpp"

namespace regua {

enum class SendResult { sent, retry, failed, unknown };

struct SendOutcome {
  SendResult result = SendResult::unknown;
  std::optional<std::string> provider_id;
  std::string reason;  // for people: what the provider said, and what to do
  std::optional<std::chrono::seconds> retry_after;
};

// What an attempt needs besides the message.
struct AttemptContext {
  std::string ref;                             // "<store>-<id>": our name for the message, everywhere
  std::optional<std::string> idempotency_key;  // set when the provider honours one
  Seconds now{};
};

class Provider {
 public:
  virtual ~Provider() = default;
  [[nodiscard]] virtual ProviderKind kind() const = 0;
  [[nodiscard]] std::string_view name() const { return provider_name(kind()); }
  // Whether the provider dedupes requests by an idempotency key, so that an attempt interrupted
  // after it left may be repeated with the same key.
  [[nodiscard]] virtual bool idempotent() const { return false; }
  // The request of one attempt. An error means this provider can never send the message.
  virtual Result<std::unique_ptr<Transfer>> request(const OutgoingMessage& message,
                                                    const AttemptContext& context) const = 0;
  [[nodiscard]] virtual SendOutcome outcome(const TransferReply& reply) const = 0;
};

// The outcome of a transfer that got no reply from the server: safe to retry when the request
// never started, unknown when it may have arrived. `provider` names it in the reason.
SendOutcome outcome_without_reply(const TransferReply& reply, std::string_view provider);

// The first `limit` bytes of a provider's reply, on one line, for a reason.
std::string reply_excerpt(std::string_view body, std::size_t limit = 300);

}  // namespace regua
