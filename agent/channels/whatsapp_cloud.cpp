#include "agent/channels/whatsapp_cloud.hpp"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

namespace regua {
namespace {

constexpr std::array<std::int64_t, 10> kWhatsappRetryable{1,      2,      4,      80007,  130429,
                                                          131000, 131016, 131056, 133004, 133005};

}  // namespace

std::string whatsapp_parameter_text(std::string_view text) {
  std::string out;
  int spaces = 0;
  for (const char c : text) {
    const bool blank = c == ' ' || c == '\n' || c == '\r' || c == '\t';
    if (blank) {
      if (++spaces > 1) continue;
      out += ' ';
    } else {
      spaces = 0;
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

std::string WhatsappCloud::body(const OutgoingMessage& m, const std::string& ref) const {
  const auto rule = options_.templates.find(m.rule_id);
  const std::string& name = rule != options_.templates.end() ? rule->second : options_.template_name;
  nlohmann::ordered_json j;
  j["messaging_product"] = "whatsapp";
  j["recipient_type"] = "individual";
  j["to"] = m.recipient.starts_with('+') ? m.recipient.substr(1) : m.recipient;
  j["type"] = "template";
  j["template"] = {
      {"name", name},
      {"language", {{"code", options_.language}}},
      {"components",
       nlohmann::ordered_json::array(
           {{{"type", "body"},
             {"parameters", nlohmann::ordered_json::array(
                                {{{"type", "text"}, {"text", whatsapp_parameter_text(m.body)}}})}}})}};
  j["biz_opaque_callback_data"] = ref;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::unique_ptr<Transfer>> WhatsappCloud::request(const OutgoingMessage& m,
                                                         const AttemptContext& context) const {
  const std::string url =
      options_.base_url + "/" + options_.api_version + "/" + options_.phone_number_id + "/messages";
  return Transfer::https_post(
      settings_, url, {"Content-Type: application/json", "Authorization: Bearer " + options_.access_token},
      body(m, context.ref));
}

SendOutcome WhatsappCloud::outcome(const TransferReply& reply) const {
  if (reply.status == 0) return outcome_without_reply(reply, "whatsapp_cloud");
  SendOutcome out;
  const auto j = nlohmann::json::parse(reply.body, nullptr, false);
  if (reply.status >= 200 && reply.status < 300) {
    out.result = SendResult::sent;
    out.reason = "accepted by WhatsApp";
    if (j.is_object() && j.contains("messages") && j["messages"].is_array() && !j["messages"].empty() &&
        j["messages"][0].is_object() && j["messages"][0].contains("id") &&
        j["messages"][0]["id"].is_string()) {
      out.provider_id = j["messages"][0]["id"].get<std::string>();
    }
    return out;
  }
  std::int64_t code = 0;
  std::string message, details;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const auto& e = j["error"];
    if (e.contains("code") && e["code"].is_number_integer()) code = e["code"].get<std::int64_t>();
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
    if (e.contains("error_data") && e["error_data"].is_object() && e["error_data"].contains("details") &&
        e["error_data"]["details"].is_string()) {
      details = e["error_data"]["details"].get<std::string>();
    }
  }
  out.reason = "WhatsApp answered " + std::to_string(reply.status) +
               (code != 0 ? " (error " + std::to_string(code) + ")" : std::string()) + ": " +
               (message.empty() ? reply_excerpt(reply.body) : message) +
               (details.empty() ? "" : ": " + details);
  out.retry_after = reply.retry_after;
  const bool retryable_code =
      std::find(kWhatsappRetryable.begin(), kWhatsappRetryable.end(), code) != kWhatsappRetryable.end();
  if (reply.status == 429 || reply.status >= 500 || retryable_code) {
    out.result = SendResult::retry;
  } else {
    if (code == 190 || reply.status == 401) out.reason += "; check [channels.whatsapp_cloud] access_token";
    if (code == 132001) out.reason += "; check [channels.whatsapp_cloud] template and language";
    out.result = SendResult::failed;
  }
  return out;
}

}  // namespace regua
