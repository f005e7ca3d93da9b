#include "agent/channels/callback_bodies.hpp"

#include <nlohmann/json.hpp>

namespace regua {
namespace {

using nlohmann::json;

// The string at `key` of an object, if it is one. (json::value() throws when the key holds
// another type: a hostile body must not be able to throw through the HTTP handler.)
std::optional<std::string> callback_string(const json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// The array at `key`, or an empty one.
const json& callback_array(const json& object, std::string_view key) {
  static const json empty = json::array();
  if (!object.is_object()) return empty;
  const auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : empty;
}

const json& callback_object(const json& object, std::string_view key) {
  static const json empty = json::object();
  if (!object.is_object()) return empty;
  const auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

// "WhatsApp error 131026: Message undeliverable". Only a number or a string is written as the code:
// dumping whatever a body holds there would recurse as deep as it nests.
std::string whatsapp_error_text(const json& error) {
  std::string code = "?";
  if (const auto it = error.find("code"); it != error.end() && (it->is_number() || it->is_string()))
    code = it->is_string() ? it->get<std::string>() : it->dump();
  const auto title = callback_string(error, "title");
  return "WhatsApp error " + code + (title ? ": " + *title : "");
}

// The text of a customer's message: typed, a quick-reply button, or an interactive button.
std::string whatsapp_reply_text(const json& message) {
  const auto type = callback_string(message, "type").value_or("");
  if (type == "text") return callback_string(callback_object(message, "text"), "body").value_or("");
  if (type == "button") return callback_string(callback_object(message, "button"), "text").value_or("");
  if (type == "interactive") {
    const auto& reply = callback_object(callback_object(message, "interactive"), "button_reply");
    return callback_string(reply, "title").value_or("");
  }
  return "";
}

}  // namespace

Result<WhatsappWebhook> decode_whatsapp_webhook(std::string_view body) {
  const auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("entry") || !j["entry"].is_array())
    return make_error(ErrorKind::input, "not a WhatsApp webhook: no \"entry\" array");
  WhatsappWebhook out;
  for (const auto& entry : j["entry"]) {
    for (const auto& change : callback_array(entry, "changes")) {
      const auto& value = callback_object(change, "value");
      for (const auto& st : callback_array(value, "statuses")) {
        auto id = callback_string(st, "id");
        auto status = callback_string(st, "status");
        if (!id || !status) continue;
        CallbackStatus s{std::move(*id), std::move(*status), callback_string(st, "biz_opaque_callback_data"),
                         std::nullopt};
        const auto& errors = callback_array(st, "errors");
        if (!errors.empty() && errors[0].is_object()) s.error = whatsapp_error_text(errors[0]);
        out.statuses.push_back(std::move(s));
      }
      for (const auto& m : callback_array(value, "messages")) {
        auto from = callback_string(m, "from");
        if (!from) continue;
        out.replies.push_back({std::move(*from), whatsapp_reply_text(m)});
      }
    }
  }
  return out;
}

Result<CallbackStatus> decode_webhook_receipt(std::string_view body) {
  const auto j = json::parse(body, nullptr, false);
  auto ref = callback_string(j, "ref");
  auto status = callback_string(j, "status");
  if (!ref || !status)
    return make_error(ErrorKind::input, "expected {\"ref\": \"...\", \"status\": \"delivered\"}");
  if (*status != "delivered" && *status != "read" && *status != "failed") {
    return make_error(ErrorKind::input,
                      "status \"" + *status + "\" is not one of \"delivered\", \"read\", \"failed\"");
  }
  return CallbackStatus{"", std::move(*status), std::move(ref), callback_string(j, "error")};
}

}  // namespace regua
