#include "sync/outbox_publisher.hpp"

#include "local/ledger/outbox.hpp"
#include "sync/protocol/batch.hpp"

namespace regua::sync {

OutboxPublisher::OutboxPublisher(sqlite::Db& db, RecordBuilder& builder, std::string store,
                                 PublisherLimits limits, const Clock& clock)
    : db_(&db), builder_(&builder), store_(std::move(store)), limits_(limits), clock_(&clock) {
  if (limits_.batch_bytes == 0 || limits_.batch_bytes > kMaxRawBody) limits_.batch_bytes = kMaxRawBody;
}

Status OutboxPublisher::start_session() {
  auto ack = outbox_ack(*db_);
  if (!ack) return ack.error();
  acked_ = ack->seq;
  sent_upto_ = acked_;
  in_flight_.clear();
  holding_ = false;
  last_progress_ = Steady::now();
  return {};
}

void OutboxPublisher::hold_until_acked() {
  holding_ = true;
  last_progress_ = Steady::now();
}

Result<int> OutboxPublisher::pump(const Send& send) {
  int sent = 0;
  while (!holding_ && static_cast<int>(in_flight_.size()) < limits_.window) {
    auto rows = read_outbox(*db_, sent_upto_, limits_.batch_records);
    if (!rows) return rows.error();
    if (rows->empty()) break;
    Batch batch;
    batch.store = store_;
    batch.first = sent_upto_ + 1;
    batch.acked = acked_;
    std::size_t bytes = 0;
    const auto now = clock_->now();
    for (const auto& row : *rows) {
      auto record = builder_->build(row, now);
      if (!record) return record.error();
      // A batch is never empty: a record over the cap (it cannot be: rows are small) goes alone.
      if (!batch.records.empty() && bytes + record->size() + 1 > limits_.batch_bytes) break;
      bytes += record->size() + 1;
      batch.records.push_back(std::move(*record));
      batch.last = row.seq;
    }
    auto payload = encode_batch(batch);
    if (!payload) return payload.error();
    if (auto s = send(*payload); !s) return s.error();
    if (in_flight_.empty()) last_progress_ = Steady::now();
    in_flight_.push_back(Flight{batch.first, batch.last});
    sent_upto_ = batch.last;
    records_sent_ += static_cast<std::int64_t>(batch.records.size());
    bytes_sent_ += static_cast<std::int64_t>(payload->size());
    ++batches_sent_;
    ++sent;
  }
  return sent;
}

Status OutboxPublisher::on_ack(std::int64_t acked) {
  holding_ = false;
  if (acked <= acked_) {
    // A repeated ack (the hub answers every batch, and a hello) still says it is alive.
    if (acked == acked_) last_progress_ = Steady::now();
    return {};
  }
  auto recorded = acknowledge_outbox(*db_, acked, clock_->now());
  if (!recorded) return recorded.error();
  acked_ = *recorded;
  while (!in_flight_.empty() && in_flight_.front().last <= acked_)
    in_flight_.pop_front();
  // The hub has more than this session sent (it had it from an earlier session): go on from there.
  if (sent_upto_ < acked_) sent_upto_ = acked_;
  last_progress_ = Steady::now();
  return {};
}

void OutboxPublisher::on_resend(std::int64_t from) {
  const auto restart = std::max(from - 1, acked_);
  if (restart >= sent_upto_) return;
  sent_upto_ = restart;
  while (!in_flight_.empty() && in_flight_.back().first > restart)
    in_flight_.pop_back();
  if (!in_flight_.empty() && in_flight_.back().last > restart) in_flight_.back().last = restart;
  last_progress_ = Steady::now();
}

bool OutboxPublisher::stuck(Steady::time_point now) const {
  return (holding_ || !in_flight_.empty()) && now - last_progress_ > limits_.ack_timeout;
}

}  // namespace regua::sync
