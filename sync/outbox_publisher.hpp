#pragma once
// Drains the ledger's outbox to the hub (docs/protocol.md): reads the rows after what was sent,
// builds their records, packs them into batches (size-capped, compressed, each with the range of
// the sequence it covers) and hands them to `send`, keeping at most `window` batches unacknowledged.
// A row is deleted only when the hub's end-to-end ack covers it (never on the broker's PUBACK);
// a resend command or a stuck window (no ack progress for `ack_timeout`) sends again from the ack.
// Runs on the sync thread, with its own connection to the ledger.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"
#include "sync/record_builder.hpp"

namespace regua::sync {

struct PublisherLimits {
  int window = 8;               // batches sent and not yet acknowledged
  int batch_records = 2000;     // records in one batch at most
  std::size_t batch_bytes = 0;  // raw bytes of one batch at most; 0: kMaxRawBody
  std::chrono::milliseconds ack_timeout{30'000};
};

class OutboxPublisher {
 public:
  using Send = std::function<Status(const std::string& payload)>;
  using Steady = std::chrono::steady_clock;

  OutboxPublisher(sqlite::Db& db, RecordBuilder& builder, std::string store, PublisherLimits limits,
                  const Clock& clock);

  // A new connection: nothing is in flight any more; sending starts again after the ack.
  Status start_session();
  // Sends nothing until the hub's next ack (its answer to the hello, which comes after the orders
  // waiting for the store): HQ's erasures and opt-outs are applied before any record leaves. No
  // answer within ack_timeout is a stuck connection.
  void hold_until_acked();
  // Sends batches while the window has room and rows wait; returns how many it sent.
  Result<int> pump(const Send& send);
  // The hub's end-to-end ack: deletes what it covers. A stale or repeated ack changes nothing.
  Status on_ack(std::int64_t acked);
  // The hub asks for everything from `from` on (a gap, a lost batch, a command from HQ).
  void on_resend(std::int64_t from);
  // Batches are out and no ack has moved for ack_timeout: the connection is stuck.
  [[nodiscard]] bool stuck(Steady::time_point now) const;

  [[nodiscard]] std::int64_t acked() const { return acked_; }
  [[nodiscard]] std::int64_t sent_upto() const { return sent_upto_; }
  [[nodiscard]] std::size_t in_flight() const { return in_flight_.size(); }
  // Totals since start, for logs and the benchmark.
  [[nodiscard]] std::int64_t records_sent() const { return records_sent_; }
  [[nodiscard]] std::int64_t bytes_sent() const { return bytes_sent_; }
  [[nodiscard]] std::int64_t batches_sent() const { return batches_sent_; }

 private:
  struct Flight {
    std::int64_t first = 0, last = 0;
  };

  sqlite::Db* db_;
  RecordBuilder* builder_;
  std::string store_;
  PublisherLimits limits_;
  const Clock* clock_;
  std::int64_t acked_ = 0;
  std::int64_t sent_upto_ = 0;
  std::deque<Flight> in_flight_;
  bool holding_ = false;
  Steady::time_point last_progress_ = Steady::now();
  std::int64_t records_sent_ = 0;
  std::int64_t bytes_sent_ = 0;
  std::int64_t batches_sent_ = 0;
};

}  // namespace regua::sync
