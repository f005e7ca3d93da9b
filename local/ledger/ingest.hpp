#pragma once
// Writes what the POS said into the ledger. What a connector read (events, quarantined lines, the
// new checkpoint) goes into one transaction: a crash at any instant leaves either all of it or none
// of it. Large transactions are much cheaper when a backlog is read: each index page is written
// once per transaction, not once per line.
//
// Replays are no-ops: a sale is keyed by its POS id, a cancellation by the sale it cancels, a
// quarantined line by its file identity, byte offset and content.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "local/core/result.hpp"
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

class Ingestor {
 public:
  // Prepares the statements once; the Ingestor must not outlive the ledger.
  static Result<Ingestor> create(Ledger& ledger);

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

 private:
  explicit Ingestor(Ledger& ledger) : ledger_(&ledger) {}
  Status apply_sale(const Sale& sale, std::string_view source);
  Status apply_cancel(const Cancel& cancel, std::string_view source);
  Status insert_items(std::int64_t sale_id, const Sale& sale);
  Result<std::optional<std::int64_t>> find_customer(const std::string& pos_id);
  // Inserts the customer, or merges `info` into the known one; returns the customer's id.
  Result<std::int64_t> save_customer(const CustomerInfo& info, std::optional<std::int64_t> known,
                                     std::int64_t info_at, std::string_view source);

  Ledger* ledger_;
  std::optional<sqlite::Transaction> txn_;
  sqlite::Stmt find_customer_, insert_sale_, set_sale_customer_, insert_customer_, update_customer_,
      upsert_consent_;
  std::array<sqlite::Stmt, 4> insert_items_;  // for 1, 2, 3 and 4 items at once
  sqlite::Stmt insert_cancel_, cancel_sale_, insert_quarantine_;
  IngestCounts pending_, committed_;
};

}  // namespace regua
