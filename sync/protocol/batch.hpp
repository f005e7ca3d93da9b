#pragma once
// A batch: records of one store's outbox, in sequence order, covering a range of the sequence
// (docs/protocol.md). A sequence number of the range without a record was dropped on the store by
// its outbox policy (local/ledger/outbox.hpp); the range still covers it, so the hub sees no gap.
// The records (one JSON object a line, each with "seq" and "kind") travel deflated.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "local/core/result.hpp"
#include "sync/protocol/envelope.hpp"

namespace regua::sync {

struct Batch {
  std::string store;
  std::int64_t first = 0;  // the range covered, inclusive
  std::int64_t last = 0;
  std::int64_t acked = 0;            // the store's recorded end-to-end ack when it was built
  std::vector<std::string> records;  // JSON objects, seq increasing within [first, last]
};

// The framed, compressed message.
Result<std::string> encode_batch(const Batch& batch);

struct DecodedRecord {
  std::int64_t seq = 0;
  std::string kind;
  std::string key;  // the state it upserts: "sale:12", "customer:7", "kpi_day:2026-03-01", "heartbeat"
  nlohmann::json body;
};

struct DecodedBatch {
  std::string store;
  std::int64_t first = 0, last = 0, acked = 0;
  std::vector<DecodedRecord> records;
};

// Checks everything: the range, each record's seq (inside it, increasing), kind and key.
Result<DecodedBatch> decode_batch(const Envelope& envelope);

}  // namespace regua::sync
