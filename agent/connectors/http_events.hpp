#pragma once
// POS events posted to the agent's HTTP API (`POST /api/v1/events`): the body is one JSON object or
// JSON Lines. Every line is decoded and applied, or quarantined with its reason, in one transaction
// that is committed with a full sync before the answer goes back: the POS deletes what it was told
// was accepted, so unlike a tailed file nothing could read it again after a power cut.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/connectors/line_decoder.hpp"
#include "local/ledger/ingest.hpp"

namespace regua {

struct EventOutcome {
  enum class Status { accepted, duplicate, quarantined, blank };
  std::int64_t line = 0;  // 1-based, in the body
  Status status = Status::accepted;
  std::string reason;  // why it was quarantined
};

struct EventsAnswer {
  std::vector<EventOutcome> lines;
  std::int64_t accepted = 0;
  std::int64_t duplicates = 0;
  std::int64_t quarantined = 0;
};

std::string_view outcome_name(EventOutcome::Status status);

// Applies a request body with `ingestor` (working on `ledger`). An error means nothing was committed
// (the ledger failed): the client should send the body again.
Result<EventsAnswer> ingest_events_body(Ledger& ledger, Ingestor& ingestor, LineDecoder& decoder,
                                        std::string_view body);

}  // namespace regua
