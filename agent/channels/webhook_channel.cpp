#include "agent/channels/webhook_channel.hpp"

#include <nlohmann/json.hpp>

#include "agent/channels/signatures.hpp"
#include "agent/channels/webhook_body.hpp"

namespace regua {

Result<std::unique_ptr<Transfer>> WebhookChannel::request(const OutgoingMessage& m,
                                                          const AttemptContext& context) const {
  const std::string body =
      render_webhook_body(options_.body, [&](std::string_view name) -> std::optional<std::string> {
        if (name == "ref") return context.ref;
        if (name == "id") return std::to_string(m.id);
        if (name == "channel") return m.channel;
        if (name == "to") return m.recipient;
        if (name == "subject") return m.subject;
        if (name == "text") return m.body;
        if (name == "rule") return m.rule_id;
        if (name == "customer") return m.customer_pos_id;
        return std::nullopt;
      });
  std::vector<std::string> headers{"Content-Type: application/json"};
  if (!options_.auth_header.empty()) headers.push_back(options_.auth_header);
  if (!options_.secret.empty())
    headers.push_back("X-Regua-Signature-256: " + sha256_signature(options_.secret, body));
  if (context.idempotency_key) headers.push_back("Idempotency-Key: " + *context.idempotency_key);
  return Transfer::https_post(settings_, options_.url, headers, body);
}

SendOutcome WebhookChannel::outcome(const TransferReply& reply) const {
  if (reply.status == 0) return outcome_without_reply(reply, "webhook");
  SendOutcome out;
  if (reply.status >= 200 && reply.status < 300) {
    out.result = SendResult::sent;
    out.reason = "accepted by the webhook";
    const auto j = nlohmann::json::parse(reply.body, nullptr, false);
    if (j.is_object() && j.contains("id")) {
      if (j["id"].is_string()) out.provider_id = j["id"].get<std::string>();
      if (j["id"].is_number_integer()) out.provider_id = std::to_string(j["id"].get<std::int64_t>());
    }
    return out;
  }
  out.reason = "the webhook answered " + std::to_string(reply.status) + ": " + reply_excerpt(reply.body);
  out.retry_after = reply.retry_after;
  const long s = reply.status;
  out.result = (s == 408 || s == 425 || s == 429 || s >= 500) ? SendResult::retry : SendResult::failed;
  if (s == 401 || s == 403) out.reason += "; check [channels.webhook] auth_header";
  return out;
}

}  // namespace regua
