#include "tests/support/provider_standin.hpp"

#include <regex>

#include <httplib.h>
#include <openssl/evp.h>

namespace regua::test {
namespace {

std::string lower_name(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void keep_headers(const httplib::Request& req, StandinRequest& r) {
  for (const char* name :
       {"Authorization", "Idempotency-Key", "X-Regua-Signature-256", "Content-Type", "X-Trace"}) {
    if (req.has_header(name)) r.headers[lower_name(name)] = req.get_header_value(name);
  }
}

bool is_e164(const std::string& s) {
  static const std::regex e164(R"(\+[1-9][0-9]{7,14})");
  return std::regex_match(s, e164);
}

std::string twilio_basic() {
  const std::string credentials =
      std::string(ProviderStandin::kAccountSid) + ":" + ProviderStandin::kAuthToken;
  std::string encoded(4 * ((credentials.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                  reinterpret_cast<const unsigned char*>(credentials.data()),
                  static_cast<int>(credentials.size()));
  return "Basic " + encoded;
}

}  // namespace

StandinReply ProviderStandin::twilio_error(int status, int code, const std::string& message) {
  return StandinReply{
      status,
      nlohmann::json{{"code", code},
                     {"message", message},
                     {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
                     {"status", status}}
          .dump(),
      {}};
}

StandinReply ProviderStandin::whatsapp_error(int status, int code, const std::string& message,
                                             const std::string& details) {
  return StandinReply{
      status,
      nlohmann::json{{"error",
                      {{"message", "(#" + std::to_string(code) + ") " + message},
                       {"type", "OAuthException"},
                       {"code", code},
                       {"error_data", {{"messaging_product", "whatsapp"}, {"details", details}}},
                       {"fbtrace_id", "AbCdEfGh123"}}}}
          .dump(),
      {}};
}

ProviderStandin::ProviderStandin(const std::filesystem::path& cert, const std::filesystem::path& key)
    : server_(std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str())) {
  if (!server_->is_valid()) return;
  server_->set_tcp_nodelay(true);

  server_->Post(R"(/2010-04-01/Accounts/([A-Za-z0-9]+)/Messages\.json)", [this](const httplib::Request& req,
                                                                                httplib::Response& res) {
    StandinRequest r;
    r.api = "twilio";
    keep_headers(req, r);
    r.raw_body = req.body;
    for (const auto& [k, v] : req.params)
      r.form[k] = v;
    r.to = r.form["To"];
    r.text = r.form["Body"];
    StandinReply reply;
    if (req.matches[1] != kAccountSid || req.get_header_value("Authorization") != twilio_basic()) {
      reply = twilio_error(401, 20003, "Authenticate");
    } else if (!is_e164(r.to)) {
      reply = twilio_error(400, 21211, "The 'To' number " + r.to + " is not a valid phone number.");
    } else if (r.text.empty()) {
      reply = twilio_error(400, 21602, "Message body is required.");
    } else if (r.form["From"].empty() && r.form["MessagingServiceSid"].empty()) {
      reply = twilio_error(400, 21603, "The 'From' phone number is required.");
    } else {
      char sid[40];
      std::lock_guard lock(mutex_);
      std::snprintf(sid, sizeof sid, "SM%032llx", static_cast<unsigned long long>(next_id_++));
      reply = StandinReply{201,
                           nlohmann::json{{"sid", sid},
                                          {"account_sid", kAccountSid},
                                          {"to", r.to},
                                          {"from", r.form["From"]},
                                          {"body", r.text},
                                          {"status", "queued"},
                                          {"num_segments", "1"},
                                          {"api_version", "2010-04-01"}}
                               .dump(),
                           {}};
    }
    const auto out = answer(r, reply);
    res.status = out.status;
    for (const auto& [k, v] : out.headers)
      res.set_header(k, v);
    res.set_content(out.body, "application/json");
  });

  server_->Post(R"(/(v[0-9.]+)/([0-9]+)/messages)", [this](const httplib::Request& req,
                                                           httplib::Response& res) {
    StandinRequest r;
    r.api = "whatsapp";
    keep_headers(req, r);
    r.raw_body = req.body;
    r.json = nlohmann::json::parse(req.body, nullptr, false);
    StandinReply reply;
    const auto& j = r.json;
    if (j.is_object()) {
      r.to = j.value("to", "");
      try {
        r.text = j.at("template").at("components").at(0).at("parameters").at(0).at("text").get<std::string>();
      } catch (const std::exception&) {
      }
    }
    if (req.get_header_value("Authorization") != std::string("Bearer ") + kWhatsappToken) {
      reply =
          StandinReply{401,
                       nlohmann::json{{"error",
                                       {{"message", "Invalid OAuth access token - Cannot parse access token"},
                                        {"type", "OAuthException"},
                                        {"code", 190},
                                        {"fbtrace_id", "AbCdEfGh123"}}}}
                           .dump(),
                       {}};
    } else if (req.matches[2] != kPhoneNumberId) {
      reply =
          whatsapp_error(400, 100, "Invalid parameter", "Unsupported post request: unknown phone number id");
    } else if (!j.is_object() || j.value("messaging_product", "") != "whatsapp" ||
               j.value("type", "") != "template" || !j.contains("template") || !j["template"].is_object() ||
               j["template"].value("name", "").empty() || !j["template"].contains("language")) {
      reply = whatsapp_error(400, 100, "Invalid parameter",
                             "a template message needs messaging_product, type, "
                             "template.name and template.language");
    } else if (r.to.empty() || r.to.find_first_not_of("0123456789") != std::string::npos) {
      reply = whatsapp_error(400, 100, "Invalid parameter", "Parameter 'to' is invalid");
    } else if (r.text.empty() || r.text.find('\n') != std::string::npos) {
      reply =
          whatsapp_error(400, 132018, "There was an issue with the parameters in your template",
                         "Param text cannot have new-line/tab characters or more than 4 consecutive spaces");
    } else {
      std::lock_guard lock(mutex_);
      const std::string id = "wamid.HBgN" + std::to_string(next_id_++);
      reply = StandinReply{200,
                           nlohmann::json{{"messaging_product", "whatsapp"},
                                          {"contacts", {{{"input", r.to}, {"wa_id", r.to}}}},
                                          {"messages", {{{"id", id}, {"message_status", "accepted"}}}}}
                               .dump(),
                           {}};
    }
    const auto out = answer(r, reply);
    res.status = out.status;
    res.set_content(out.body, "application/json");
  });

  server_->Post("/webhook", [this](const httplib::Request& req, httplib::Response& res) {
    StandinRequest r;
    r.api = "webhook";
    keep_headers(req, r);
    r.raw_body = req.body;
    r.json = nlohmann::json::parse(req.body, nullptr, false);
    if (r.json.is_object()) {
      r.to = r.json.value("to", "");
      r.text = r.json.value("text", "");
    }
    r.idempotency_key = req.get_header_value("Idempotency-Key");
    StandinReply reply;
    {
      std::lock_guard lock(mutex_);
      std::string id;
      if (!r.idempotency_key.empty() && gateway_ids_.contains(r.idempotency_key)) {
        id = gateway_ids_[r.idempotency_key];  // a repeat: the same answer, nothing sent again
      } else {
        id = "gw-" + std::to_string(next_id_++);
        if (!r.idempotency_key.empty()) gateway_ids_[r.idempotency_key] = id;
      }
      reply = StandinReply{200, nlohmann::json{{"id", id}}.dump(), {}};
    }
    const auto out = answer(r, reply);
    res.status = out.status;
    res.set_content(out.body, "application/json");
  });

  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) return;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  for (int i = 0; i < 500 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

ProviderStandin::~ProviderStandin() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopping_cv_.notify_all();
  if (thread_.joinable()) {
    while (!server_->is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    server_->stop();
    thread_.join();
  }
}

StandinReply ProviderStandin::answer(StandinRequest& r, StandinReply handled) {
  StandinReply out = std::move(handled);
  std::unique_lock lock(mutex_);
  if (!scripted_.empty()) {
    out = scripted_.front();
    scripted_.pop_front();
  } else if (auto it = refused_.find(r.to); it != refused_.end()) {
    out = it->second;
  }
  r.status = out.status;
  requests_.push_back(r);
  // Waits without holding the lock, so that other requests are taken meanwhile.
  if (latency_.count() > 0) stopping_cv_.wait_for(lock, latency_, [&] { return stopping_; });
  return out;
}

void ProviderStandin::fail_next(int n, StandinReply reply) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < n; ++i)
    scripted_.push_back(reply);
}

void ProviderStandin::refuse_recipient(const std::string& to, StandinReply reply) {
  std::lock_guard lock(mutex_);
  refused_[to] = std::move(reply);
}

void ProviderStandin::set_latency(std::chrono::milliseconds latency) {
  std::lock_guard lock(mutex_);
  latency_ = latency;
}

std::vector<StandinRequest> ProviderStandin::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t ProviderStandin::count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

}  // namespace regua::test
