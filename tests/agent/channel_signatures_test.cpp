// The signatures of provider callbacks, checked against the providers' own published examples, and
// the encodings the channels speak (form bodies, the webhook body template).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/channels/form_encoding.hpp"
#include "agent/channels/signatures.hpp"
#include "agent/channels/webhook_body.hpp"

namespace regua {
namespace {

// Twilio's security documentation signs this request with the Auth Token "12345"; its own helper
// libraries test against the same values.
TEST(ChannelSignatures, TwilioSignatureMatchesTwiliosDocumentedExamples) {
  const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  EXPECT_EQ(twilio_signature("12345", url,
                             {{"Digits", "1234"},
                              {"To", "+18005551212"},
                              {"From", "+14158675309"},
                              {"Caller", "+14158675309"},
                              {"CallSid", "CA1234567890ABCDE"}}),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  EXPECT_EQ(twilio_signature("12345", url,
                             {{"CallSid", "CA1234567890ABCDE"},
                              {"Caller", "+12349013030"},
                              {"Digits", "1234"},
                              {"From", "+12349013030"},
                              {"To", "+18005551212"}}),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  EXPECT_NE(twilio_signature("12346", url, {{"CallSid", "CA1234567890ABCDE"}}),
            twilio_signature("12345", url, {{"CallSid", "CA1234567890ABCDE"}}));
}

TEST(ChannelSignatures, Sha256SignatureIsTheHexHmacWithItsPrefix) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(sha256_signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "abcd"));
  EXPECT_FALSE(same_secret("", "a"));
}

TEST(ChannelSignatures, Base64IsTheStandardAlphabetWithPadding) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("Olá"), "T2zDoQ==");
}

TEST(FormEncoding, RoundTripsAccentsSpacesAndReservedBytes) {
  const FormFields fields{{"To", "+5511987654321"}, {"Body", "Oi, Ana! 100% & ação = já"}, {"Empty", ""}};
  const std::string body = form_encode(fields);
  EXPECT_EQ(body.find(' '), std::string::npos);
  EXPECT_NE(body.find("To=%2B5511987654321"), std::string::npos) << body;
  auto back = form_decode(body);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, fields);
  EXPECT_EQ(form_value(*back, "Body"), "Oi, Ana! 100% & ação = já");
  EXPECT_FALSE(form_value(*back, "Nope"));
  EXPECT_FALSE(form_decode("a=%4"));
  EXPECT_FALSE(form_decode("a=%zz"));
  EXPECT_EQ(form_decode("a=1&&b"), (FormFields{{"a", "1"}, {"b", ""}}));
}

TEST(WebhookBody, FillsPlaceholdersJsonEscapedAndChecksTemplates) {
  EXPECT_FALSE(check_webhook_body(kDefaultWebhookBody));
  const std::string body =
      render_webhook_body(R"({"to": "{{to}}", "text": "{{text}}", "n": {{id}}, "s": "{{subject}}"})",
                          [](std::string_view name) -> std::optional<std::string> {
                            if (name == "to") return "+5511987654321";
                            if (name == "text") return "Oi \"Ana\"\nvolte!";
                            if (name == "id") return "42";
                            return std::nullopt;
                          });
  const auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["to"], "+5511987654321");
  EXPECT_EQ(j["text"], "Oi \"Ana\"\nvolte!");
  EXPECT_EQ(j["n"], 42);
  EXPECT_EQ(j["s"], "");

  const auto unknown = check_webhook_body(R"({"x": "{{phone}}"})");
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->find("{{phone}} is not a placeholder"), std::string::npos) << *unknown;
  const auto unquoted = check_webhook_body(R"({"x": {{text}}})");
  ASSERT_TRUE(unquoted);
  EXPECT_NE(unquoted->find("not a JSON object"), std::string::npos) << *unquoted;
}

}  // namespace
}  // namespace regua
