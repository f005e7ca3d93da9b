// libFuzzer target: the providers' callback bodies as the agent's HTTP server reads them after the
// signature check (agent/http/channel_callbacks.cpp): the first byte picks WhatsApp Cloud's webhook,
// the webhook channel's receipt or Twilio's form (status callback and inbound reply), the rest is
// the body. Nothing may crash or throw; an opt-out reply is judged on every text read.

#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/channels/callback_bodies.hpp"
#include "agent/channels/form_encoding.hpp"
#include "agent/channels/inbound_opt_out.hpp"
#include "agent/channels/opt_out_words.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto webhook = regua::decode_whatsapp_webhook(body);
      if (!webhook) {
        if (webhook.error().message.empty()) __builtin_trap();
        break;
      }
      for (const auto& reply : webhook->replies) {
        regua::is_opt_out_reply(reply.text);
        regua::mobile_candidates(reply.from);
      }
      break;
    }
    case 1: {
      auto receipt = regua::decode_webhook_receipt(body);
      if (!receipt && receipt.error().message.empty()) __builtin_trap();
      if (receipt && !receipt->ref) __builtin_trap();
      break;
    }
    default: {
      auto form = regua::form_decode(body);
      if (!form) break;
      // Encoding what was decoded and decoding it again gives the same fields.
      auto again = regua::form_decode(regua::form_encode(*form));
      if (!again || *again != *form) __builtin_trap();
      if (auto text = regua::form_value(*form, "Body")) regua::is_opt_out_reply(*text);
      if (auto from = regua::form_value(*form, "From")) regua::mobile_candidates(*from);
      break;
    }
  }
  return 0;
}
