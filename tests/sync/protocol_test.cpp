// The wire format of protocol v1: envelopes, versions, compression, batches and topics, with the
// errors a receiver parks a message with.

#include <gtest/gtest.h>

#include "sync/protocol/batch.hpp"
#include "sync/protocol/envelope.hpp"
#include "sync/protocol/topics.hpp"

namespace regua::sync {
namespace {

Batch three_records() {
  Batch b;
  b.store = "centro";
  b.first = 10;
  b.last = 14;  // 11 and 13 were dropped by the store's policy: the range still covers them
  b.acked = 9;
  b.records = {R"({"seq":10,"kind":"sale","id":1,"total_cents":12990})",
               R"({"seq":12,"kind":"customer","id":7,"consents":{}})",
               R"({"seq":14,"kind":"kpi_day","day":"2026-03-01","sales":3})"};
  return b;
}

Result<DecodedBatch> round_trip(const std::string& payload) {
  auto envelope = decode_envelope(payload);
  if (!envelope) return envelope.error();
  return decode_batch(*envelope);
}

TEST(Protocol, BatchRoundTripKeepsRangeRecordsAndKeys) {
  auto payload = encode_batch(three_records());
  ASSERT_TRUE(payload.ok());
  auto decoded = round_trip(*payload);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->store, "centro");
  EXPECT_EQ(decoded->first, 10);
  EXPECT_EQ(decoded->last, 14);
  EXPECT_EQ(decoded->acked, 9);
  ASSERT_EQ(decoded->records.size(), 3u);
  EXPECT_EQ(decoded->records[0].key, "sale:1");
  EXPECT_EQ(decoded->records[1].key, "customer:7");
  EXPECT_EQ(decoded->records[2].key, "kpi_day:2026-03-01");
  EXPECT_EQ(decoded->records[0].body["total_cents"], 12990);
}

TEST(Protocol, BatchesAreCompressed) {
  Batch b;
  b.store = "centro";
  b.first = 1;
  for (int i = 1; i <= 500; ++i) {
    b.records.push_back(
        R"({"seq":)" + std::to_string(i) + R"(,"kind":"sale","id":)" + std::to_string(i) +
        R"(,"pos_id":"S-)" + std::to_string(100000 + i) +
        R"(","customer":null,"sold_at":1772370000,"total_cents":12990,"cancelled_at":null,"items":[]})");
  }
  b.last = 500;
  std::size_t raw = 0;
  for (const auto& r : b.records)
    raw += r.size() + 1;
  auto payload = encode_batch(b);
  ASSERT_TRUE(payload.ok());
  EXPECT_LT(payload->size() * 4, raw) << "deflate should shrink repetitive records at least 4x";
  auto decoded = round_trip(*payload);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->records.size(), 500u);
}

TEST(Protocol, UnknownSchemaVersionIsRefusedWithWhy) {
  auto e = decode_envelope("{\"v\":2,\"type\":\"batch\"}\n");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, ErrorKind::incompatible);
  EXPECT_NE(e.error().message.find("schema version 2"), std::string::npos) << e.error().message;
}

TEST(Protocol, MalformedEnvelopesSayWhatIsWrong) {
  for (const auto& [payload, expected] : std::vector<std::pair<std::string, std::string>>{
           {"no newline at all", "no header line"},
           {"[1,2]\n", "not a JSON object"},
           {"{\"type\":\"ack\"}\n", "no integer \"v\""},
           {"{\"v\":1}\n", "no string \"type\""},
       }) {
    auto e = decode_envelope(payload);
    ASSERT_FALSE(e.ok()) << payload;
    EXPECT_NE(e.error().message.find(expected), std::string::npos) << e.error().message;
  }
}

TEST(Protocol, CorruptOrLyingBodiesAreRefused) {
  auto payload = encode_batch(three_records());
  ASSERT_TRUE(payload.ok());
  std::string corrupt = *payload;
  corrupt[corrupt.size() - 5] ^= 0x5A;
  EXPECT_FALSE(round_trip(corrupt).ok());
  // A header announcing a huge body (a zip bomb) is refused before inflating.
  auto envelope = decode_envelope(*payload);
  ASSERT_TRUE(envelope.ok());
  envelope->header["raw"] = 1 << 30;
  auto bomb = decode_batch(*envelope);
  ASSERT_FALSE(bomb.ok());
  EXPECT_NE(bomb.error().message.find("over the limit"), std::string::npos) << bomb.error().message;
}

TEST(Protocol, RecordsOutsideTheRangeOrOutOfOrderAreRefused) {
  auto b = three_records();
  b.records[2] = R"({"seq":15,"kind":"sale","id":3})";  // past `last`
  auto payload = encode_batch(b);
  ASSERT_TRUE(payload.ok());
  auto decoded = round_trip(*payload);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("record 3"), std::string::npos) << decoded.error().message;

  b = three_records();
  std::swap(b.records[0], b.records[1]);
  payload = encode_batch(b);
  ASSERT_TRUE(payload.ok());
  EXPECT_FALSE(round_trip(*payload).ok());

  b = three_records();
  b.records[1] = R"({"seq":12,"kind":"gossip","id":1})";
  payload = encode_batch(b);
  ASSERT_TRUE(payload.ok());
  decoded = round_trip(*payload);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("unknown kind \"gossip\""), std::string::npos);
}

// Unbounded recursion, like the segment filter's: a header or record nested thousands deep parsed
// fine (nlohmann's parser is iterative) but is dumped later, recursively (the store keeps an order's
// header as text, the hub a record's body). Both are refused at decoding, naming the bound.
TEST(Protocol, DeeplyNestedHeadersAndRecordsAreRefused) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  auto header = decode_envelope("{\"v\":1,\"type\":\"order\",\"x\":" + deep + "}\n");
  ASSERT_FALSE(header.ok());
  EXPECT_NE(header.error().message.find("nests deeper than 16"), std::string::npos) << header.error().message;

  auto b = three_records();
  b.records[1] = R"({"seq":12,"kind":"customer","id":7,"consents":)" + deep + "}";
  auto payload = encode_batch(b);
  ASSERT_TRUE(payload.ok());
  auto decoded = round_trip(*payload);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("record 2: it nests deeper than 16"), std::string::npos)
      << decoded.error().message;

  // Up to the bound is fine (v1 itself nests 3 deep).
  const std::string fifteen = std::string(15, '[') + std::string(15, ']');
  EXPECT_TRUE(decode_envelope("{\"v\":1,\"type\":\"ack\",\"x\":" + fifteen + "}\n").ok());
}

// "v" was narrowed to int before the check, so
// 4294967297 (2^32 + 1) passed as version 1; a sequence past 2^63 - 1 wrapped to a negative one.
TEST(Protocol, VersionsAndSequencesAreComparedWithoutNarrowing) {
  auto wrapped = decode_envelope("{\"v\":4294967297,\"type\":\"ack\",\"acked\":1}\n");
  ASSERT_FALSE(wrapped.ok());
  EXPECT_EQ(wrapped.error().kind, ErrorKind::incompatible);
  EXPECT_NE(wrapped.error().message.find("schema version 4294967297"), std::string::npos);
  EXPECT_FALSE(decode_envelope("{\"v\":18446744073709551617,\"type\":\"ack\"}\n").ok());

  auto ack = decode_envelope("{\"v\":1,\"type\":\"ack\",\"acked\":18446744073709551615}\n");
  ASSERT_TRUE(ack.ok());
  auto acked = header_int(*ack, "acked");
  ASSERT_FALSE(acked.ok());
  EXPECT_NE(acked.error().message.find("past the largest sequence number"), std::string::npos);
}

TEST(Protocol, TopicsNameNetworkStoreAndDirection) {
  EXPECT_EQ(topic_for("rede", "centro", Direction::up, "batch"), "regua/v1/rede/centro/up/batch");
  EXPECT_EQ(store_filter("rede", "centro", Direction::down), "regua/v1/rede/centro/down/#");
  EXPECT_EQ(hub_filter("rede", "regua-hub"), "$share/regua-hub/regua/v1/rede/+/up/#");
  EXPECT_EQ(hub_filter("rede", ""), "regua/v1/rede/+/up/#");
  auto a = parse_topic("regua/v1/rede/centro/down/ack");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->network, "rede");
  EXPECT_EQ(a->store, "centro");
  EXPECT_EQ(a->direction, Direction::down);
  EXPECT_EQ(a->what, "ack");
  for (const char* bad :
       {"regua/v2/rede/centro/up/batch", "regua/v1/rede/centro/sideways/x", "regua/v1/rede/+/up/x",
        "regua/v1/rede/centro/up", "other/v1/rede/centro/up/batch"}) {
    EXPECT_FALSE(parse_topic(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace regua::sync
