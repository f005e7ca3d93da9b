#pragma once
// Where messages go: per contact channel (sms, whatsapp, email) which provider sends them, each
// provider's settings, and how the sender behaves (concurrency, retries, the extra CA it trusts).
// [channels.*] in the configuration; docs/config.md lists every key, docs/channels.md what each
// provider does. Secrets (tokens, passwords) come from the file or from the environment and are
// never logged nor put in an error message.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace regua {

enum class ProviderKind { file, twilio, whatsapp_cloud, webhook, smtp };
std::string_view provider_name(ProviderKind kind);

struct FileChannelConfig {
  std::filesystem::path path;  // the JSON Lines outbox; default "outbox.jsonl" beside the ledger
};

// Twilio Programmable Messaging (SMS).
struct TwilioOptions {
  std::string account_sid;            // AC + 32 hex digits
  std::string auth_token;             // secret; $REGUA_TWILIO_AUTH_TOKEN overrides
  std::string from;                   // the sending number (E.164) ...
  std::string messaging_service_sid;  // ... or a Messaging Service (MG...)
  std::string base_url = "https://api.twilio.com";
  bool status_callback = true;  // ask Twilio for delivery receipts (needs [channels] callback_url)
};

// Meta's WhatsApp Business Cloud API (template messages).
struct WhatsappCloudOptions {
  std::string phone_number_id;  // the business phone number's id
  std::string access_token;     // secret; $REGUA_WHATSAPP_ACCESS_TOKEN overrides
  std::string app_secret;       // secret, signs the webhooks; $REGUA_WHATSAPP_APP_SECRET overrides
  std::string verify_token;     // secret of the webhook handshake; $REGUA_WHATSAPP_VERIFY_TOKEN overrides
  std::string base_url = "https://graph.facebook.com";
  std::string api_version = "v22.0";
  std::string template_name;                     // the approved template whose body is "...{{1}}..."
  std::map<std::string, std::string> templates;  // per rule id: another template
  std::string language = "pt_BR";
};

// A plain HTTPS POST to the store's own gateway.
struct WebhookOptions {
  std::string url;
  std::string
      auth_header;   // secret, a whole header line ("Authorization: Bearer ..."); $REGUA_WEBHOOK_AUTH_HEADER
  std::string body;  // JSON template with {{placeholders}}; default: every field
  std::string secret;            // signs requests and receipts (HMAC-SHA256); $REGUA_WEBHOOK_SECRET overrides
  bool idempotency_key = false;  // the gateway dedupes by the Idempotency-Key header
};

enum class SmtpSecurity { starttls, tls };

// E-mail over SMTP, always encrypted: STARTTLS (port 587) or implicit TLS (port 465).
struct SmtpOptions {
  std::string host;
  int port = 587;
  SmtpSecurity security = SmtpSecurity::starttls;
  std::string username;
  std::string password;   // secret; $REGUA_SMTP_PASSWORD overrides
  std::string from;       // the sender's address
  std::string from_name;  // default: the store's name
};

struct ChannelsConfig {
  FileChannelConfig file;
  ProviderKind sms = ProviderKind::file;
  ProviderKind whatsapp = ProviderKind::file;
  ProviderKind email = ProviderKind::file;
  TwilioOptions twilio;
  WhatsappCloudOptions whatsapp_cloud;
  WebhookOptions webhook;
  SmtpOptions smtp;
  std::optional<std::filesystem::path> ca_file;  // trusted in addition to the system's CAs
  std::string callback_url;              // the agent's HTTP server as the providers reach it (https://...)
  int concurrency = 4;                   // provider calls in flight at once
  int max_attempts = 5;                  // per message, for retryable failures
  std::chrono::seconds retry_delay{30};  // before the 2nd attempt; doubles each time, at most 15 min
  std::chrono::seconds timeout{30};      // per provider call

  // The provider of a contact channel ("sms", "whatsapp", "email").
  [[nodiscard]] ProviderKind provider_of(std::string_view channel) const {
    if (channel == "whatsapp") return whatsapp;
    if (channel == "email") return email;
    return sms;
  }
};

}  // namespace regua
