#pragma once
// The `webhook` channel: an HTTPS POST of a JSON body (the store's template, webhook_body.hpp) to
// the store's own gateway, for any SMS / WhatsApp / e-mail service. With a secret the body is
// signed (X-Regua-Signature-256: sha256=<hex HMAC-SHA256>), with `idempotency_key` every attempt
// carries Idempotency-Key: <ref>, the same for every attempt at a message, so a gateway that
// dedupes by it makes an interrupted attempt safe to repeat. 2xx is sent (a JSON reply's "id"
// is kept as the provider's id); 408, 425, 429 and 5xx are retried; any other status fails.

#include "agent/channels/provider.hpp"

namespace regua {

class WebhookChannel final : public Provider {
 public:
  WebhookChannel(WebhookOptions options, TransferSettings settings)
      : options_(std::move(options)), settings_(std::move(settings)) {}

  [[nodiscard]] ProviderKind kind() const override { return ProviderKind::webhook; }
  [[nodiscard]] bool idempotent() const override { return options_.idempotency_key; }
  Result<std::unique_ptr<Transfer>> request(const OutgoingMessage& message,
                                            const AttemptContext& context) const override;
  [[nodiscard]] SendOutcome outcome(const TransferReply& reply) const override;

 private:
  WebhookOptions options_;
  TransferSettings settings_;
};

}  // namespace regua
