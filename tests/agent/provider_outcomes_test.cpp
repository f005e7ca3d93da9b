// How each provider's reply becomes an outcome (sent, retry, failed, unknown), as its documentation
// says to read it, and the e-mail as it goes on the wire.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/channels/signatures.hpp"
#include "agent/channels/smtp_email.hpp"
#include "agent/channels/twilio_sms.hpp"
#include "agent/channels/webhook_channel.hpp"
#include "agent/channels/whatsapp_cloud.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

TransferReply http(long status, std::string body) {
  TransferReply r;
  r.status = status;
  r.body = std::move(body);
  r.request_started = true;
  return r;
}

TransferReply no_reply(CURLcode code, bool started) {
  TransferReply r;
  r.code = code;
  r.request_started = started;
  r.error = curl_easy_strerror(code);
  return r;
}

TEST(ProviderOutcomes, Twilio) {
  const TwilioSms p({}, "", {});
  auto o = p.outcome(http(201, R"({"sid": "SM123", "status": "queued"})"));
  EXPECT_EQ(o.result, SendResult::sent);
  EXPECT_EQ(o.provider_id, std::optional<std::string>("SM123"));

  auto limited = http(429, R"({"code": 20429, "message": "Too Many Requests", "status": 429})");
  limited.retry_after = std::chrono::seconds{7};
  o = p.outcome(limited);
  EXPECT_EQ(o.result, SendResult::retry);
  EXPECT_EQ(o.retry_after, std::optional<std::chrono::seconds>(std::chrono::seconds{7}));
  EXPECT_EQ(p.outcome(http(503, "<html>busy</html>")).result, SendResult::retry);

  o = p.outcome(http(400, R"({"code": 21211, "message": "The 'To' number 123 is not a valid phone number.",
                              "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})"));
  EXPECT_EQ(o.result, SendResult::failed);
  EXPECT_EQ(o.reason,
            "Twilio answered 400 (error 21211): The 'To' number 123 is not a valid phone number. "
            "(https://www.twilio.com/docs/errors/21211)");
  o = p.outcome(http(401, R"({"code": 20003, "message": "Authenticate", "status": 401})"));
  EXPECT_EQ(o.result, SendResult::failed);
  EXPECT_NE(o.reason.find("check [channels.twilio] account_sid and auth_token"), std::string::npos)
      << o.reason;

  EXPECT_EQ(p.outcome(no_reply(CURLE_COULDNT_CONNECT, false)).result, SendResult::retry);
  EXPECT_EQ(p.outcome(no_reply(CURLE_OPERATION_TIMEDOUT, false)).result, SendResult::retry);
  EXPECT_EQ(p.outcome(no_reply(CURLE_OPERATION_TIMEDOUT, true)).result, SendResult::unknown);
  EXPECT_EQ(p.outcome(no_reply(CURLE_RECV_ERROR, true)).result, SendResult::unknown);
  o = p.outcome(no_reply(CURLE_PEER_FAILED_VERIFICATION, false));
  EXPECT_EQ(o.result, SendResult::retry);
  EXPECT_NE(o.reason.find("not trusted"), std::string::npos) << o.reason;
  EXPECT_FALSE(p.idempotent()) << "Twilio's Messages API documents no idempotency key";
}

TEST(ProviderOutcomes, WhatsappCloudJudgesByTheErrorCode) {
  const WhatsappCloud p({}, {});
  auto o =
      p.outcome(http(200, R"({"messaging_product": "whatsapp", "contacts": [{"input": "55", "wa_id": "55"}],
                                   "messages": [{"id": "wamid.ABC"}]})"));
  EXPECT_EQ(o.result, SendResult::sent);
  EXPECT_EQ(o.provider_id, std::optional<std::string>("wamid.ABC"));
  const auto error = [](int status, int code) {
    const nlohmann::json e{{"error",
                            {{"message", "(#" + std::to_string(code) + ") message"},
                             {"type", "OAuthException"},
                             {"code", code},
                             {"error_data", {{"messaging_product", "whatsapp"}, {"details", "d"}}},
                             {"fbtrace_id", "x"}}}};
    return http(status, e.dump());
  };

  for (const int code : {130429, 131056, 80007, 4, 131000, 131016, 133004, 2}) {
    EXPECT_EQ(p.outcome(error(400, code)).result, SendResult::retry) << code;
  }
  for (const int code : {100, 131026, 131047, 132000, 132001, 131030, 368}) {
    EXPECT_EQ(p.outcome(error(400, code)).result, SendResult::failed) << code;
  }
  EXPECT_EQ(p.outcome(error(500, 1)).result, SendResult::retry);
  o = p.outcome(error(401, 190));
  EXPECT_EQ(o.result, SendResult::failed);
  EXPECT_NE(o.reason.find("access_token"), std::string::npos) << o.reason;
  EXPECT_EQ(whatsapp_parameter_text("Oi!\n\nVolte\t  logo.  "), "Oi! Volte logo.");
}

TEST(ProviderOutcomes, WebhookAndItsIdempotency) {
  WebhookOptions options;
  const WebhookChannel plain(options, {});
  EXPECT_FALSE(plain.idempotent());
  options.idempotency_key = true;
  const WebhookChannel keyed(options, {});
  EXPECT_TRUE(keyed.idempotent());
  auto o = plain.outcome(http(202, R"({"id": 77})"));
  EXPECT_EQ(o.result, SendResult::sent);
  EXPECT_EQ(o.provider_id, std::optional<std::string>("77"));
  EXPECT_EQ(plain.outcome(http(200, "ok")).result, SendResult::sent);
  for (const long s : {408L, 425L, 429L, 500L, 502L})
    EXPECT_EQ(plain.outcome(http(s, "")).result, SendResult::retry) << s;
  for (const long s : {400L, 404L, 410L, 422L})
    EXPECT_EQ(plain.outcome(http(s, "")).result, SendResult::failed) << s;
  EXPECT_NE(plain.outcome(http(401, "")).reason.find("auth_header"), std::string::npos);
}

TEST(ProviderOutcomes, SmtpReadsTheReplyCodesAsRfc5321Says) {
  const SmtpEmail p({}, {});
  EXPECT_EQ(p.outcome(no_reply(CURLE_OK, true)).result, SendResult::sent);
  auto temporary = no_reply(CURLE_SEND_ERROR, false);
  temporary.status = 451;
  EXPECT_EQ(p.outcome(temporary).result, SendResult::retry);
  auto permanent = no_reply(CURLE_SEND_ERROR, false);
  permanent.status = 550;
  EXPECT_EQ(p.outcome(permanent).result, SendResult::failed);
  EXPECT_EQ(p.outcome(no_reply(CURLE_LOGIN_DENIED, false)).result, SendResult::failed);
  EXPECT_EQ(p.outcome(no_reply(CURLE_USE_SSL_FAILED, false)).result, SendResult::retry);
  auto cut = no_reply(CURLE_RECV_ERROR, true);
  cut.status = 354;  // the message was flowing when the connection died
  EXPECT_EQ(p.outcome(cut).result, SendResult::unknown);
}

TEST(SmtpMessage, HeadersAreEncodedWordsAndTheBodyIsBase64) {
  SmtpOptions options;
  options.from = "loja@loja.example";
  options.from_name = "Loja São João";
  const SmtpEmail p(options, {});
  OutgoingMessage m;
  m.recipient = "ana@example.com";
  m.subject = "Boas-vindas da Loja São João";
  m.body = "Oi, Ana! Obrigado por escolher a Loja São João.";
  AttemptContext context;
  context.ref = "centro-42";
  context.now = test::at("2026-03-01T12:00:00Z");
  const std::string text = p.message_text(m, context);
  EXPECT_NE(text.find("Date: Sun, 01 Mar 2026 12:00:00 +0000\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("From: =?UTF-8?B?" + base64("Loja São João") + "?= <loja@loja.example>\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("To: <ana@example.com>\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Subject: =?UTF-8?B?" + base64("Boas-vindas da Loja São João") + "?=\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Message-ID: <centro-42@regua>\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                      base64(m.body).substr(0, 76) + "\r\n"),
            std::string::npos)
      << text;
  for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos; ++at) {
    ASSERT_GT(at, 0U);
    EXPECT_EQ(text[at - 1], '\r') << "CRLF line ends only";
  }
}

}  // namespace
}  // namespace regua
