#include <algorithm>
#include <cstdlib>

#include "agent/channels/webhook_body.hpp"
#include "agent/config/channels_options_reader.hpp"

namespace regua {
namespace {

const toml::table* channel_subtable(const toml::table* channels, std::string_view key, ConfigErrors& errors) {
  if (channels == nullptr || !channels->contains(key)) return nullptr;
  const toml::node* node = channels->get(key);
  if (node->is_table()) return node->as_table();
  errors.add(node->source(),
             "channels." + std::string(key) + " must be a table: [channels." + std::string(key) + "]");
  return nullptr;
}

// An https:// address without a trailing slash. Certificates are always verified, so plain http
// is not offered: a provider's address is on the internet.
void read_https_url(TomlTable& t, std::string_view key, std::string& into) {
  auto url = t.string(key);
  if (!url) return;
  if (!url->starts_with("https://") || url->size() <= 8) {
    t.bad_value(key, "\"" + *url + "\" is not an https:// address (write it whole: \"https://...\")");
    return;
  }
  while (url->ends_with('/'))
    url->pop_back();
  into = *url;
}

// A secret from the file, replaced by the environment variable `env` when that is set.
void read_secret(TomlTable& t, std::string_view key, const char* env, std::string& into) {
  if (auto value = t.string(key)) into = *value;
  if (const char* from_env = std::getenv(env); from_env != nullptr && *from_env != '\0') into = from_env;
}

bool all_of_chars(std::string_view s, bool (*ok)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), ok);
}

bool is_hex_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_digit_char(char c) {
  return c >= '0' && c <= '9';
}

bool is_template_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

std::optional<ProviderKind> provider_from_name(std::string_view name) {
  for (const auto kind : {ProviderKind::file, ProviderKind::twilio, ProviderKind::whatsapp_cloud,
                          ProviderKind::webhook, ProviderKind::smtp}) {
    if (provider_name(kind) == name) return kind;
  }
  return std::nullopt;
}

void read_contact_channel(const toml::table* channels, std::string_view channel,
                          std::initializer_list<std::string_view> allowed, ProviderKind& into,
                          ConfigErrors& errors) {
  TomlTable t(channel_subtable(channels, channel, errors), "[channels." + std::string(channel) + "]", errors);
  if (auto provider = t.choice("provider", allowed)) into = *provider_from_name(*provider);
  t.reject_unknown_keys();
}

void read_twilio(const toml::table* channels, bool used, TwilioOptions& o, ConfigErrors& errors) {
  const toml::table* table = channel_subtable(channels, "twilio", errors);
  TomlTable t(table, "[channels.twilio]", errors);
  if (auto sid = t.string("account_sid")) o.account_sid = *sid;
  read_secret(t, "auth_token", "REGUA_TWILIO_AUTH_TOKEN", o.auth_token);
  if (auto from = t.string("from")) o.from = *from;
  if (auto service = t.string("messaging_service_sid")) o.messaging_service_sid = *service;
  read_https_url(t, "base_url", o.base_url);
  o.status_callback = t.boolean("status_callback").value_or(o.status_callback);
  t.reject_unknown_keys();
  if (!used) return;
  if (o.account_sid.size() != 34 || !o.account_sid.starts_with("AC") ||
      !all_of_chars(std::string_view(o.account_sid).substr(2), is_hex_char)) {
    t.bad_value("account_sid",
                "needs the account's SID: \"AC\" and 32 hexadecimal digits (Twilio Console, "
                "Account Info)");
  }
  if (o.auth_token.empty()) {
    t.bad_value("auth_token", "needs the account's Auth Token: set auth_token or $REGUA_TWILIO_AUTH_TOKEN");
  }
  const bool from_ok = o.from.size() > 1 && o.from[0] == '+' && all_of_chars(o.from.substr(1), is_digit_char);
  if (!o.from.empty() && !from_ok) {
    t.bad_value("from", "\"" + o.from + "\" is not a number in E.164 (\"+5511...\")");
  }
  if (!o.messaging_service_sid.empty() && !o.messaging_service_sid.starts_with("MG")) {
    t.bad_value("messaging_service_sid",
                "\"" + o.messaging_service_sid + "\" is not a Messaging Service SID (MG...)");
  }
  if (o.from.empty() == o.messaging_service_sid.empty()) {
    t.bad_value("from",
                "give exactly one of from (the sending number, \"+5511...\") and messaging_service_sid");
  }
}

void read_whatsapp_cloud(const toml::table* channels, bool used, WhatsappCloudOptions& o,
                         ConfigErrors& errors) {
  const toml::table* table = channel_subtable(channels, "whatsapp_cloud", errors);
  TomlTable t(table, "[channels.whatsapp_cloud]", errors);
  if (auto id = t.string("phone_number_id")) o.phone_number_id = *id;
  read_secret(t, "access_token", "REGUA_WHATSAPP_ACCESS_TOKEN", o.access_token);
  read_secret(t, "app_secret", "REGUA_WHATSAPP_APP_SECRET", o.app_secret);
  read_secret(t, "verify_token", "REGUA_WHATSAPP_VERIFY_TOKEN", o.verify_token);
  read_https_url(t, "base_url", o.base_url);
  if (auto version = t.string("api_version")) {
    if (version->size() < 2 || (*version)[0] != 'v') {
      t.bad_value("api_version", "\"" + *version + "\" is not a Graph API version (e.g. \"v22.0\")");
    } else {
      o.api_version = *version;
    }
  }
  const auto template_name = [&](std::string_view key, const std::string& name) {
    if (all_of_chars(name, is_template_char)) return true;
    t.bad_value(key, "\"" + name +
                         "\" is not a template name (lower-case letters, digits and '_', as in WhatsApp "
                         "Manager)");
    return false;
  };
  if (auto name = t.string("template"); name && template_name("template", *name)) o.template_name = *name;
  if (auto language = t.string("language")) o.language = *language;
  if (const toml::node* node = t.get("templates")) {
    if (const toml::table* per_rule = node->as_table()) {
      for (const auto& [rule, value] : *per_rule) {
        const auto* name = value.as_string();
        if (name == nullptr || !all_of_chars(name->get(), is_template_char)) {
          errors.add(value.source(), "[channels.whatsapp_cloud.templates] " + std::string(rule.str()) +
                                         ": must be a template name (lower-case letters, digits and '_')");
          continue;
        }
        o.templates[std::string(rule.str())] = name->get();
      }
    } else {
      t.bad_value("templates", "must be a table of rule id = \"template name\"");
    }
  }
  t.reject_unknown_keys();
  if (!used) return;
  if (!all_of_chars(o.phone_number_id, is_digit_char)) {
    t.bad_value("phone_number_id",
                "needs the business phone number's id (digits; WhatsApp Manager, API Setup)");
  }
  if (o.access_token.empty()) {
    t.bad_value("access_token",
                "needs a system user's access token: set access_token or $REGUA_WHATSAPP_ACCESS_TOKEN");
  }
  if (o.template_name.empty()) {
    t.bad_value("template",
                "needs the name of the approved template whose body carries the text as {{1}} "
                "(docs/channels.md)");
  }
}

void read_webhook(const toml::table* channels, bool used, WebhookOptions& o, ConfigErrors& errors) {
  const toml::table* table = channel_subtable(channels, "webhook", errors);
  TomlTable t(table, "[channels.webhook]", errors);
  read_https_url(t, "url", o.url);
  read_secret(t, "auth_header", "REGUA_WEBHOOK_AUTH_HEADER", o.auth_header);
  if (!o.auth_header.empty()) {
    const auto colon = o.auth_header.find(':');
    if (colon == std::string::npos || colon == 0 ||
        o.auth_header.find_first_of("\r\n") != std::string::npos) {
      // The value is a secret: the message names the key, never the value.
      t.bad_value("auth_header",
                  "must be one header line \"Name: value\", e.g. \"Authorization: Bearer ...\"");
      o.auth_header.clear();
    }
  }
  o.body = std::string(kDefaultWebhookBody);
  if (auto body = t.string("body")) {
    if (auto why = check_webhook_body(*body)) {
      t.bad_value("body", *why);
    } else {
      o.body = *body;
    }
  }
  read_secret(t, "secret", "REGUA_WEBHOOK_SECRET", o.secret);
  o.idempotency_key = t.boolean("idempotency_key").value_or(o.idempotency_key);
  t.reject_unknown_keys();
  if (used && o.url.empty()) t.bad_value("url", "needs the gateway's address: url = \"https://...\"");
}

void read_smtp(const toml::table* channels, bool used, const std::string& store_name, SmtpOptions& o,
               ConfigErrors& errors) {
  const toml::table* table = channel_subtable(channels, "smtp", errors);
  TomlTable t(table, "[channels.smtp]", errors);
  if (auto host = t.string("host")) o.host = *host;
  if (auto security = t.choice("security", {"starttls", "tls"})) {
    o.security = *security == "tls" ? SmtpSecurity::tls : SmtpSecurity::starttls;
    if (o.security == SmtpSecurity::tls) o.port = 465;
  }
  o.port = static_cast<int>(t.integer("port", 1, 65535).value_or(o.port));
  if (auto user = t.string("username")) o.username = *user;
  read_secret(t, "password", "REGUA_SMTP_PASSWORD", o.password);
  if (auto from = t.string("from")) o.from = *from;
  o.from_name = t.string("from_name").value_or(store_name);
  t.reject_unknown_keys();
  if (!used) return;
  if (o.host.empty() || o.host.find_first_of(" /:") != std::string::npos) {
    t.bad_value("host", "needs the SMTP server's host name, e.g. \"smtp.example.com\"");
  }
  const auto at = o.from.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == o.from.size() ||
      o.from.find_first_of(" <>\r\n") != std::string::npos) {
    t.bad_value("from", "needs the sender's address, e.g. \"loja@example.com\"");
  }
  if (o.username.empty() != o.password.empty()) {
    t.bad_value("username", "give both username and password (or $REGUA_SMTP_PASSWORD), or neither");
  }
}

}  // namespace

std::string_view provider_name(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::file:
      return "file";
    case ProviderKind::twilio:
      return "twilio";
    case ProviderKind::whatsapp_cloud:
      return "whatsapp_cloud";
    case ProviderKind::webhook:
      return "webhook";
    case ProviderKind::smtp:
      return "smtp";
  }
  return "file";
}

void read_channels(const toml::table& root, const std::filesystem::path& base,
                   const std::filesystem::path& ledger, const std::string& store_name, ChannelsConfig& c,
                   ConfigErrors& errors) {
  c.file.path = ledger.parent_path() / "outbox.jsonl";
  c.smtp.from_name = store_name;
  c.webhook.body = std::string(kDefaultWebhookBody);
  if (root.contains("channels") && !root.get("channels")->is_table()) {
    errors.add(root.get("channels")->source(), "channels must be a table: [channels]");
    return;
  }
  const toml::table* table = root["channels"].as_table();
  TomlTable t(table, "[channels]", errors);
  for (const char* sub : {"file", "sms", "whatsapp", "email", "twilio", "whatsapp_cloud", "webhook", "smtp"})
    t.allow(sub);
  if (auto ca = t.string("ca_file")) {
    if (ca->empty()) {
      t.bad_value("ca_file", "must not be empty (leave the key out to trust the system's CAs only)");
    } else {
      c.ca_file = config_relative_path(base, *ca);
    }
  }
  read_https_url(t, "callback_url", c.callback_url);
  c.concurrency = static_cast<int>(t.integer("concurrency", 1, 32).value_or(c.concurrency));
  c.max_attempts = static_cast<int>(t.integer("max_attempts", 1, 20).value_or(c.max_attempts));
  if (auto delay = t.integer("retry_delay_seconds", 1, 3600)) c.retry_delay = std::chrono::seconds{*delay};
  if (auto timeout = t.integer("timeout_seconds", 1, 300)) c.timeout = std::chrono::seconds{*timeout};
  t.reject_unknown_keys();

  TomlTable f(channel_subtable(table, "file", errors), "[channels.file]", errors);
  if (auto path = f.string("path")) {
    if (path->empty()) {
      f.bad_value("path", "must not be empty");
    } else {
      c.file.path = config_relative_path(base, *path);
    }
  }
  f.reject_unknown_keys();

  read_contact_channel(table, "sms", {"file", "twilio", "webhook"}, c.sms, errors);
  read_contact_channel(table, "whatsapp", {"file", "whatsapp_cloud", "webhook"}, c.whatsapp, errors);
  read_contact_channel(table, "email", {"file", "smtp", "webhook"}, c.email, errors);
  const auto used = [&](ProviderKind kind) { return c.sms == kind || c.whatsapp == kind || c.email == kind; };
  read_twilio(table, used(ProviderKind::twilio), c.twilio, errors);
  read_whatsapp_cloud(table, used(ProviderKind::whatsapp_cloud), c.whatsapp_cloud, errors);
  read_webhook(table, used(ProviderKind::webhook), c.webhook, errors);
  read_smtp(table, used(ProviderKind::smtp), store_name, c.smtp, errors);
}

}  // namespace regua
