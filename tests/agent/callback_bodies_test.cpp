// The providers' callback bodies, read before anything touches the ledger: what Meta and the
// webhook channel document is taken; anything else is skipped or refused with why, never thrown.

#include "agent/channels/callback_bodies.hpp"

#include <gtest/gtest.h>

namespace regua {
namespace {

TEST(CallbackBodies, WhatsappStatusesAndRepliesAreRead) {
  const auto webhook = decode_whatsapp_webhook(R"({"object":"whatsapp_business_account","entry":[{"id":"1",
    "changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
      "statuses":[{"id":"wamid.A","status":"delivered","biz_opaque_callback_data":"centro-12"},
                  {"id":"wamid.B","status":"failed","errors":[{"code":131026,"title":"Message undeliverable"}]}],
      "messages":[{"from":"5511987654321","type":"text","text":{"body":"SAIR"}},
                  {"from":"5511912345678","type":"interactive","interactive":{"button_reply":{"title":"Parar"}}}]}}]}]})");
  ASSERT_TRUE(webhook.ok()) << webhook.error().message;
  ASSERT_EQ(webhook->statuses.size(), 2u);
  EXPECT_EQ(webhook->statuses[0].provider_id, "wamid.A");
  EXPECT_EQ(webhook->statuses[0].ref, "centro-12");
  EXPECT_EQ(webhook->statuses[1].error, "WhatsApp error 131026: Message undeliverable");
  ASSERT_EQ(webhook->replies.size(), 2u);
  EXPECT_EQ(webhook->replies[0].text, "SAIR");
  EXPECT_EQ(webhook->replies[1].from, "5511912345678");
  EXPECT_EQ(webhook->replies[1].text, "Parar");
}

// json::value("type", "") throws when "type" holds a number: such a body threw through the HTTP
// handler. Now mistyped parts are skipped, and an error code nested deep is not dumped.
TEST(CallbackBodies, MistypedWhatsappPartsAreSkippedNotThrown) {
  const std::string deep = std::string(50'000, '[') + std::string(50'000, ']');
  const auto webhook = decode_whatsapp_webhook(R"({"entry":[{"changes":[{"value":{
      "statuses":[{"id":"wamid.A","status":"failed","errors":[{"code":)" +
                                               deep + R"(,"title":7}]},
                  {"id":5,"status":"read"}],
      "messages":[{"from":"5511987654321","type":5,"text":{"body":"SAIR"}},
                  {"from":"5511987654321","type":"text","text":{"body":["SAIR"]}},
                  {"from":"5511987654321","type":"button","button":"SAIR"}]}},
      "not a change"]}, 3]})");
  ASSERT_TRUE(webhook.ok()) << webhook.error().message;
  ASSERT_EQ(webhook->statuses.size(), 1u);
  EXPECT_EQ(webhook->statuses[0].error, "WhatsApp error ?");
  ASSERT_EQ(webhook->replies.size(), 3u);
  for (const auto& reply : webhook->replies)
    EXPECT_EQ(reply.text, "");
}

TEST(CallbackBodies, NotAWebhookIsRefusedWithWhy) {
  for (const char* body : {"", "[]", "{\"entry\":{}}", "{\"entry\":", "null"}) {
    const auto webhook = decode_whatsapp_webhook(body);
    ASSERT_FALSE(webhook.ok()) << body;
    EXPECT_NE(webhook.error().message.find("no \"entry\" array"), std::string::npos);
  }
}

TEST(CallbackBodies, WebhookReceipts) {
  const auto ok = decode_webhook_receipt(R"({"ref":"centro-3","status":"failed","error":"no route"})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->ref, "centro-3");
  EXPECT_EQ(ok->status, "failed");
  EXPECT_EQ(ok->error, "no route");
  const auto unknown = decode_webhook_receipt(R"({"ref":"centro-3","status":"sent"})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("\"sent\" is not one of"), std::string::npos);
  EXPECT_FALSE(decode_webhook_receipt(R"({"ref":3,"status":"read"})").ok());
  EXPECT_FALSE(decode_webhook_receipt("not json").ok());
}

}  // namespace
}  // namespace regua
