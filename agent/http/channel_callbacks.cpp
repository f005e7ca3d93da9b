#include "agent/http/channel_callbacks.hpp"

#include <mutex>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/channels/callback_bodies.hpp"
#include "agent/channels/form_encoding.hpp"
#include "agent/channels/inbound_opt_out.hpp"
#include "agent/channels/opt_out_words.hpp"
#include "agent/channels/signatures.hpp"
#include "agent/http/api_auth.hpp"
#include "local/ledger/ledger.hpp"
#include "local/scheduler/messages.hpp"

namespace regua {
namespace {

constexpr const char* kEmptyTwiml = R"(<?xml version="1.0" encoding="UTF-8"?><Response></Response>)";

struct CallbackRefusal {
  int status = 403;
  std::string reason;   // counted: not_configured, unsigned, bad_signature, malformed, unknown_message
  std::string message;  // for the caller, and the log
};

// A receipt's status as the provider wrote it -> delivered, read, failed, or "" (an intermediate one).
std::string delivery_of(std::string_view status) {
  if (status == "delivered" || status == "read") return std::string(status);
  if (status == "failed" || status == "undelivered") return "failed";
  return "";
}

// The query of a request target ("/a/b?ref=x" -> "ref=x").
std::string_view query_of(std::string_view target) {
  const auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

}  // namespace

class CallbackService {
 public:
  static Result<std::shared_ptr<CallbackService>> open(const AgentConfig& config, const Clock& clock) {
    auto ledger = Ledger::open(LedgerOptions{config.ledger.path, config.store.id, false, false}, clock);
    if (!ledger) return ledger.error();
    return std::shared_ptr<CallbackService>(new CallbackService(config, std::move(*ledger)));
  }

  void twilio_status(const httplib::Request& req, httplib::Response& res);
  void twilio_inbound(const httplib::Request& req, httplib::Response& res);
  void whatsapp_verify(const httplib::Request& req, httplib::Response& res);
  void whatsapp_events(const httplib::Request& req, httplib::Response& res);
  void webhook_status(const httplib::Request& req, httplib::Response& res);

 private:
  CallbackService(const AgentConfig& config, Ledger ledger)
      : channels_(config.channels), store_id_(config.store.id), ledger_(std::move(ledger)) {}

  void refuse(httplib::Response& res, std::string_view endpoint, const CallbackRefusal& r);
  void count_refusal(std::string_view endpoint, const CallbackRefusal& r);
  std::optional<CallbackRefusal> check_twilio(const httplib::Request& req, const FormFields& form) const;
  std::optional<CallbackRefusal> check_sha256(const httplib::Request& req, std::string_view header,
                                              const std::string& secret, std::string_view secret_key) const;
  // Our message id from a ref "<store>-<id>" of this store.
  [[nodiscard]] std::optional<std::int64_t> id_of_ref(std::string_view ref) const;
  // Records a receipt; false when no message of this ledger matches.
  Result<bool> receipt(std::optional<std::int64_t> id, std::string_view provider,
                       std::string_view provider_id, std::string_view status,
                       const std::optional<std::string>& error);
  Result<int> opt_out(std::string_view from, Channel channel);

  std::mutex mutex_;  // one request at a time on the connection
  ChannelsConfig channels_;
  std::string store_id_;
  Ledger ledger_;
};

void CallbackService::refuse(httplib::Response& res, std::string_view endpoint, const CallbackRefusal& r) {
  count_refusal(endpoint, r);
  res.status = r.status;
  res.set_content(nlohmann::json{{"error", r.message}, {"reason", r.reason}}.dump(), kJsonContentType);
}

void CallbackService::count_refusal(std::string_view endpoint, const CallbackRefusal& r) {
  {
    std::lock_guard lock(mutex_);
    auto stmt = ledger_.db().prepare(
        "INSERT INTO callback_refusals (endpoint, reason, count, last_at) VALUES (?1, ?2, 1, ?3) "
        "ON CONFLICT (endpoint, reason) DO UPDATE SET count = count + 1, last_at = excluded.last_at");
    if (stmt) {
      stmt->bind(1, endpoint).bind(2, r.reason).bind(3, ledger_.clock().now().time_since_epoch().count());
      if (auto s = stmt->run(); !s) spdlog::error("counting a refused callback: {}", s.error().message);
    }
  }
  spdlog::warn("callback {} refused ({}): {}", endpoint, r.reason, r.message);
}

std::optional<std::int64_t> CallbackService::id_of_ref(std::string_view ref) const {
  const auto dash = ref.rfind('-');
  if (dash == std::string_view::npos || ref.substr(0, dash) != store_id_ || dash + 1 == ref.size())
    return std::nullopt;
  std::int64_t id = 0;
  for (const char c : ref.substr(dash + 1)) {
    if (c < '0' || c > '9' || id > 1'000'000'000'000) return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

std::optional<CallbackRefusal> CallbackService::check_twilio(const httplib::Request& req,
                                                             const FormFields& form) const {
  if (channels_.twilio.auth_token.empty()) {
    return CallbackRefusal{
        403, "not_configured",
        "Twilio callbacks are off: set [channels.twilio] auth_token (or $REGUA_TWILIO_AUTH_TOKEN)"};
  }
  if (channels_.callback_url.empty()) {
    return CallbackRefusal{
        403, "not_configured",
        "Twilio signs the public address it calls: set [channels] callback_url to the agent's public "
        "https:// address"};
  }
  const std::string given = req.get_header_value("X-Twilio-Signature");
  if (given.empty())
    return CallbackRefusal{403, "unsigned", "no X-Twilio-Signature header: not a request from Twilio"};
  const std::string expected =
      twilio_signature(channels_.twilio.auth_token, channels_.callback_url + req.target, form);
  if (!same_secret(given, expected)) {
    return CallbackRefusal{
        403, "bad_signature",
        "X-Twilio-Signature does not match: the request is not from this Twilio account, or [channels] "
        "callback_url is not the address Twilio calls"};
  }
  return std::nullopt;
}

std::optional<CallbackRefusal> CallbackService::check_sha256(const httplib::Request& req,
                                                             std::string_view header,
                                                             const std::string& secret,
                                                             std::string_view secret_key) const {
  if (secret.empty()) {
    return CallbackRefusal{
        403, "not_configured",
        "these callbacks are off: set " + std::string(secret_key) + " to check their signature"};
  }
  const std::string given = req.get_header_value(std::string(header));
  if (given.empty())
    return CallbackRefusal{403, "unsigned",
                           "no " + std::string(header) + " header: the request is not signed"};
  if (!same_secret(given, sha256_signature(secret, req.body))) {
    return CallbackRefusal{
        403, "bad_signature",
        std::string(header) + " does not match the body signed with " + std::string(secret_key)};
  }
  return std::nullopt;
}

Result<bool> CallbackService::receipt(std::optional<std::int64_t> id, std::string_view provider,
                                      std::string_view provider_id, std::string_view status,
                                      const std::optional<std::string>& error) {
  std::lock_guard lock(mutex_);
  auto& db = ledger_.db();
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  auto found = find_message(db, id, provider, provider_id);
  if (!found) return found.error();
  if (!*found && id && !provider_id.empty()) {
    found = find_message(db, std::nullopt, provider, provider_id);
    if (!found) return found.error();
  }
  if (!*found) return false;
  Receipt r{**found, std::string(provider), std::string(status), delivery_of(status), error};
  if (auto s = record_receipt(db, r, ledger_.clock().now()); !s) return s.error();
  if (auto s = txn->commit(); !s) return s.error();
  return true;
}

Result<int> CallbackService::opt_out(std::string_view from, Channel channel) {
  std::lock_guard lock(mutex_);
  return record_inbound_opt_out(ledger_.db(), from, channel, ledger_.clock().now());
}

void CallbackService::twilio_status(const httplib::Request& req, httplib::Response& res) {
  constexpr std::string_view kEndpoint = "twilio/status";
  const auto form = form_decode(req.body);
  if (!form) return refuse(res, kEndpoint, {400, "malformed", "the body is not form-encoded"});
  if (auto r = check_twilio(req, *form)) return refuse(res, kEndpoint, *r);
  const auto sid = form_value(*form, "MessageSid");
  const auto status = form_value(*form, "MessageStatus");
  if (!sid || !status)
    return refuse(res, kEndpoint, {400, "malformed", "MessageSid and MessageStatus are required"});
  const auto query = form_decode(query_of(req.target));
  const auto ref = query ? form_value(*query, "ref") : std::nullopt;
  std::optional<std::string> error;
  if (auto code = form_value(*form, "ErrorCode"); code && !code->empty()) error = "Twilio error " + *code;
  auto found = receipt(ref ? id_of_ref(*ref) : std::nullopt, "twilio", *sid, *status, error);
  if (!found) {
    spdlog::error("callback {}: {}", kEndpoint, found.error().message);
    res.status = 503;
    return;
  }
  if (!*found) {
    return refuse(res, kEndpoint,
                  {404, "unknown_message", "no message " + *sid + " sent by this agent through Twilio"});
  }
  res.status = 204;
}

void CallbackService::twilio_inbound(const httplib::Request& req, httplib::Response& res) {
  constexpr std::string_view kEndpoint = "twilio/inbound";
  const auto form = form_decode(req.body);
  if (!form) return refuse(res, kEndpoint, {400, "malformed", "the body is not form-encoded"});
  if (auto r = check_twilio(req, *form)) return refuse(res, kEndpoint, *r);
  const auto from = form_value(*form, "From");
  const auto body = form_value(*form, "Body");
  if (!from || !body) return refuse(res, kEndpoint, {400, "malformed", "From and Body are required"});
  if (is_opt_out_reply(*body)) {
    const Channel channel = from->starts_with("whatsapp:") ? Channel::whatsapp : Channel::sms;
    auto customers = opt_out(*from, channel);
    if (!customers) {
      spdlog::error("callback {}: {}", kEndpoint, customers.error().message);
      res.status = 503;  // Twilio tries again
      return;
    }
    spdlog::info("channels: a reply asked to stop {}: opt-out recorded for {} customer(s)",
                 channel_name(channel), *customers);
  }
  res.status = 200;
  res.set_content(kEmptyTwiml, "text/xml");
}

void CallbackService::whatsapp_verify(const httplib::Request& req, httplib::Response& res) {
  constexpr std::string_view kEndpoint = "whatsapp";
  if (channels_.whatsapp_cloud.verify_token.empty()) {
    return refuse(
        res, kEndpoint,
        {403, "not_configured",
         "set [channels.whatsapp_cloud] verify_token (or $REGUA_WHATSAPP_VERIFY_TOKEN) and give the same "
         "to Meta"});
  }
  if (req.get_param_value("hub.mode") != "subscribe" ||
      !same_secret(req.get_param_value("hub.verify_token"), channels_.whatsapp_cloud.verify_token)) {
    return refuse(res, kEndpoint,
                  {403, "bad_signature", "hub.verify_token is not [channels.whatsapp_cloud] verify_token"});
  }
  res.status = 200;
  res.set_content(req.get_param_value("hub.challenge"), "text/plain");
}

void CallbackService::whatsapp_events(const httplib::Request& req, httplib::Response& res) {
  constexpr std::string_view kEndpoint = "whatsapp";
  if (auto r = check_sha256(req, "X-Hub-Signature-256", channels_.whatsapp_cloud.app_secret,
                            "[channels.whatsapp_cloud] app_secret")) {
    return refuse(res, kEndpoint, *r);
  }
  const auto webhook = decode_whatsapp_webhook(req.body);
  if (!webhook) return refuse(res, kEndpoint, {400, "malformed", webhook.error().message});
  int receipts = 0, unknown = 0, opt_outs = 0;
  for (const auto& st : webhook->statuses) {
    const std::optional<std::int64_t> id = st.ref ? id_of_ref(*st.ref) : std::nullopt;
    auto found = receipt(id, "whatsapp_cloud", st.provider_id, st.status, st.error);
    if (!found) {
      spdlog::error("callback {}: {}", kEndpoint, found.error().message);
      res.status = 503;  // Meta sends it again
      return;
    }
    ++(*found ? receipts : unknown);
  }
  for (const auto& reply : webhook->replies) {
    if (!is_opt_out_reply(reply.text)) continue;
    auto customers = opt_out(reply.from, Channel::whatsapp);
    if (!customers) {
      spdlog::error("callback {}: {}", kEndpoint, customers.error().message);
      res.status = 503;
      return;
    }
    spdlog::info("channels: a reply asked to stop whatsapp: opt-out recorded for {} customer(s)", *customers);
    ++opt_outs;
  }
  if (unknown > 0 && receipts == 0 && opt_outs == 0) {
    return refuse(
        res, kEndpoint,
        {404, "unknown_message",
         std::to_string(unknown) + " status(es) about no message sent by this agent through WhatsApp"});
  }
  if (unknown > 0) {
    // Part of the batch was ours: the rest is counted, and the batch taken so Meta does not repeat it.
    count_refusal(kEndpoint, {200, "unknown_message",
                              std::to_string(unknown) +
                                  " status(es) about no message sent by this agent through WhatsApp"});
  }
  res.status = 200;
  res.set_content(nlohmann::json{{"receipts", receipts}, {"unknown", unknown}, {"opt_outs", opt_outs}}.dump(),
                  kJsonContentType);
}

void CallbackService::webhook_status(const httplib::Request& req, httplib::Response& res) {
  constexpr std::string_view kEndpoint = "webhook/status";
  if (auto r =
          check_sha256(req, "X-Regua-Signature-256", channels_.webhook.secret, "[channels.webhook] secret")) {
    return refuse(res, kEndpoint, *r);
  }
  const auto receipt_body = decode_webhook_receipt(req.body);
  if (!receipt_body) return refuse(res, kEndpoint, {400, "malformed", receipt_body.error().message});
  const std::string& ref = *receipt_body->ref;
  const auto id = id_of_ref(ref);
  auto found =
      id ? receipt(id, "webhook", "", receipt_body->status, receipt_body->error) : Result<bool>(false);
  if (!found) {
    spdlog::error("callback {}: {}", kEndpoint, found.error().message);
    res.status = 503;
    return;
  }
  if (!*found) {
    return refuse(res, kEndpoint,
                  {404, "unknown_message", "no message " + ref + " sent by this agent's webhook"});
  }
  res.status = 204;
}

Result<std::shared_ptr<CallbackService>> add_channel_routes(httplib::Server& server,
                                                            const AgentConfig& config, const Clock& clock) {
  auto service = CallbackService::open(config, clock);
  if (!service) return service.error();
  std::weak_ptr<CallbackService> weak = *service;
  const auto route = [weak](void (CallbackService::*handler)(const httplib::Request&, httplib::Response&)) {
    return [weak, handler](const httplib::Request& req, httplib::Response& res) {
      auto self = weak.lock();
      if (!self) {
        res.status = 503;
        return;
      }
      ((*self).*handler)(req, res);
    };
  };
  server.Post("/api/v1/channels/twilio/status", route(&CallbackService::twilio_status));
  server.Post("/api/v1/channels/twilio/inbound", route(&CallbackService::twilio_inbound));
  server.Get("/api/v1/channels/whatsapp", route(&CallbackService::whatsapp_verify));
  server.Post("/api/v1/channels/whatsapp", route(&CallbackService::whatsapp_events));
  server.Post("/api/v1/channels/webhook/status", route(&CallbackService::webhook_status));
  return service;
}

}  // namespace regua
