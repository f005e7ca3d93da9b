#pragma once
// WhatsApp through Meta's WhatsApp Business Cloud API: a JSON POST to
// {base_url}/{api_version}/{phone-number-id}/messages with a bearer token. A message a business
// starts must be an approved template: the rule's rendered text fills the template's one body
// parameter ({{1}}), the template being [channels.whatsapp_cloud] template (or the rule's own in
// `templates`). The reply's messages[0].id (a "wamid.") is the provider's id; our ref goes in
// biz_opaque_callback_data, so the status webhooks name our message too.
//
// Errors are Graph API error objects {"error": {"message", "type", "code", "error_data":
// {"details"}, "fbtrace_id"}}, judged by their code as Meta advises: throttling (4, 80007, 130429,
// 131056 pair rate limit) and temporary service errors (1, 2, 131000, 131016, 133004) and any 5xx
// are retried; the rest fails at once. The API documents no idempotency key.

#include "agent/channels/provider.hpp"

namespace regua {

class WhatsappCloud final : public Provider {
 public:
  WhatsappCloud(WhatsappCloudOptions options, TransferSettings settings)
      : options_(std::move(options)), settings_(std::move(settings)) {}

  [[nodiscard]] ProviderKind kind() const override { return ProviderKind::whatsapp_cloud; }
  Result<std::unique_ptr<Transfer>> request(const OutgoingMessage& message,
                                            const AttemptContext& context) const override;
  [[nodiscard]] SendOutcome outcome(const TransferReply& reply) const override;

  // The JSON body of the template message carrying `message` (its recipient without the "+").
  [[nodiscard]] std::string body(const OutgoingMessage& message, const std::string& ref) const;

 private:
  WhatsappCloudOptions options_;
  TransferSettings settings_;
};

// A template parameter may hold neither new lines nor tabs nor more than four spaces in a row.
std::string whatsapp_parameter_text(std::string_view text);

}  // namespace regua
