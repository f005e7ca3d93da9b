#include "agent/channels/twilio_sms.hpp"

#include <nlohmann/json.hpp>

#include "agent/channels/form_encoding.hpp"

namespace regua {

Result<std::unique_ptr<Transfer>> TwilioSms::request(const OutgoingMessage& m,
                                                     const AttemptContext& context) const {
  FormFields form{{"To", m.recipient}, {"Body", m.body}};
  if (!options_.messaging_service_sid.empty()) {
    form.emplace_back("MessagingServiceSid", options_.messaging_service_sid);
  } else {
    form.emplace_back("From", options_.from);
  }
  if (options_.status_callback && !callback_url_.empty())
    form.emplace_back("StatusCallback", callback_url_ + "/api/v1/channels/twilio/status?ref=" + context.ref);
  const std::string url =
      options_.base_url + "/2010-04-01/Accounts/" + options_.account_sid + "/Messages.json";
  auto t = Transfer::https_post(
      settings_, url, {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"},
      form_encode(form));
  if (!t) return t.error();
  (*t)->basic_auth(options_.account_sid, options_.auth_token);
  return t;
}

SendOutcome TwilioSms::outcome(const TransferReply& reply) const {
  if (reply.status == 0) return outcome_without_reply(reply, "twilio");
  SendOutcome out;
  const auto j = nlohmann::json::parse(reply.body, nullptr, false);
  if (reply.status >= 200 && reply.status < 300) {
    out.result = SendResult::sent;
    if (j.is_object() && j.contains("sid") && j["sid"].is_string())
      out.provider_id = j["sid"].get<std::string>();
    out.reason = "accepted by Twilio";
    return out;
  }
  std::int64_t code = 0;
  std::string message;
  if (j.is_object()) {
    if (j.contains("code") && j["code"].is_number_integer()) code = j["code"].get<std::int64_t>();
    if (j.contains("message") && j["message"].is_string()) message = j["message"].get<std::string>();
  }
  out.reason = "Twilio answered " + std::to_string(reply.status) +
               (code != 0 ? " (error " + std::to_string(code) + ")" : std::string()) + ": " +
               (message.empty() ? reply_excerpt(reply.body) : message);
  if (code != 0) out.reason += " (https://www.twilio.com/docs/errors/" + std::to_string(code) + ")";
  out.retry_after = reply.retry_after;
  if (reply.status == 429 || code == 20429 || reply.status >= 500) {
    out.result = SendResult::retry;
  } else {
    if (reply.status == 401 || code == 20003) {
      out.reason += "; check [channels.twilio] account_sid and auth_token";
    }
    out.result = SendResult::failed;
  }
  return out;
}

}  // namespace regua
