#pragma once
// Per-customer purchase figures kept current at ingest (table customer_stats), so that segments,
// rules and lists never recompute them from all the sales: purchases (sales not cancelled), first
// and last purchase (the POS's time), total spent; the average ticket is total / purchases.
//
// The Ingestor calls CustomerStats after each sale it stores for a customer and after each
// cancellation it applies; a merge recomputes the survivor (local/identity/merge.cpp). A sale that
// was cancelled before it arrived is born cancelled and never counted; anonymous sales have no
// customer and count for nobody.
//
// With a SegmentPolicy, each change also re-evaluates the customer's lifecycle cell and records a
// segment event in the same transaction (segment_events.hpp). Without one (import, the HTTP API,
// tests) the row is marked pending and the next refresh_segments() records the change; then the
// sales are added up in memory and each customer's row is written once, in customer order, by
// flush(), which the Ingestor calls before anything reads the rows and before it commits.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/analysis/segment_events.hpp"
#include "local/core/clock.hpp"
#include "local/core/money.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

class CustomerStats {
 public:
  // Prepares its statements once; must not outlive `db` or `clock`.
  static Result<CustomerStats> create(sqlite::Db& db, const Clock& clock);

  // The policy (not owned) under which cells are evaluated at ingest; nullptr: none.
  void use_policy(const SegmentPolicy* policy) { policy_ = policy; }
  // Off: changes are not recorded at all, and the caller must run rebuild_customer_stats() after
  // its writes. For bulk loads and for the benchmark that measures what upkeep costs.
  void set_upkeep(bool on) { upkeep_ = on; }

  // A sale just stored for `customer_id` that counts (it was not born cancelled).
  Status on_sale(std::int64_t customer_id, std::int64_t sold_at, Cents total);
  // A stored sale was just marked cancelled.
  Status on_cancel(std::string_view sale_pos_id);
  // Recomputes one customer from its sales (after a merge or a re-link).
  Status recompute(std::int64_t customer_id, SegmentCause cause);
  // Writes the sales added up in memory (without a policy). Call inside the transaction, before
  // anything reads customer_stats and before commit.
  Status flush();
  // The transaction was rolled back: forgets the sales not yet written.
  void rollback() {
    deferred_.clear();
    compacted_size_ = 0;
  }

 private:
  CustomerStats(sqlite::Db& db, const Clock& clock, SegmentEventWriter events)
      : db_(&db), clock_(&clock), events_(std::move(events)) {}
  // Reads the row the statement returned (purchases, last_at, cell) and records a cell change.
  Status evaluate(sqlite::Stmt& returned, std::int64_t customer_id, SegmentCause cause);
  void bind_pending(sqlite::Stmt& stmt, int index, SegmentCause cause);

  // Sales of one customer added up, for flush().
  struct Added {
    std::int64_t customer_id = 0;
    std::int64_t purchases = 0;
    std::int64_t first_at = 0, last_at = 0;
    Cents total = 0;
  };

  sqlite::Db* db_;
  const Clock* clock_;
  const SegmentPolicy* policy_ = nullptr;
  bool upkeep_ = true;
  SegmentEventWriter events_;
  sqlite::Stmt add_sale_, add_sale_quietly_, owner_of_sale_, recompute_;
  // Sorts deferred_ by customer and adds up each customer's entries into one.
  void compact_deferred();
  // One entry per sale, added up per customer whenever it has grown by half since it last was:
  // memory follows the customers a transaction touches, not its sales, in one block.
  std::vector<Added> deferred_;
  std::size_t compacted_size_ = 0;
};

// Recomputes one customer's row from its sales and marks it pending for refresh_segments(): for
// code without a policy at hand (merge). Call inside the caller's transaction.
Status recompute_customer_stats(sqlite::Db& db, std::int64_t customer_id, SegmentCause cause);

// Recomputes every customer's row from the sales (after a bulk load without upkeep) and marks the
// changed ones pending. Call inside a transaction.
Status rebuild_customer_stats(sqlite::Db& db);

// One customer's figures as stored.
struct CustomerFigures {
  std::int64_t purchases = 0;
  std::optional<std::int64_t> first_at, last_at;
  Cents total = 0;
  std::optional<std::string> cell;                            // as last recorded
  [[nodiscard]] std::optional<Cents> average_ticket() const;  // rounded to the cent; empty without purchases
};
Result<std::optional<CustomerFigures>> load_customer_figures(sqlite::Db& db, std::int64_t customer_id);

// Purchases (sales not cancelled) of one customer made on the store-local days today - days ..
// today: "in the last N days" for rules. Read from the index sales_by_customer (customer_id,
// sold_at): a customer's recent sales are a short range of it.
Result<std::int64_t> purchases_in_last_days(sqlite::Db& db, std::int64_t customer_id, int days,
                                            std::int64_t today, const LocalDay& local_day);

}  // namespace regua
