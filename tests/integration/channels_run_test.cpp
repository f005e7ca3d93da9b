// `regua-agent run` with real channels against stand-in providers: the rules' messages reach Twilio
// and WhatsApp Cloud once, in their documented formats; the providers' callbacks (receipts, inbound
// replies) are taken only with a good signature; a customer's "SAIR" stops the next message; and no
// secret ever reaches the log, even with debug logs on.

#include <cstdlib>

#include <gtest/gtest.h>

#include "agent/channels/form_encoding.hpp"
#include "agent/channels/signatures.hpp"
#include "tests/integration/channels_support.hpp"

namespace regua {
namespace {

using test::ChannelStore;
using test::eventually;
using test::ledger_value;
using test::ProviderStandin;

constexpr const char* kAppSecret = "meta-app-secret-5ecret";
constexpr const char* kVerifyToken = "meta-verify-token-5ecret";

class SecretsInEnvironment {
 public:
  SecretsInEnvironment() {
    ::setenv("REGUA_TWILIO_AUTH_TOKEN", ProviderStandin::kAuthToken, 1);
    ::setenv("REGUA_WHATSAPP_ACCESS_TOKEN", ProviderStandin::kWhatsappToken, 1);
    ::setenv("REGUA_WHATSAPP_APP_SECRET", kAppSecret, 1);
    ::setenv("REGUA_WHATSAPP_VERIFY_TOKEN", kVerifyToken, 1);
  }
  ~SecretsInEnvironment() {
    for (const char* name : {"REGUA_TWILIO_AUTH_TOKEN", "REGUA_WHATSAPP_ACCESS_TOKEN",
                             "REGUA_WHATSAPP_APP_SECRET", "REGUA_WHATSAPP_VERIFY_TOKEN"})
      ::unsetenv(name);
  }
};

void expect_no_secret_in(const std::string& log) {
  ASSERT_FALSE(log.empty());
  for (const char* secret :
       {ProviderStandin::kAuthToken, ProviderStandin::kWhatsappToken, kAppSecret, kVerifyToken, "5ecret"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log holds the secret " << secret;
  }
}

// A Twilio callback, signed as Twilio signs it (or not).
httplib::Result post_twilio(const ChannelStore& s, const std::string& path, const FormFields& form,
                            const std::string& token = ProviderStandin::kAuthToken, bool sign = true) {
  httplib::Headers headers;
  if (sign)
    headers.emplace("X-Twilio-Signature", twilio_signature(token, "https://regua.loja.example" + path, form));
  return s.client().Post(path, headers, form_encode(form), "application/x-www-form-urlencoded");
}

httplib::Result post_whatsapp(const ChannelStore& s, const nlohmann::json& body,
                              const std::string& secret = kAppSecret, bool sign = true) {
  const std::string text = body.dump();
  httplib::Headers headers;
  if (sign) headers.emplace("X-Hub-Signature-256", sha256_signature(secret, text));
  return s.client().Post("/api/v1/channels/whatsapp", headers, text, "application/json");
}

nlohmann::json whatsapp_webhook(const nlohmann::json& value) {
  nlohmann::json v = value;
  v["messaging_product"] = "whatsapp";
  v["metadata"] = {{"display_phone_number", "5511900000000"},
                   {"phone_number_id", ProviderStandin::kPhoneNumberId}};
  return {{"object", "whatsapp_business_account"},
          {"entry", {{{"id", "1314702302917944"}, {"changes", {{{"field", "messages"}, {"value", v}}}}}}}};
}

std::int64_t refused(const test::AgentStore& store, const std::string& endpoint, const std::string& reason) {
  const auto status = store.status();
  for (const auto& r : status["callbacks_refused"]) {
    if (r["endpoint"] == endpoint && r["reason"] == reason) return r["count"].get<std::int64_t>();
  }
  return 0;
}

TEST(ChannelsRun, TwilioSmsReceiptsAndAnInboundOptOutThatStopsTheNextMessage) {
  SecretsInEnvironment secrets;
  ChannelStore s;
  test::configure_rules(s.store);
  s.configure("[channels.sms]\nprovider = \"twilio\"\n");
  auto agent = s.start_agent();
  test::append_file(s.store.pos_file, test::sale_due_now("S-1", "C-1", "Ana Souza", "(11) 98765-0001") +
                                          test::sale_due_now("S-2", "C-2", "Bruno Lima", "(11) 98765-0002"));
  ASSERT_TRUE(eventually([&] {
    return ledger_value(s.store,
                        "SELECT count(*) FROM messages WHERE state = 'sent' AND sender = 'twilio'") == "2";
  })) << s.log();
  auto requests = s.standin.requests();
  ASSERT_EQ(requests.size(), 2U);
  const auto& ana = requests[0].to == "+5511987650001" ? requests[0] : requests[1];
  EXPECT_EQ(ana.form.at("From"), "+5511900000000");
  EXPECT_NE(ana.text.find("Oi, Ana! Obrigado pela visita à Loja de Teste."), std::string::npos) << ana.text;
  const std::string id = ledger_value(s.store, "SELECT id FROM messages WHERE recipient = '+5511987650001'");
  const std::string sid = ledger_value(s.store, "SELECT provider_id FROM messages WHERE id = " + id);
  ASSERT_TRUE(sid.starts_with("SM")) << sid;
  const std::string status_path = "/api/v1/channels/twilio/status?ref=centro-" + id;
  EXPECT_EQ(ana.form.at("StatusCallback"), "https://regua.loja.example" + status_path);

  // Receipts: a good signature is recorded; a bad one, none, or an unknown message is refused and counted.
  const FormFields delivered{{"MessageSid", sid}, {"MessageStatus", "delivered"}, {"AccountSid", "AC0"}};
  auto r = post_twilio(s, status_path, delivered, "another-token");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("X-Twilio-Signature does not match"), std::string::npos) << r->body;
  r = post_twilio(s, status_path, delivered, ProviderStandin::kAuthToken, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("no X-Twilio-Signature header"), std::string::npos) << r->body;
  EXPECT_EQ(ledger_value(s.store, "SELECT delivery FROM messages WHERE id = " + id), "");
  r = post_twilio(s, status_path, delivered);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204) << r->body;
  EXPECT_EQ(ledger_value(s.store, "SELECT delivery FROM messages WHERE id = " + id), "delivered");
  r = post_twilio(s, "/api/v1/channels/twilio/status?ref=centro-999",
                  {{"MessageSid", "SM999"}, {"MessageStatus", "delivered"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("no message SM999"), std::string::npos) << r->body;
  const std::string bruno_id =
      ledger_value(s.store, "SELECT id FROM messages WHERE recipient = '+5511987650002'");
  r = post_twilio(
      s, "/api/v1/channels/twilio/status?ref=centro-" + bruno_id,
      {{"MessageSid", ledger_value(s.store, "SELECT provider_id FROM messages WHERE id = " + bruno_id)},
       {"MessageStatus", "undelivered"},
       {"ErrorCode", "30003"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(
      ledger_value(s.store, "SELECT delivery || ' ' || delivery_error FROM messages WHERE id = " + bruno_id),
      "failed Twilio error 30003");

  // Ana answers "Sair!": an opt-out of SMS from her number.
  r = post_twilio(
      s, "/api/v1/channels/twilio/inbound",
      {{"From", "+5511987650001"}, {"To", "+5511900000000"}, {"Body", "Sair!"}, {"MessageSid", "SM1"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("<Response>"), std::string::npos) << r->body;
  EXPECT_EQ(ledger_value(s.store,
                         "SELECT granted || ' ' || source FROM consents WHERE channel = 'sms' AND "
                         "customer_id = (SELECT id FROM customers WHERE pos_id = 'C-1')"),
            "0 inbound:sms");
  r = post_twilio(s, "/api/v1/channels/twilio/inbound", {{"From", "+5511987650002"}, {"Body", "Obrigado!"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(ledger_value(s.store, "SELECT count(*) FROM consents"), "1") << "a thank-you is not an opt-out";

  // Both buy again: Bruno gets his message, Ana's is skipped for her opt-out.
  test::append_file(s.store.pos_file, test::sale_due_now("S-3", "C-1", "Ana Souza", "(11) 98765-0001") +
                                          test::sale_due_now("S-4", "C-2", "Bruno Lima", "(11) 98765-0002"));
  ASSERT_TRUE(eventually([&] {
    return ledger_value(s.store, "SELECT count(*) FROM messages WHERE state = 'sent'") == "3" &&
           ledger_value(s.store, "SELECT count(*) FROM decisions WHERE reason = 'opted_out'") == "1";
  })) << s.log();
  requests = s.standin.requests();
  ASSERT_EQ(requests.size(), 3U);
  EXPECT_EQ(requests[2].to, "+5511987650002");
  auto why = test::run_command(s.store.command({"why", "C-1"}));
  EXPECT_NE(why.out.find("skipped (opted_out)"), std::string::npos) << why.out;

  const auto status = s.store.status();
  EXPECT_EQ(status["messages"]["sent"], 3);
  EXPECT_EQ(status["deliveries"]["delivered"], 1);
  EXPECT_EQ(status["deliveries"]["undelivered"], 1);
  EXPECT_EQ(refused(s.store, "twilio/status", "bad_signature"), 1);
  EXPECT_EQ(refused(s.store, "twilio/status", "unsigned"), 1);
  EXPECT_EQ(refused(s.store, "twilio/status", "unknown_message"), 1);
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  expect_no_secret_in(s.log());
}

TEST(ChannelsRun, WhatsappTemplatesTheVerifyHandshakeSignedStatusesAndReplies) {
  SecretsInEnvironment secrets;
  ChannelStore s;
  test::configure_rules(s.store, "[rules.cap]\nmax_messages = 0\n");
  test::write_file(s.store.dir / "regras.toml", R"([[rule]]
id = "obrigado-wa"
trigger = { kind = "after_purchase", delay = "1h" }
action = { kind = "message", channel = "whatsapp", template = "Oi{?, {first_name}}! Obrigado pela visita à {store}." }
)");
  s.configure("[channels.whatsapp]\nprovider = \"whatsapp_cloud\"\n");
  std::string config = test::read_file(s.store.config);
  config.replace(config.find("[rules]\n"), 8, "[rules]\nfile = \"regras.toml\"\n");
  test::write_file(s.store.config, config);
  auto agent = s.start_agent();

  // Meta's handshake when the webhook is registered.
  auto r = s.client().Get(
      "/api/v1/channels/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=" +
      std::string(kVerifyToken));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1158201444");
  r = s.client().Get("/api/v1/channels/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);

  test::append_file(s.store.pos_file, test::sale_due_now("S-1", "C-1", "Ana Souza", "(11) 98765-0001"));
  ASSERT_TRUE(eventually([&] {
    return ledger_value(s.store,
                        "SELECT count(*) FROM messages WHERE state = 'sent' AND sender = "
                        "'whatsapp_cloud'") == "1";
  })) << s.log();
  const auto requests = s.standin.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].api, "whatsapp");
  EXPECT_EQ(requests[0].to, "5511987650001");
  EXPECT_EQ(requests[0].json["template"]["name"], "regua_aviso");
  EXPECT_EQ(requests[0].text, "Oi, Ana! Obrigado pela visita à Loja de Teste.");
  const std::string id = ledger_value(s.store, "SELECT id FROM messages WHERE channel = 'whatsapp'");
  const std::string wamid = ledger_value(s.store, "SELECT provider_id FROM messages WHERE id = " + id);
  ASSERT_TRUE(wamid.starts_with("wamid.")) << wamid;

  const auto read = whatsapp_webhook({{"statuses",
                                       {{{"id", wamid},
                                         {"status", "read"},
                                         {"timestamp", "1750857384"},
                                         {"recipient_id", "5511987650001"},
                                         {"biz_opaque_callback_data", "centro-" + id}}}}});
  r = post_whatsapp(s, read, "not-the-app-secret");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = post_whatsapp(s, read, kAppSecret, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(ledger_value(s.store, "SELECT count(*) FROM message_receipts"), "0");
  r = post_whatsapp(s, read);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(ledger_value(s.store, "SELECT delivery FROM messages WHERE id = " + id), "read");
  r = post_whatsapp(s, whatsapp_webhook({{"statuses", {{{"id", "wamid.OTHER"}, {"status", "delivered"}}}}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << "a status about no message of ours";
  r = s.client().Post("/api/v1/channels/whatsapp",
                      {{"X-Hub-Signature-256", sha256_signature(kAppSecret, "{")}}, "{", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);

  // "Parar" from a WhatsApp account still on the 8-digit number: the same person.
  r = post_whatsapp(
      s, whatsapp_webhook({{"contacts", {{{"profile", {{"name", "Ana"}}}, {"wa_id", "551187650001"}}}},
                           {"messages",
                            {{{"from", "551187650001"},
                              {"id", "wamid.IN1"},
                              {"timestamp", "1750857390"},
                              {"type", "text"},
                              {"text", {{"body", "Parar."}}}}}}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(ledger_value(s.store, "SELECT granted || ' ' || source FROM consents WHERE channel = 'whatsapp'"),
            "0 inbound:whatsapp");
  EXPECT_EQ(ledger_value(s.store, "SELECT count(*) FROM consents WHERE channel = 'sms'"), "0")
      << "per channel";

  EXPECT_EQ(refused(s.store, "whatsapp", "bad_signature"), 2) << "the app secret and the verify token";
  EXPECT_EQ(refused(s.store, "whatsapp", "unsigned"), 1);
  EXPECT_EQ(refused(s.store, "whatsapp", "unknown_message"), 1);
  EXPECT_EQ(refused(s.store, "whatsapp", "malformed"), 1);
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  expect_no_secret_in(s.log());
}

TEST(ChannelsRun, TheWebhookChannelSignsItsRequestsAndChecksItsReceipts) {
  ChannelStore s;
  test::configure_rules(s.store);
  s.configure("[channels.sms]\nprovider = \"webhook\"\n[channels.webhook]\nurl = \"" + s.standin.base_url() +
              "/webhook\"\nsecret = \"gateway-secret-5ecret\"\nauth_header = \"X-Api-Key: key-5ecret\"\n");
  auto agent = s.start_agent();
  test::append_file(s.store.pos_file, test::sale_due_now("S-1", "C-1", "Ana Souza", "(11) 98765-0001"));
  ASSERT_TRUE(eventually([&] { return ledger_value(s.store, "SELECT state FROM messages") == "sent"; }))
      << s.log();
  const auto requests = s.standin.requests();
  ASSERT_EQ(requests.size(), 1U);
  const auto& r = requests[0];
  EXPECT_EQ(r.json["to"], "+5511987650001");
  EXPECT_EQ(r.json["channel"], "sms");
  EXPECT_EQ(r.json["customer"], "C-1");
  EXPECT_EQ(r.json["rule"], "rating-1h");
  const std::string id = ledger_value(s.store, "SELECT id FROM messages");
  EXPECT_EQ(r.json["ref"], "centro-" + id);
  EXPECT_EQ(r.json["id"], std::stoll(id));
  EXPECT_EQ(r.idempotency_key, "") << "not asked for";
  EXPECT_EQ(r.headers.at("x-regua-signature-256"), sha256_signature("gateway-secret-5ecret", r.raw_body))
      << "the body as sent is signed";

  const auto post = [&](const std::string& body, const std::string& secret) {
    httplib::Headers headers;
    if (!secret.empty()) headers.emplace("X-Regua-Signature-256", sha256_signature(secret, body));
    return s.client().Post("/api/v1/channels/webhook/status", headers, body, "application/json");
  };
  const std::string delivered = R"({"ref": "centro-)" + id + R"(", "status": "delivered"})";
  auto res = post(delivered, "another-secret");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  res = post(delivered, "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  res = post(R"({"ref": "centro-)" + id + R"(", "status": "lost"})", "gateway-secret-5ecret");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  res = post(R"({"ref": "outra-loja-)" + id + R"(", "status": "delivered"})", "gateway-secret-5ecret");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404) << "another store's message";
  EXPECT_EQ(ledger_value(s.store, "SELECT count(*) FROM message_receipts"), "0");
  res = post(delivered, "gateway-secret-5ecret");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204) << res->body;
  EXPECT_EQ(ledger_value(s.store, "SELECT delivery FROM messages"), "delivered");
  EXPECT_EQ(refused(s.store, "webhook/status", "bad_signature"), 1);
  EXPECT_EQ(refused(s.store, "webhook/status", "unsigned"), 1);
  EXPECT_EQ(refused(s.store, "webhook/status", "malformed"), 1);
  EXPECT_EQ(refused(s.store, "webhook/status", "unknown_message"), 1);
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  EXPECT_EQ(s.log().find("5ecret"), std::string::npos) << "neither the secret nor the auth header is logged";
}

TEST(ChannelsRun, ASlowProviderDoesNotHoldUpIngest) {
  SecretsInEnvironment secrets;
  ChannelStore s;
  test::configure_rules(s.store);
  s.configure("[channels.sms]\nprovider = \"twilio\"\n");
  std::string config = test::read_file(s.store.config);
  config.replace(config.find("retry_delay_seconds = 1\n"), 24,
                 "retry_delay_seconds = 1\ntimeout_seconds = 120\n");
  test::write_file(s.store.config, config);
  s.standin.set_latency(std::chrono::seconds(90));
  auto agent = s.start_agent();
  test::append_file(s.store.pos_file, test::sale_due_now("S-1", "C-1", "Ana Souza", "(11) 98765-0001"));
  // The provider has the request and takes its time answering...
  ASSERT_TRUE(eventually([&] { return s.standin.count() == 1; })) << s.log();
  // ...while the POS goes on selling: the sales reach the ledger all the same.
  for (int i = 2; i <= 4; ++i) {
    test::append_file(
        s.store.pos_file,
        test::sale_line("S-" + std::to_string(i), test::iso_utc(test::unix_now()), "C-" + std::to_string(i),
                        "Cliente", "(11) 98765-000" + std::to_string(i)));
  }
  ASSERT_TRUE(eventually([&] { return ledger_value(s.store, "SELECT count(*) FROM sales") == "4"; }))
      << s.log();
  EXPECT_EQ(ledger_value(s.store, "SELECT state FROM messages WHERE recipient = '+5511987650001'"), "sending")
      << "the sales were taken while the provider had not answered yet";
  agent->signal(SIGKILL);
  agent->wait();
}

TEST(ChannelsRun, SecretsWrittenInTheFileStayOutOfTheLogWhenTheProviderRefusesThem) {
  ChannelStore s;
  test::configure_rules(s.store);
  s.configure("[channels.sms]\nprovider = \"twilio\"\n");
  std::string config = test::read_file(s.store.config);
  config.replace(config.find("[channels.twilio]\n"), 18,
                 "[channels.twilio]\nauth_token = \"wrong-token-5ecret\"\n");
  test::write_file(s.store.config, config);
  auto agent = s.start_agent();
  test::append_file(s.store.pos_file, test::sale_due_now("S-1", "C-1", "Ana Souza", "(11) 98765-0001"));
  ASSERT_TRUE(eventually([&] { return ledger_value(s.store, "SELECT state FROM messages") == "failed"; }))
      << s.log();
  EXPECT_EQ(s.standin.count(), 1U) << "an authentication error is not retried";
  const auto error = ledger_value(s.store, "SELECT error FROM messages");
  EXPECT_NE(error.find("error 20003"), std::string::npos) << error;
  EXPECT_NE(error.find("check [channels.twilio] account_sid and auth_token"), std::string::npos) << error;
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  const auto log = s.log();
  EXPECT_NE(log.find("error 20003"), std::string::npos) << "the failure is in the log";
  EXPECT_NE(log.find(" debug: "), std::string::npos) << "debug logs were on";
  expect_no_secret_in(log);
}

}  // namespace
}  // namespace regua
