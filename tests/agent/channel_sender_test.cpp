// The channel sender against stand-in providers over real HTTPS (a test CA made by `openssl`), on a
// real ledger: what each provider receives, what is retried and what is not, the send-time check,
// interrupted attempts, and certificate verification.

#include "agent/channels/channel_sender.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "agent/config/config.hpp"
#include "local/identity/consents.hpp"
#include "local/ledger/ledger.hpp"
#include "local/scheduler/messages.hpp"
#include "sync/hq_orders.hpp"
#include "sync/protocol/envelope.hpp"
#include "tests/support/provider_standin.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/waiting.hpp"

namespace regua {
namespace {

using test::ProviderStandin;

class ChannelSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pki.ok()) << pki.error();
    ASSERT_TRUE(standin.started());
    auto opened = Ledger::open(LedgerOptions{dir / "ledger.db", "centro"}, clock);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    ledger.emplace(std::move(*opened));
    ASSERT_TRUE(
        ledger->db()
            .exec("INSERT INTO customers (id, pos_id, name, phone_e164, phone_kind, email, email_valid, "
                  "info_at, created_at) VALUES "
                  "(1, 'C-1', 'Ana', '+5511987650001', 'mobile', 'ana@example.com', 1, 0, 0),"
                  "(2, 'C-2', 'Bia', '+5511987650002', 'mobile', NULL, 0, 0, 0),"
                  "(3, 'C-3', 'Caio', '+5511987650003', 'mobile', NULL, 0, 0, 0)")
            .ok());
  }

  // The configuration: every channel on a stand-in provider; `extra` lines go into [channels].
  AgentConfig config(const std::string& extra = "", const std::string& base_url = "") {
    const std::string url = base_url.empty() ? standin.base_url() : base_url;
    const std::string text =
        "[store]\nid = \"centro\"\n[ledger]\npath = \"" + (dir / "ledger.db").string() +
        "\"\n[[source]]\nkind = \"jsonl\"\npath = \"pos.jsonl\"\n"
        "[channels]\nretry_delay_seconds = 1\ncallback_url = \"https://regua.loja.example\"\n" +
        (extra.find("timeout_seconds") == std::string::npos ? "timeout_seconds = 5\n" : "") + extra +
        "\n[channels.sms]\nprovider = \"twilio\"\n"
        "[channels.whatsapp]\nprovider = \"whatsapp_cloud\"\n"
        "[channels.email]\nprovider = \"webhook\"\n"
        "[channels.twilio]\naccount_sid = \"" +
        ProviderStandin::kAccountSid + "\"\nauth_token = \"" + ProviderStandin::kAuthToken +
        "\"\nfrom = \"+5511900000000\"\nbase_url = \"" + url +
        "\"\n"
        "[channels.whatsapp_cloud]\nphone_number_id = \"" +
        ProviderStandin::kPhoneNumberId + "\"\naccess_token = \"" + ProviderStandin::kWhatsappToken +
        "\"\nbase_url = \"" + url +
        "\"\ntemplate = \"regua_aviso\"\ntemplates = { birthday = \"regua_aniversario\" }\n"
        "[channels.webhook]\nurl = \"" +
        url + "/webhook\"\nidempotency_key = true\nsecret = \"gateway-secret\"\n";
    auto c = parse_config(text, dir / "regua.toml");
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? *c : AgentConfig{};
  }

  std::string trusted() const { return "ca_file = \"" + pki.ca_cert().string() + "\"\n"; }

  std::int64_t add_intent(std::int64_t customer, const std::string& channel, const std::string& recipient,
                          const std::string& body, const std::string& rule = "rating-1h") {
    const std::string job = std::to_string(++jobs_);
    auto s = ledger->db().exec(
        "INSERT INTO jobs (id, rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, priority, "
        "action, channel, state, created_at) VALUES (" +
        job + ", '" + rule + "', " + std::to_string(customer) + ", 'sale:S-" + job +
        "', 0, 0, 0, 50, 'message', '" + channel + "', 'fired', 0)");
    EXPECT_TRUE(s.ok()) << s.error().message;
    auto log = MessageLog::create(ledger->db());
    NewMessage m;
    m.job_id = jobs_;
    m.customer_id = customer;
    m.rule_id = rule;
    m.channel = channel;
    m.recipient = recipient;
    m.body = body;
    if (channel == "email") m.subject = "Loja";
    auto id = log->record_intent(m, clock.now());
    EXPECT_TRUE(id.ok());
    return *id;
  }

  std::int64_t count(const std::string& sql) {
    auto n = ledger->db().query_int(sql);
    EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
    return n.ok() ? *n : -1;
  }

  std::string field(std::int64_t id, const std::string& column) {
    auto stmt = ledger->db().prepare("SELECT " + column + " FROM messages WHERE id = ?1");
    stmt->bind(1, id);
    if (!*stmt->step() || stmt->is_null(0)) return "";
    return std::string(stmt->text(0));
  }

  bool state_is(std::int64_t id, const std::string& state) { return field(id, "state") == state; }

  std::unique_ptr<ChannelSender> start(const AgentConfig& c) {
    auto s = ChannelSender::start(c, clock, zone);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(*s) : nullptr;
  }

  test::TempDir dir;
  test::TestPki pki{dir / "pki"};
  ProviderStandin standin{pki.server_cert(), pki.server_key()};
  SystemClock clock;
  FixedStoreZone zone{std::chrono::hours{-3}};
  std::optional<Ledger> ledger;
  std::int64_t jobs_ = 0;
};

TEST_F(ChannelSenderTest, EachProviderReceivesItsDocumentedRequestOnceAndTheIdIsKept) {
  const auto sms = add_intent(1, "sms", "+5511987650001", "Oi, Ana! Avalie: https://loja.example/a");
  const auto wa = add_intent(2, "whatsapp", "+5511987650002", "Oi, Bia!\nVolte   sempre.", "birthday");
  const auto mail = add_intent(1, "email", "ana@example.com", "Bem-vinda!");
  auto sender = start(config(trusted()));
  ASSERT_TRUE(sender);
  ASSERT_TRUE(test::eventually([&] {
    return count("SELECT count(*) FROM messages WHERE state = 'sent'") == 3;
  })) << field(sms, "error")
      << field(wa, "error") << field(mail, "error");
  sender.reset();

  const auto requests = standin.requests();
  ASSERT_EQ(requests.size(), 3U);
  for (const auto& r : requests) {
    if (r.api == "twilio") {
      EXPECT_EQ(r.form.at("To"), "+5511987650001");
      EXPECT_EQ(r.form.at("From"), "+5511900000000");
      EXPECT_EQ(r.form.at("Body"), "Oi, Ana! Avalie: https://loja.example/a");
      EXPECT_EQ(r.form.at("StatusCallback"),
                "https://regua.loja.example/api/v1/channels/twilio/status?ref=centro-" + std::to_string(sms));
      EXPECT_EQ(r.status, 201);
    } else if (r.api == "whatsapp") {
      EXPECT_EQ(r.json["to"], "5511987650002");
      EXPECT_EQ(r.json["type"], "template");
      EXPECT_EQ(r.json["template"]["name"], "regua_aniversario") << "the rule's own template";
      EXPECT_EQ(r.json["template"]["language"]["code"], "pt_BR");
      EXPECT_EQ(r.text, "Oi, Bia! Volte sempre.") << "no new lines or runs of spaces in a parameter";
      EXPECT_EQ(r.json["biz_opaque_callback_data"], "centro-" + std::to_string(wa));
      EXPECT_EQ(r.status, 200);
    } else {
      EXPECT_EQ(r.api, "webhook");
      EXPECT_EQ(r.json["to"], "ana@example.com");
      EXPECT_EQ(r.json["subject"], "Loja");
      EXPECT_EQ(r.json["text"], "Bem-vinda!");
      EXPECT_EQ(r.idempotency_key, "centro-" + std::to_string(mail));
      EXPECT_TRUE(r.headers.at("x-regua-signature-256").starts_with("sha256=")) << "signed with the secret";
    }
  }
  EXPECT_TRUE(field(sms, "provider_id").starts_with("SM")) << field(sms, "provider_id");
  EXPECT_TRUE(field(wa, "provider_id").starts_with("wamid.")) << field(wa, "provider_id");
  EXPECT_TRUE(field(mail, "provider_id").starts_with("gw-")) << field(mail, "provider_id");
  EXPECT_EQ(field(sms, "sender"), "twilio");
  EXPECT_EQ(field(wa, "sender"), "whatsapp_cloud");
  EXPECT_EQ(field(mail, "sender"), "webhook");
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE attempts = 1"), 3);
}

TEST_F(ChannelSenderTest, ManyMessagesFlowThroughFewSlotsOneAfterAnother) {
  // Two slots for sixty messages: each call that ends must free its slot for the next message at
  // once. (The sender also looks at the ledger every minute on its own; the limit below is far
  // shorter than the many minutes that look alone would take, and far longer than the sending.)
  for (int i = 0; i < 60; ++i)
    add_intent(1 + i % 3, "sms", "+551198765000" + std::to_string(1 + i % 3), "Oi!");
  auto sender = start(config(trusted() + "concurrency = 2\n"));
  ASSERT_TRUE(sender);
  EXPECT_TRUE(
      test::eventually([&] { return count("SELECT count(*) FROM messages WHERE state = 'sent'") == 60; },
                       std::chrono::seconds(50)))
      << count("SELECT count(*) FROM messages WHERE state = 'sent'") << " sent";
  sender.reset();
  EXPECT_EQ(standin.count(), 60U);
}

TEST_F(ChannelSenderTest, ARateLimitIsRetriedWithBackoffAndAServerErrorGivesUpAfterTheLastAttempt) {
  standin.fail_next(2, ProviderStandin::twilio_error(429, 20429, "Too Many Requests"));
  const auto id = add_intent(1, "sms", "+5511987650001", "Oi!");
  auto sender = start(config(trusted()));
  ASSERT_TRUE(test::eventually([&] { return state_is(id, "sent"); })) << field(id, "error");
  EXPECT_EQ(standin.count(), 3U) << "two refusals, then the message";
  EXPECT_EQ(field(id, "attempts"), "3");
  sender.reset();

  standin.fail_next(10, ProviderStandin::twilio_error(500, 20500, "Internal Server Error"));
  const auto failing = add_intent(2, "sms", "+5511987650002", "Oi!");
  sender = start(config(trusted() + "max_attempts = 2\n"));
  ASSERT_TRUE(test::eventually([&] { return state_is(failing, "failed"); })) << field(failing, "error");
  sender.reset();
  EXPECT_EQ(standin.count(), 5U);
  const auto error = field(failing, "error");
  EXPECT_NE(error.find("gave up after 2 attempt(s)"), std::string::npos) << error;
  EXPECT_NE(error.find("error 20500"), std::string::npos) << error;
}

TEST_F(ChannelSenderTest, APermanentRefusalFailsAtOnceWithTheProvidersReason) {
  standin.refuse_recipient("+5511987650001",
                           ProviderStandin::twilio_error(
                               400, 21211, "The 'To' number +5511987650001 is not a valid phone number."));
  standin.refuse_recipient(
      "5511987650002",
      ProviderStandin::whatsapp_error(400, 131026, "Message undeliverable", "the number is not on WhatsApp"));
  const auto sms = add_intent(1, "sms", "+5511987650001", "Oi!");
  const auto wa = add_intent(2, "whatsapp", "+5511987650002", "Oi!");
  auto sender = start(config(trusted()));
  ASSERT_TRUE(test::eventually([&] { return state_is(sms, "failed") && state_is(wa, "failed"); }))
      << field(sms, "state") << " " << field(wa, "state");
  sender.reset();
  EXPECT_EQ(standin.count(), 2U) << "one request each, no retry";
  EXPECT_NE(
      field(sms, "error").find("(error 21211): The 'To' number +5511987650001 is not a valid phone number."),
      std::string::npos)
      << field(sms, "error");
  EXPECT_NE(field(wa, "error").find("(error 131026)"), std::string::npos) << field(wa, "error");
  EXPECT_NE(field(wa, "error").find("the number is not on WhatsApp"), std::string::npos)
      << field(wa, "error");
}

TEST_F(ChannelSenderTest, WhatsappThrottlingIsRetried) {
  standin.fail_next(
      1, ProviderStandin::whatsapp_error(400, 130429, "Rate limit hit", "Cloud API throughput reached"));
  const auto wa = add_intent(2, "whatsapp", "+5511987650002", "Oi!");
  auto sender = start(config(trusted()));
  ASSERT_TRUE(test::eventually([&] { return state_is(wa, "sent"); })) << field(wa, "error");
  EXPECT_EQ(standin.count(), 2U);
}

TEST_F(ChannelSenderTest, AnOptOutThatArrivedAfterTheFiringIsHonouredAtSendTime) {
  const auto sms = add_intent(1, "sms", "+5511987650001", "Oi, Ana!");
  const auto other = add_intent(3, "sms", "+5511987650003", "Oi, Caio!");
  // The job fired (the intent above) before the customer's "SAIR" reached the ledger.
  ASSERT_TRUE(record_consent(ledger->db(), 1, Channel::sms, false, "inbound:sms", clock.now()).ok());
  auto sender = start(config(trusted()));
  ASSERT_TRUE(test::eventually([&] { return state_is(sms, "cancelled") && state_is(other, "sent"); }));
  sender.reset();
  ASSERT_EQ(standin.count(), 1U);
  EXPECT_EQ(standin.requests()[0].to, "+5511987650003") << "only the customer who did not opt out";
  EXPECT_EQ(count("SELECT count(*) FROM decisions WHERE reason = 'opted_out' AND decision = 'cancelled'"), 1);
}

TEST_F(ChannelSenderTest, AnOptOutOrderFromHqStopsAMessageFiredWhileTheStoreWasOffline) {
  // Fired during a week without a link; the order (given at HQ on day 3) arrives when it returns,
  // before the channel gets to the message.
  const auto sms = add_intent(1, "sms", "+5511987650001", "Oi, Ana!");
  auto header =
      nlohmann::json{{"id", "hq-1"}, {"order", "opt_out"}, {"customer_pos_id", "C-1"}, {"channels", {"sms"}}};
  auto envelope = sync::decode_envelope(sync::encode_envelope("order", std::move(header)));
  ASSERT_TRUE(envelope.ok());
  auto outcome = sync::apply_hq_order(ledger->db(), *envelope, clock.now());
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  ASSERT_TRUE(outcome->applied) << outcome->detail;
  auto sender = start(config(trusted()));
  ASSERT_TRUE(test::eventually([&] { return state_is(sms, "cancelled"); })) << field(sms, "error");
  sender.reset();
  EXPECT_EQ(standin.count(), 0U) << "nothing reached the provider";
  EXPECT_EQ(count("SELECT count(*) FROM decisions WHERE reason = 'opted_out' AND decision = 'cancelled'"), 1);
}

TEST_F(ChannelSenderTest, AServerCertificateFromAnUntrustedCaIsRefusedAndNothingIsSent) {
  const auto id = add_intent(1, "sms", "+5511987650001", "Oi!");
  test::TestPki other(dir / "other-pki");
  ASSERT_TRUE(other.ok()) << other.error();
  for (const std::string& trust : {std::string(), "ca_file = \"" + other.ca_cert().string() + "\"\n"}) {
    auto sender = start(config(trust + "max_attempts = 1\n"));
    ASSERT_TRUE(test::eventually([&] { return state_is(id, "failed"); })) << field(id, "state");
    sender.reset();
    const auto error = field(id, "error");
    EXPECT_NE(error.find("the server's certificate is not trusted"), std::string::npos) << error;
    EXPECT_NE(error.find("[channels] ca_file"), std::string::npos) << error;
    ASSERT_TRUE(
        ledger->db()
            .exec("UPDATE messages SET state = 'intent', attempts = 0 WHERE id = " + std::to_string(id))
            .ok());
  }
  EXPECT_EQ(standin.count(), 0U) << "no request got through the TLS handshake";
}

TEST_F(ChannelSenderTest, NoConnectionIsRetriedButALostReplyIsUnknownUnlessTheKeyMakesItSafe) {
  // Nothing listens there: the request never left, so it is tried again (and counted as an attempt).
  const auto refused = add_intent(1, "sms", "+5511987650001", "Oi!");
  {
    auto sender = start(config(trusted() + "max_attempts = 2\n", "https://127.0.0.1:1"));
    ASSERT_TRUE(test::eventually([&] { return state_is(refused, "failed"); })) << field(refused, "error");
    EXPECT_NE(field(refused, "error").find("nothing was sent"), std::string::npos) << field(refused, "error");
  }
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE state = 'unknown'"), 0);

  // The provider takes longer than the timeout: the request arrived, the answer never came.
  standin.set_latency(std::chrono::milliseconds(2500));
  const auto sms = add_intent(2, "sms", "+5511987650002", "Oi!");
  const auto mail = add_intent(1, "email", "ana@example.com", "Oi!");
  {
    auto sender = start(config(trusted() + "timeout_seconds = 1\nmax_attempts = 2\n"));
    ASSERT_TRUE(sender);
    ASSERT_TRUE(test::eventually([&] { return state_is(sms, "unknown") && state_is(mail, "failed"); }))
        << field(sms, "state") << " " << field(mail, "state") << " " << field(mail, "error");
  }
  EXPECT_NE(field(sms, "error").find("may or may not have it"), std::string::npos) << field(sms, "error");
  std::vector<std::string> keys;
  int twilio = 0;
  for (const auto& r : standin.requests()) {
    if (r.api == "webhook") keys.push_back(r.idempotency_key);
    if (r.api == "twilio") ++twilio;
  }
  EXPECT_EQ(twilio, 1) << "an unknown SMS is never sent again";
  ASSERT_EQ(keys.size(), 2U) << "the webhook dedupes by its key: the attempt was repeated with it";
  EXPECT_EQ(keys[0], "centro-" + std::to_string(mail));
  EXPECT_EQ(keys[1], keys[0]);
}

TEST_F(ChannelSenderTest, AnAttemptACrashInterruptedIsUnknownOrRetriedWithItsKey) {
  const auto sms = add_intent(1, "sms", "+5511987650001", "Oi!");
  const auto mail = add_intent(1, "email", "ana@example.com", "Oi!");
  // What a crash leaves: both committed as being sent, no outcome.
  ASSERT_TRUE(*begin_attempt(ledger->db(), sms, "twilio", std::nullopt, clock.now()));
  ASSERT_TRUE(*begin_attempt(ledger->db(), mail, "webhook", std::string("centro-" + std::to_string(mail)),
                             clock.now()));
  auto sender = start(config(trusted()));
  ASSERT_TRUE(test::eventually([&] { return state_is(mail, "sent"); })) << field(mail, "error");
  sender.reset();
  EXPECT_EQ(field(sms, "state"), "unknown");
  const auto requests = standin.requests();
  ASSERT_EQ(requests.size(), 1U) << "the SMS is not sent again";
  EXPECT_EQ(requests[0].idempotency_key, "centro-" + std::to_string(mail));
}

}  // namespace
}  // namespace regua
