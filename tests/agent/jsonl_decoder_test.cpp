#include "agent/connectors/jsonl_decoder.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include "local/core/timestamp.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

using test::at;

class JsonlDecoderTest : public ::testing::Test {
 protected:
  JsonlDecoderTest() : clock(at("2026-03-01T12:00:00Z")) {
    store.id = "centro";
    store.zone = date::locate_zone("America/Sao_Paulo");
  }

  // Decoders may read past the line: give them a padded copy, as the file readers do.
  Result<std::optional<Event>> decode(std::string_view line) {
    padded.assign(line);
    padded.append(kLinePadding, '\0');
    JsonlDecoder decoder(store, clock);
    return decoder.decode(std::string_view(padded.data(), line.size()));
  }

  Event event(std::string_view line) {
    auto r = decode(line);
    EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().message);
    if (!r.ok() || !*r) return Cancel{};
    return **r;
  }

  void expect_quarantined(std::string_view line, std::string_view why) {
    auto r = decode(line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.error().kind, ErrorKind::input);
    EXPECT_NE(r.error().message.find(why), std::string::npos) << line << "\n  reason: " << r.error().message;
  }

  StoreConfig store;
  ManualClock clock;
  std::string padded;
};

TEST_F(JsonlDecoderTest, ReadsTheSaleOfDesignMd) {
  const Event e = event(
      R"({"type":"sale","id":"S-1001","store":"centro","ts":"2026-03-01T14:05:00-03:00","total":"129.90",)"
      R"("customer":{"id":"C-77","name":"Ana Souza","phone":"(11) 98765-4321","email":"ana@example.com",)"
      R"("cpf":"529.982.247-25","birthday":"1990-05-17"},)"
      R"("items":[{"sku":"A1","name":"Camiseta","qty":1,"price":"129.90"}]})");
  const auto& s = std::get<Sale>(e);
  EXPECT_EQ(s.pos_id, "S-1001");
  EXPECT_EQ(format_utc(s.sold_at), "2026-03-01T17:05:00Z");
  EXPECT_EQ(s.total, 12990);
  ASSERT_TRUE(s.customer);
  EXPECT_EQ(s.customer->pos_id, "C-77");
  EXPECT_EQ(s.customer->name, "Ana Souza");
  EXPECT_EQ(s.customer->phone, "(11) 98765-4321");
  EXPECT_EQ(s.customer->email, "ana@example.com");
  EXPECT_EQ(s.customer->cpf, "529.982.247-25");
  EXPECT_EQ(s.customer->birthday, "1990-05-17");
  ASSERT_EQ(s.items.size(), 1U);
  EXPECT_EQ(s.items[0].sku, "A1");
  EXPECT_EQ(s.items[0].name, "Camiseta");
  EXPECT_EQ(s.items[0].quantity, 1);
  EXPECT_EQ(s.items[0].unit_price, 12990);
}

TEST_F(JsonlDecoderTest, ReadsCancelAndCustomerEvents) {
  const auto c =
      std::get<Cancel>(event(R"({"type":"cancel","id":"S-1001","ts":"2026-03-01T15:00:00-03:00"})"));
  EXPECT_EQ(c.sale_pos_id, "S-1001");
  EXPECT_EQ(format_utc(c.cancelled_at), "2026-03-01T18:00:00Z");
  const auto now = std::get<Cancel>(event(R"({"type":"cancel","id":"S-1002"})"));
  EXPECT_EQ(now.cancelled_at, clock.now()) << "a cancellation without time is taken as of now";

  const auto u = std::get<CustomerUpdate>(
      event(R"({"type":"customer","customer":{"id":"C-77","phone":"11987654321","opt_out":["sms"]}})"));
  EXPECT_EQ(u.customer.pos_id, "C-77");
  EXPECT_EQ(u.customer.phone, "11987654321");
  EXPECT_FALSE(u.customer.name);
  ASSERT_EQ(u.customer.consent.size(), 1U);
  EXPECT_EQ(u.customer.consent[0].channel, Channel::sms);
  EXPECT_FALSE(u.customer.consent[0].granted);
  EXPECT_EQ(u.at, clock.now());
  const auto in =
      std::get<CustomerUpdate>(event(R"({"type":"customer","customer":{"id":7,"opt_in":["email"]}})"));
  EXPECT_EQ(in.customer.pos_id, "7");
  EXPECT_TRUE(in.customer.consent[0].granted);
}

TEST_F(JsonlDecoderTest, AcceptsNumbersForIdsAndAmounts) {
  const auto s = std::get<Sale>(event(
      R"({"type":"sale","id":1001,"ts":"2026-03-01T14:05:00Z","total":59.970000000000006,"items":[{"price":19.99,"qty":3}]})"));
  EXPECT_EQ(s.pos_id, "1001");
  EXPECT_EQ(s.total, 5997) << "float noise of a POS that computed 19.99 * 3";
  EXPECT_EQ(s.items[0].unit_price, 1999);
  EXPECT_EQ(std::get<Sale>(event(R"({"type":"sale","id":"a","ts":"2026-03-01T14:05:00Z","total":12})")).total,
            1200);
  EXPECT_FALSE(
      std::get<Sale>(event(R"({"type":"sale","id":"a","ts":"2026-03-01T14:05:00Z","total":1})")).customer)
      << "no customer: an anonymous sale";
}

TEST_F(JsonlDecoderTest, ReadsWallClockTimeInTheStoreZoneAcrossDst) {
  // São Paulo had DST until 2019: on 2018-11-04 clocks jumped from 00:00 to 01:00 (-03 -> -02),
  // on 2019-02-17 they went back from 00:00 to 23:00 (-02 -> -03).
  auto sold = [&](std::string_view ts) {
    return format_utc(
        std::get<Sale>(event(R"({"type":"sale","id":"x","total":"1","ts":")" + std::string(ts) + "\"}"))
            .sold_at);
  };
  EXPECT_EQ(sold("2026-03-01T14:05:00"), "2026-03-01T17:05:00Z");
  EXPECT_EQ(sold("2018-12-01 10:00:00"), "2018-12-01T12:00:00Z") << "summer time, -02";
  EXPECT_EQ(sold("2019-02-16T23:30:00"), "2019-02-17T01:30:00Z") << "the repeated hour: its first instant";
  EXPECT_EQ(sold("2018-11-04T00:30:00"), "2018-11-04T03:30:00Z") << "inside the skipped hour: past the gap";
}

TEST_F(JsonlDecoderTest, NormalisesBirthdays) {
  auto birthday = [&](std::string_view b) {
    return std::get<CustomerUpdate>(
               event(R"({"type":"customer","customer":{"id":"c","birthday":")" + std::string(b) + "\"}}"))
        .customer.birthday.value_or("");
  };
  EXPECT_EQ(birthday("1990-05-17"), "1990-05-17");
  EXPECT_EQ(birthday("17/05/1990"), "1990-05-17");
  EXPECT_EQ(birthday("maio de 1990"), "maio de 1990") << "kept as written when it cannot be read";
}

TEST_F(JsonlDecoderTest, BlankLinesCarryNothing) {
  auto r = decode("   ");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  r = decode("");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
}

TEST_F(JsonlDecoderTest, EveryMalformedLineGetsAPlainReason) {
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"1)", "not closed");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05)", "not valid JSON");
  expect_quarantined(R"({"type":"sale" "id":"S-1"})", "not valid JSON");
  expect_quarantined("*** PDV reiniciado ***", "not valid JSON");
  expect_quarantined(R"(["sale"])", "must be one JSON object, this is an array");
  expect_quarantined(R"({"id":"S-1"})", "missing \"type\"");
  expect_quarantined(R"({"type":5})", "\"type\" must be a string");
  expect_quarantined(R"({"type":"refund","id":"S-1"})", "unknown \"type\" \"refund\"");
  expect_quarantined(R"({"type":"sale","ts":"2026-03-01T14:05:00Z","total":"1"})", "no \"id\"");
  expect_quarantined(R"({"type":"sale","id":"","ts":"2026-03-01T14:05:00Z","total":"1"})", "\"id\" is empty");
  expect_quarantined(R"({"type":"sale","id":true,"ts":"2026-03-01T14:05:00Z","total":"1"})",
                     "must be a string or a whole number");
  expect_quarantined(R"({"type":"sale","id":"S-1","total":"1"})", "no \"ts\"");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"31/02/2026 10:00","total":"1"})",
                     "\"ts\": \"31/02/2026 10:00\" is not a date-time");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":1772384700,"total":"1"})",
                     "must be a date-time string");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z"})", "no \"total\"");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"12,50"})",
                     "\"total\": \"12,50\" is not an amount");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":-3})",
                     "cannot be negative");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"-3"})",
                     "cannot be negative");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":1.005})",
                     "more than two decimal places");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":true})",
                     "must be an amount");
  expect_quarantined(
      R"({"type":"sale","id":"S-1","store":"shopping","ts":"2026-03-01T14:05:00Z","total":"1"})",
      "for store \"shopping\" but this agent is store \"centro\"");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"1","customer":"Ana"})",
                     "\"customer\" must be an object");
  expect_quarantined(
      R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"1","customer":{"name":"A"}})",
      "\"customer\" has no \"id\"");
  expect_quarantined(
      R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"1","customer":{"id":"c","cpf":52998224725}})",
      "\"customer.cpf\" must be a string");
  expect_quarantined(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"1","items":{}})",
                     "\"items\" must be an array");
  expect_quarantined(
      R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"1","items":[{"sku":"a"}]})",
      "\"items[0]\" has no \"price\"");
  expect_quarantined(
      R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"1","items":[{"price":"1","qty":0}]})",
      "\"items[0].qty\" must be a positive number");
  expect_quarantined(R"({"type":"customer","customer":{"id":"c","opt_out":["fax"]}})",
                     "unknown channel \"fax\" (allowed: \"sms\", \"whatsapp\", \"email\")");
  expect_quarantined(R"({"type":"customer","customer":{"id":"c","opt_out":"sms"}})",
                     "must be a list of channels");
  expect_quarantined(R"({"type":"customer"})", "no \"customer\" object");
  expect_quarantined(R"({"type":"cancel","ts":"2026-03-01T14:05:00Z"})", "no \"id\"");
  expect_quarantined(R"({"type":"cancel","id":"S-1","ts":"ontem"})", "\"ts\": \"ontem\" is not a date-time");
  expect_quarantined(R"({"v":2,"type":"sale"})", "format version");
  expect_quarantined("{\"type\":\"sale\",\"id\":\"S-\xE7\",\"ts\":\"2026-03-01T14:05:00Z\",\"total\":\"1\"}",
                     "not valid UTF-8");
}

TEST_F(JsonlDecoderTest, IgnoresUnknownFieldsForForwardCompatibility) {
  const auto s = std::get<Sale>(
      event(R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"1","cashier":"Rita","v":1})"));
  EXPECT_EQ(s.pos_id, "S-1");
}

TEST_F(JsonlDecoderTest, RefusesLinesOverTheLimit) {
  std::string huge = R"({"type":"sale","id":"S-1","ts":"2026-03-01T14:05:00Z","total":"1","note":")";
  huge.append(JsonlDecoder::kMaxLineBytes, 'x');
  huge += "\"}";
  expect_quarantined(huge, "longer than 1 MiB");
}

}  // namespace
}  // namespace regua
