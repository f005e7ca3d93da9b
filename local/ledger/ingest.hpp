#pragma once
// Writes what the POS said into the ledger. What a connector read (events, quarantined lines, the
// new checkpoint) goes into one transaction: a crash at any instant leaves either all of it or none
// of it. Large transactions are much cheaper when a backlog is read: each index page is written
// once per transaction, not once per line.
//
// Replays are no-ops: a sale is keyed by its POS id, a cancellation by the sale it cancels, a
// quarantined line by its file identity, byte offset and content.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "local/analysis/customer_stats.hpp"
#include "local/core/result.hpp"
#include "local/identity/customer_book.hpp"
#include "local/identity/phone.hpp"
#include "local/ledger/checkpoints.hpp"
#include "local/ledger/ledger.hpp"
#include "local/model/events.hpp"

namespace regua {

// Where a piece of input came from, for the quarantine and for people reading it.
struct InputPosition {
  std::string_view source;  // the configured source name, or "import"
  std::string_view file;    // the file's path when it was read
  std::string_view origin;  // the file's identity ("device:inode")
  std::int64_t line = 0;    // 1-based
  std::int64_t byte_offset = 0;
};

struct IngestCounts {
  std::int64_t sales_added = 0;
  std::int64_t sales_replayed = 0;
  std::int64_t cancels_applied = 0;  // marked a sale cancelled
  std::int64_t cancels_pending = 0;  // kept until their sale arrives
  std::int64_t cancels_replayed = 0;
  std::int64_t customer_updates = 0;
  std::int64_t quarantined = 0;
  std::int64_t quarantine_replayed = 0;

  IngestCounts& operator+=(const IngestCounts& o);
  IngestCounts operator-(const IngestCounts& o) const;
};

// Told of every change to a customer's purchases and details inside the transaction that makes
// it, so that what depends on them (the scheduler's jobs, local/scheduler/engine.hpp) changes in
// the same commit. Not owned by the Ingestor.
class IngestListener {
 public:
  virtual ~IngestListener() = default;
  // A sale was stored for the customer (`new_customer`: the sale created the customer record).
  virtual Status on_sale(std::int64_t customer_id, std::int64_t sale_id, std::string_view sale_pos_id,
                         Seconds sold_at, bool new_customer) = 0;
  // A stored sale of the customer was marked cancelled.
  virtual Status on_cancel(std::int64_t customer_id, std::string_view sale_pos_id) = 0;
  // A customer event created or updated the record.
  virtual Status on_customer(std::int64_t customer_id, bool new_customer) = 0;
  // The open transaction was rolled back: forget what it told.
  virtual void on_rollback() = 0;
};

class Ingestor {
 public:
  // Prepares the statements once; the Ingestor must not outlive the ledger or `phones`, which
  // normalises every customer's phone (docs/identity.md). Customer rows an older version stored raw
  // are normalised here, once, in a transaction of their own: call it outside a transaction.
  static Result<Ingestor> create(Ledger& ledger, const PhoneNormaliser& phones);

  Status begin();
  Status commit();
  void rollback();
  [[nodiscard]] bool in_transaction() const { return txn_.has_value(); }

  Status apply(const Event& event, std::string_view source);
  Status quarantine(const InputPosition& at, std::string_view raw, std::string_view reason);
  Status save_checkpoint(const FileCheckpoint& checkpoint);

  // Counts of the open transaction and of all committed ones.
  [[nodiscard]] const IngestCounts& pending() const { return pending_; }
  [[nodiscard]] const IngestCounts& committed() const { return committed_; }

  // The per-customer figures kept with each write (local/analysis/customer_stats.hpp); the agent
  // gives it the store's segment policy so that cell changes are recorded in the same transaction.
  CustomerStats& stats() { return stats_; }
  // The listener (not owned; nullptr: none) told of each change, inside its transaction.
  void listen(IngestListener* listener) { listener_ = listener; }
  // The connection it writes on (a bulk import tunes it: local/ledger/bulk_import.hpp).
  sqlite::Db& db() { return ledger_->db(); }

 private:
  Ingestor(Ledger& ledger, CustomerBook customers, CustomerStats stats)
      : ledger_(&ledger), customers_(std::move(customers)), stats_(std::move(stats)) {}
  Status apply_sale(const Sale& sale, std::string_view source);
  Status apply_cancel(const Cancel& cancel, std::string_view source);
  Status apply_customer(const CustomerUpdate& update, std::string_view source);
  // Customer stats and info_at moves are kept in memory within a transaction and written before
  // anything reads them: before the listener is told and before commit.
  Status flush_deferred();
  void forget_deferred();
  void forget_if_written_by_others();

  Ledger* ledger_;
  CustomerBook customers_;
  CustomerStats stats_;
  IngestListener* listener_ = nullptr;
  std::optional<sqlite::Transaction> txn_;
  sqlite::Stmt insert_sale_, set_sale_customer_, sale_to_outbox_;
  std::string items_json_;  // the current sale's items, bound to insert_sale_; reused from sale to sale
  sqlite::Stmt insert_cancel_, cancel_sale_, insert_quarantine_, owner_of_sale_, cancelled_before_,
      any_cancellation_;
  // Whether the cancellations table may hold a row: while it is known to be empty (most stores
  // until their first cancellation, every fresh import) a sale needs no probe for a cancellation
  // that came first. Read again at each begin() and after any other writer.
  std::optional<bool> may_have_cancellations_;
  Result<bool> cancellation_may_exist();
  IngestCounts pending_, committed_;
  // The connection's total_changes() after the Ingestor's last write: a different count at its next
  // call means someone else wrote (local/identity/customer_book.hpp).
  std::int64_t own_changes_ = -1;
};

}  // namespace regua
