#pragma once
// What the providers' callbacks say, read from their bodies before anything touches the ledger
// (agent/http/channel_callbacks.cpp checks the signature first, then calls these): WhatsApp Cloud's
// webhook (delivery statuses and customers' replies) and the webhook channel's receipts. Pure
// functions of the body, so that a fuzzer can drive them (tests/fuzz/fuzz_provider_callbacks.cpp);
// nothing here throws, whatever the body.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"

namespace regua {

struct CallbackStatus {
  std::string provider_id;           // the provider's message id
  std::string status;                // as the provider wrote it ("delivered", "read", "failed", ...)
  std::optional<std::string> ref;    // our "<store>-<id>" when the provider echoes it
  std::optional<std::string> error;  // the provider's error, in words
};

struct CallbackReply {
  std::string from;  // the customer's number as the provider wrote it
  std::string text;  // the reply's text (a typed message, a button's text or title)
};

struct WhatsappWebhook {
  std::vector<CallbackStatus> statuses;
  std::vector<CallbackReply> replies;
};

// A WhatsApp Cloud API webhook ({"entry":[{"changes":[{"value":{"statuses":[...],"messages":[...]}}]}]}).
// Entries, statuses and messages that are not what Meta documents are skipped; an error only when
// the body is not such a webhook at all.
Result<WhatsappWebhook> decode_whatsapp_webhook(std::string_view body);

// The webhook channel's receipt: {"ref": "<store>-<id>", "status": "delivered"|"read"|"failed",
// "error": "..."}; provider_id stays empty.
Result<CallbackStatus> decode_webhook_receipt(std::string_view body);

}  // namespace regua
