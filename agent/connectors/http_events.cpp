#include "agent/connectors/http_events.hpp"

#include "agent/connectors/chunk_ingest.hpp"
#include "local/ledger/durable_commits.hpp"

namespace regua {
namespace {

constexpr std::string_view kSource = "http";

// A body that is one JSON object may be pretty-printed over several lines; JSON Lines never is. A
// body whose first non-blank character opens an object that only closes at its last one, and whose
// lines do not each hold a whole object, is taken as one object. Deciding it by asking the decoder
// keeps one JSON parser in charge of what JSON is.
bool is_single_document(LineDecoder& decoder, std::string_view body, std::string& padded) {
  if (body.find('\n') == std::string_view::npos) return true;
  padded.assign(body);
  padded.append(kLinePadding, '\0');
  auto whole = decoder.decode(std::string_view(padded.data(), body.size()));
  return whole.ok();
}

EventOutcome::Status classify(const IngestCounts& before, const IngestCounts& after) {
  const auto d = after - before;
  if (d.quarantined + d.quarantine_replayed > 0) return EventOutcome::Status::quarantined;
  if (d.sales_added + d.cancels_applied + d.cancels_pending + d.customer_updates > 0) {
    return EventOutcome::Status::accepted;
  }
  if (d.sales_replayed + d.cancels_replayed > 0) return EventOutcome::Status::duplicate;
  return EventOutcome::Status::blank;
}

// One attempt: everything in one transaction, or nothing.
Status apply_body(Ingestor& ingestor, LineDecoder& decoder, std::string_view body, bool single,
                  RefusedLines& refused, EventsAnswer& answer) {
  answer = {};
  std::string padded;
  // Quarantine entries are keyed by origin, offset and content: a body sent again (a POS retrying
  // after a timeout) adds no second entry.
  InputPosition at{kSource, "POST /api/v1/events", kSource, 1, 0};
  auto one = [&](std::string_view text, std::int64_t line, std::int64_t offset) -> Status {
    padded.assign(text);
    padded.append(kLinePadding, '\0');
    const std::string_view view(padded.data(), text.size());
    at.line = line;
    at.byte_offset = offset;
    const IngestCounts before = ingestor.pending();
    if (auto s = apply_line(ingestor, at, view, decoder.decode_at(view, line), refused); !s) return s;
    EventOutcome outcome{line, classify(before, ingestor.pending()), {}};
    if (outcome.status == EventOutcome::Status::quarantined) {
      auto r = decoder.decode_at(view, line);
      const auto key = std::make_pair(std::string(kSource), offset);
      outcome.reason = !r.ok() ? r.error().message : refused.count(key) ? refused.find(key)->second : "";
      ++answer.quarantined;
    } else if (outcome.status == EventOutcome::Status::accepted) {
      ++answer.accepted;
    } else if (outcome.status == EventOutcome::Status::duplicate) {
      ++answer.duplicates;
    }
    answer.lines.push_back(std::move(outcome));
    return {};
  };

  if (single) return one(body, 1, 0);
  std::size_t start = 0;
  std::int64_t number = 0;
  while (start < body.size()) {
    auto end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view text = body.substr(start, end - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (auto s = one(text, ++number, static_cast<std::int64_t>(start)); !s) return s;
    start = end + 1;
  }
  return {};
}

}  // namespace

std::string_view outcome_name(EventOutcome::Status status) {
  switch (status) {
    case EventOutcome::Status::accepted:
      return "accepted";
    case EventOutcome::Status::duplicate:
      return "duplicate";
    case EventOutcome::Status::quarantined:
      return "quarantined";
    case EventOutcome::Status::blank:
      return "blank";
  }
  return "blank";
}

Result<EventsAnswer> ingest_events_body(Ledger& ledger, Ingestor& ingestor, LineDecoder& decoder,
                                        std::string_view body) {
  std::string scratch;
  const bool single = is_single_document(decoder, body, scratch);
  RefusedLines refused;
  EventsAnswer answer;
  // A line the ledger refuses rolls the attempt back; the next attempt quarantines it. Each retry
  // adds one refused line, so this ends.
  DurableCommits durable(ledger);
  if (!durable.status()) return durable.status().error();
  for (;;) {
    if (auto s = ingestor.begin(); !s) return s.error();
    auto applied = apply_body(ingestor, decoder, body, single, refused, answer);
    if (applied) {
      if (auto s = ingestor.commit(); !s) return s.error();
      return answer;
    }
    ingestor.rollback();
    if (applied.error().kind != ErrorKind::input) return applied.error();
  }
}

}  // namespace regua
