// [channels] and its providers: defaults, every key, secrets from the environment, and mistakes
// named with file, line and key (and never with a secret's value).

#include <cstdlib>

#include <gtest/gtest.h>

#include "agent/config/config.hpp"
#include "tests/support/minimal_config.hpp"

namespace regua {
namespace {

class ChannelsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { clear_env(); }
  void TearDown() override { clear_env(); }
  static void clear_env() {
    for (const char* name : {"REGUA_TWILIO_AUTH_TOKEN", "REGUA_WHATSAPP_ACCESS_TOKEN",
                             "REGUA_WHATSAPP_APP_SECRET", "REGUA_WHATSAPP_VERIFY_TOKEN",
                             "REGUA_WEBHOOK_AUTH_HEADER", "REGUA_WEBHOOK_SECRET", "REGUA_SMTP_PASSWORD"})
      ::unsetenv(name);
  }
  static Result<AgentConfig> parse(const std::string& extra) { return test::parse_minimal_plus(extra); }
};

TEST_F(ChannelsConfigTest, EveryChannelGoesToTheFileOutboxByDefault) {
  auto c = parse("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& ch = c->channels;
  EXPECT_EQ(ch.sms, ProviderKind::file);
  EXPECT_EQ(ch.whatsapp, ProviderKind::file);
  EXPECT_EQ(ch.email, ProviderKind::file);
  EXPECT_EQ(ch.concurrency, 4);
  EXPECT_EQ(ch.max_attempts, 5);
  EXPECT_EQ(ch.retry_delay, std::chrono::seconds{30});
  EXPECT_EQ(ch.timeout, std::chrono::seconds{30});
  EXPECT_FALSE(ch.ca_file);
  EXPECT_TRUE(ch.callback_url.empty());
  EXPECT_EQ(ch.twilio.base_url, "https://api.twilio.com");
  EXPECT_EQ(ch.whatsapp_cloud.base_url, "https://graph.facebook.com");
  EXPECT_EQ(ch.whatsapp_cloud.language, "pt_BR");
  EXPECT_EQ(ch.smtp.port, 587);
  EXPECT_EQ(ch.smtp.from_name, "centro") << "the store's name";
}

TEST_F(ChannelsConfigTest, ReadsEveryKeyOfEveryProvider) {
  auto c = parse(R"(
[channels]
ca_file = "pki/ca.crt"
callback_url = "https://regua.loja.example/"
concurrency = 2
max_attempts = 3
retry_delay_seconds = 5
timeout_seconds = 12
[channels.sms]
provider = "twilio"
[channels.whatsapp]
provider = "whatsapp_cloud"
[channels.email]
provider = "smtp"
[channels.twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token = "tok"
from = "+5511900000000"
base_url = "https://twilio.stand-in:8443"
status_callback = false
[channels.whatsapp_cloud]
phone_number_id = "106540352242922"
access_token = "wa-token"
app_secret = "wa-secret"
verify_token = "wa-verify"
api_version = "v21.0"
template = "regua_aviso"
language = "pt_BR"
templates = { birthday = "regua_aniversario" }
[channels.smtp]
host = "smtp.loja.example"
security = "tls"
username = "loja"
password = "senha"
from = "loja@loja.example"
from_name = "Loja Centro"
[channels.webhook]
url = "https://gateway.example/send"
auth_header = "Authorization: Bearer gw"
secret = "gw-secret"
idempotency_key = true
body = '{"numero": "{{to}}", "mensagem": "{{text}}"}'
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& ch = c->channels;
  EXPECT_EQ(ch.ca_file, std::filesystem::path("/etc/regua/pki/ca.crt"));
  EXPECT_EQ(ch.callback_url, "https://regua.loja.example") << "without its trailing slash";
  EXPECT_EQ(ch.concurrency, 2);
  EXPECT_EQ(ch.max_attempts, 3);
  EXPECT_EQ(ch.retry_delay, std::chrono::seconds{5});
  EXPECT_EQ(ch.timeout, std::chrono::seconds{12});
  EXPECT_EQ(ch.provider_of("sms"), ProviderKind::twilio);
  EXPECT_EQ(ch.provider_of("whatsapp"), ProviderKind::whatsapp_cloud);
  EXPECT_EQ(ch.provider_of("email"), ProviderKind::smtp);
  EXPECT_EQ(ch.twilio.account_sid, "AC0123456789abcdef0123456789abcdef");
  EXPECT_EQ(ch.twilio.auth_token, "tok");
  EXPECT_EQ(ch.twilio.from, "+5511900000000");
  EXPECT_EQ(ch.twilio.base_url, "https://twilio.stand-in:8443");
  EXPECT_FALSE(ch.twilio.status_callback);
  EXPECT_EQ(ch.whatsapp_cloud.phone_number_id, "106540352242922");
  EXPECT_EQ(ch.whatsapp_cloud.access_token, "wa-token");
  EXPECT_EQ(ch.whatsapp_cloud.app_secret, "wa-secret");
  EXPECT_EQ(ch.whatsapp_cloud.verify_token, "wa-verify");
  EXPECT_EQ(ch.whatsapp_cloud.api_version, "v21.0");
  EXPECT_EQ(ch.whatsapp_cloud.template_name, "regua_aviso");
  EXPECT_EQ(ch.whatsapp_cloud.templates.at("birthday"), "regua_aniversario");
  EXPECT_EQ(ch.smtp.host, "smtp.loja.example");
  EXPECT_EQ(ch.smtp.security, SmtpSecurity::tls);
  EXPECT_EQ(ch.smtp.port, 465) << "implicit TLS's port unless given";
  EXPECT_EQ(ch.smtp.password, "senha");
  EXPECT_EQ(ch.smtp.from_name, "Loja Centro");
  EXPECT_EQ(ch.webhook.url, "https://gateway.example/send");
  EXPECT_EQ(ch.webhook.auth_header, "Authorization: Bearer gw");
  EXPECT_TRUE(ch.webhook.idempotency_key);
  EXPECT_EQ(ch.webhook.body, R"({"numero": "{{to}}", "mensagem": "{{text}}"})");
}

TEST_F(ChannelsConfigTest, SecretsComeFromTheEnvironmentWhenSetThere) {
  ::setenv("REGUA_TWILIO_AUTH_TOKEN", "from-env-twilio", 1);
  ::setenv("REGUA_WHATSAPP_ACCESS_TOKEN", "from-env-wa", 1);
  ::setenv("REGUA_WHATSAPP_APP_SECRET", "from-env-app", 1);
  ::setenv("REGUA_WHATSAPP_VERIFY_TOKEN", "from-env-verify", 1);
  ::setenv("REGUA_WEBHOOK_AUTH_HEADER", "X-Api-Key: from-env", 1);
  ::setenv("REGUA_WEBHOOK_SECRET", "from-env-hook", 1);
  ::setenv("REGUA_SMTP_PASSWORD", "from-env-smtp", 1);
  auto c = parse(R"(
[channels.sms]
provider = "twilio"
[channels.twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token = "in-the-file"
messaging_service_sid = "MG0123"
[channels.whatsapp]
provider = "whatsapp_cloud"
[channels.whatsapp_cloud]
phone_number_id = "1065"
template = "regua_aviso"
[channels.email]
provider = "smtp"
[channels.smtp]
host = "smtp.loja.example"
username = "loja"
from = "loja@loja.example"
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& ch = c->channels;
  EXPECT_EQ(ch.twilio.auth_token, "from-env-twilio") << "the environment wins";
  EXPECT_EQ(ch.whatsapp_cloud.access_token, "from-env-wa");
  EXPECT_EQ(ch.whatsapp_cloud.app_secret, "from-env-app");
  EXPECT_EQ(ch.whatsapp_cloud.verify_token, "from-env-verify");
  EXPECT_EQ(ch.webhook.auth_header, "X-Api-Key: from-env");
  EXPECT_EQ(ch.webhook.secret, "from-env-hook");
  EXPECT_EQ(ch.smtp.password, "from-env-smtp");
}

TEST_F(ChannelsConfigTest, AProviderInUseNeedsItsSettings) {
  auto c = parse(R"(
[channels.sms]
provider = "twilio"
[channels.whatsapp]
provider = "whatsapp_cloud"
[channels.email]
provider = "smtp"
[channels.twilio]
account_sid = "AC123"
[channels.whatsapp_cloud]
phone_number_id = "12ab"
[channels.smtp]
from = "not-an-address"
username = "loja"
)");
  ASSERT_FALSE(c.ok());
  const auto& m = c.error().message;
  for (const char* expected : {
           "[channels.twilio] account_sid: needs the account's SID",
           "[channels.twilio] auth_token: needs the account's Auth Token: set auth_token or "
           "$REGUA_TWILIO_AUTH_TOKEN",
           "[channels.twilio] from: give exactly one of from",
           "[channels.whatsapp_cloud] phone_number_id: needs the business phone number's id",
           "[channels.whatsapp_cloud] access_token: needs a system user's access token",
           "[channels.whatsapp_cloud] template: needs the name of the approved template",
           "[channels.smtp] host: needs the SMTP server's host name",
           "[channels.smtp] from: needs the sender's address",
           "[channels.smtp] username: give both username and password",
       }) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << "\n" << m;
  }
  EXPECT_TRUE(parse("[channels.twilio]\naccount_sid = \"AC123\"\n").ok())
      << "a provider nobody uses is not checked";
}

TEST_F(ChannelsConfigTest, MistakesNameTheLineAndKeyButNeverASecret) {
  auto c = parse(R"(
[channels]
callback_url = "http://regua.loja.example"
concurrency = 0
[channels.sms]
provider = "zenvia"
[channels.whatsapp]
provider = "twilio"
[channels.twilio]
base_url = "http://api.twilio.com"
colour = "blue"
[channels.webhook]
url = "https://gateway.example"
auth_header = "Bearer very-secret-value"
body = '{"x": {{phone}}}'
)");
  ASSERT_FALSE(c.ok());
  const auto& m = c.error().message;
  for (const char* expected : {
           "agent.toml:10: [channels] callback_url: \"http://regua.loja.example\" is not an https:// address",
           "agent.toml:11: [channels] concurrency: 0 is out of range (allowed: 1 to 32)",
           "agent.toml:13: [channels.sms] provider: \"zenvia\" is not allowed (allowed: \"file\", "
           "\"twilio\", "
           "\"webhook\")",
           "agent.toml:15: [channels.whatsapp] provider: \"twilio\" is not allowed (allowed: \"file\", "
           "\"whatsapp_cloud\", \"webhook\")",
           "agent.toml:17: [channels.twilio] base_url: \"http://api.twilio.com\" is not an https:// address",
           "agent.toml:18: [channels.twilio] has an unknown key \"colour\"",
           "agent.toml:21: [channels.webhook] auth_header: must be one header line \"Name: value\"",
           "agent.toml:22: [channels.webhook] body: {{phone}} is not a placeholder",
       }) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << "\n" << m;
  }
  EXPECT_EQ(m.find("very-secret-value"), std::string::npos) << m;
}

}  // namespace
}  // namespace regua
