#pragma once
// A stand-in for the message providers outside the machine, on loopback over HTTPS (cpp-httplib's
// SSLServer with a TestPki certificate), speaking their documented request and reply formats:
//   - Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded,
//     HTTP basic auth; 201 {"sid": "SM...", "status": "queued", ...}; errors as Twilio writes them
//     ({"code", "message", "more_info", "status"}: 20003 authentication, 21211 invalid 'To', 21602
//     no body, 20429 too many requests, 20500 internal error);
//   - WhatsApp Cloud API: POST /{version}/{phone-number-id}/messages, bearer token, a template
//     message; 200 {"messaging_product", "contacts", "messages": [{"id": "wamid..."}]}; errors as
//     Graph API error objects (190 bad token, 100 invalid parameter, 130429 rate limit, ...);
//   - a gateway for the webhook channel: POST /webhook, answering {"id": "gw-N"}, deduplicating by
//     the Idempotency-Key header as such gateways do.
// It counts every request it receives (also refused ones) and can be told to answer the next ones
// with an error, to refuse a recipient for good, or to take its time.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class SSLServer;
}

namespace regua::test {

struct StandinRequest {
  std::string api;  // twilio, whatsapp, webhook
  std::string to;   // the recipient as sent ("+55..." for Twilio, digits for WhatsApp)
  std::string text;
  std::string idempotency_key;
  std::map<std::string, std::string> headers;  // the few a test looks at, lower-case names
  std::map<std::string, std::string> form;     // Twilio's fields
  nlohmann::json json;                         // WhatsApp's or the webhook's body
  std::string raw_body;                        // the body as received
  int status = 0;                              // what the stand-in answered
};

struct StandinReply {
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
};

class ProviderStandin {
 public:
  static constexpr const char* kAccountSid = "AC0123456789abcdef0123456789abcdef";
  static constexpr const char* kAuthToken = "twilio-auth-token-5ecret";
  static constexpr const char* kWhatsappToken = "whatsapp-access-token-5ecret";
  static constexpr const char* kPhoneNumberId = "106540352242922";

  ProviderStandin(const std::filesystem::path& cert, const std::filesystem::path& key);
  ~ProviderStandin();
  ProviderStandin(const ProviderStandin&) = delete;
  ProviderStandin& operator=(const ProviderStandin&) = delete;

  [[nodiscard]] bool started() const { return port_ > 0; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }

  // The next `n` requests (of any api) get `reply` instead of being handled.
  void fail_next(int n, StandinReply reply);
  // Requests to `to` always get `reply` (a permanent error for that recipient).
  void refuse_recipient(const std::string& to, StandinReply reply);
  // Each request takes this long before its answer.
  void set_latency(std::chrono::milliseconds latency);

  [[nodiscard]] std::vector<StandinRequest> requests() const;
  [[nodiscard]] std::size_t count() const;

  // Twilio's error body.
  static StandinReply twilio_error(int status, int code, const std::string& message);
  // A Graph API error object.
  static StandinReply whatsapp_error(int status, int code, const std::string& message,
                                     const std::string& details);

 private:
  StandinReply answer(StandinRequest& r, StandinReply handled);

  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = -1;
  mutable std::mutex mutex_;
  std::vector<StandinRequest> requests_;
  std::deque<StandinReply> scripted_;
  std::map<std::string, StandinReply> refused_;
  std::map<std::string, std::string> gateway_ids_;  // Idempotency-Key -> the id first answered
  std::chrono::milliseconds latency_{0};
  std::condition_variable stopping_cv_;  // cuts a latency short when the stand-in stops
  bool stopping_ = false;
  std::int64_t next_id_ = 1;
};

}  // namespace regua::test
