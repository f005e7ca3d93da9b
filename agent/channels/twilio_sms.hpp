#pragma once
// SMS through Twilio's Messages API: a form-encoded POST to
// {base_url}/2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP basic authentication
// (Account SID, Auth Token). 201 with the message's "sid" is sent; errors come as JSON
// {"code", "message", "more_info", "status"}: 429 / code 20429 (too many requests) and 5xx are
// retried, any other 4xx (21211 an invalid 'To', 21610 the number opted out at Twilio, ...) fails
// at once with Twilio's words. Twilio's Messages API documents no idempotency key, so an attempt
// that may have arrived is never repeated. With [channels] callback_url set, each message asks for
// status callbacks at {callback_url}/api/v1/channels/twilio/status?ref=<ref> (receipts).

#include "agent/channels/provider.hpp"

namespace regua {

class TwilioSms final : public Provider {
 public:
  TwilioSms(TwilioOptions options, std::string callback_url, TransferSettings settings)
      : options_(std::move(options)),
        callback_url_(std::move(callback_url)),
        settings_(std::move(settings)) {}

  [[nodiscard]] ProviderKind kind() const override { return ProviderKind::twilio; }
  Result<std::unique_ptr<Transfer>> request(const OutgoingMessage& message,
                                            const AttemptContext& context) const override;
  [[nodiscard]] SendOutcome outcome(const TransferReply& reply) const override;

 private:
  TwilioOptions options_;
  std::string callback_url_;
  TransferSettings settings_;
};

}  // namespace regua
