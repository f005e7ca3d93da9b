#include "local/ledger/ingest.hpp"

#include <type_traits>

#include <sqlite3.h>

#include "local/core/clock.hpp"
#include "local/core/hash.hpp"
#include "local/ledger/sale_items_json.hpp"

namespace regua {
namespace {

// A replayed sale (its POS id is known) changes nothing; a sale whose cancellation came first is
// born cancelled (?7: when it was cancelled).
// The items go in the sale's row as JSON (?8; local/ledger/sale_items_json.hpp).
constexpr std::string_view kInsertSale =
    "INSERT INTO sales (pos_id, customer_id, sold_at, total_cents, cancelled_at, source, ingested_at, items) "
    "VALUES (?1, ?2, ?3, ?4, ?7, ?5, ?6, ?8) ON CONFLICT (pos_id) DO NOTHING";

constexpr std::string_view kCancelledBefore = "SELECT cancelled_at FROM cancellations WHERE sale_pos_id = ?1";
constexpr std::string_view kAnyCancellation = "SELECT EXISTS (SELECT 1 FROM cancellations)";

constexpr std::string_view kSetSaleCustomer = "UPDATE sales SET customer_id = ?2 WHERE id = ?1";

// The sale's row in the sync outbox (docs/ledger.md), in its transaction. Written here rather than
// by a trigger: a trigger on sales makes SQLite keep a statement journal for every insert, which cost
// ingest about 30% more instructions (docs/benchmarks.md, bench/import-compare).
constexpr std::string_view kSaleToOutbox = "INSERT INTO outbox (kind, ref) VALUES ('sale', ?1)";

constexpr std::string_view kInsertCancel =
    "INSERT INTO cancellations (sale_pos_id, cancelled_at, source, received_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (sale_pos_id) DO NOTHING";

constexpr std::string_view kCancelSale =
    "UPDATE sales SET cancelled_at = ?2 WHERE pos_id = ?1 AND cancelled_at IS NULL";

constexpr std::string_view kOwnerOfSale = "SELECT customer_id FROM sales WHERE pos_id = ?1";

constexpr std::string_view kInsertQuarantine =
    "INSERT INTO quarantine (source, file, origin, line, byte_offset, raw_hash, raw, reason, at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (origin, byte_offset, raw_hash) DO NOTHING";

// Rows this connection has written since it opened.
std::int64_t total_changes_of(const sqlite::Db& db) {
  return sqlite3_total_changes64(db.handle());
}

}  // namespace

IngestCounts& IngestCounts::operator+=(const IngestCounts& o) {
  sales_added += o.sales_added;
  sales_replayed += o.sales_replayed;
  cancels_applied += o.cancels_applied;
  cancels_pending += o.cancels_pending;
  cancels_replayed += o.cancels_replayed;
  customer_updates += o.customer_updates;
  quarantined += o.quarantined;
  quarantine_replayed += o.quarantine_replayed;
  return *this;
}

IngestCounts IngestCounts::operator-(const IngestCounts& o) const {
  IngestCounts d = *this;
  d.sales_added -= o.sales_added;
  d.sales_replayed -= o.sales_replayed;
  d.cancels_applied -= o.cancels_applied;
  d.cancels_pending -= o.cancels_pending;
  d.cancels_replayed -= o.cancels_replayed;
  d.customer_updates -= o.customer_updates;
  d.quarantined -= o.quarantined;
  d.quarantine_replayed -= o.quarantine_replayed;
  return d;
}

Result<Ingestor> Ingestor::create(Ledger& ledger, const PhoneNormaliser& phones) {
  if (auto s = normalise_stored_customers(ledger.db(), phones); !s) return s.error();
  auto customers = CustomerBook::create(ledger.db(), phones, ledger.clock());
  if (!customers) return customers.error();
  auto stats = CustomerStats::create(ledger.db(), ledger.clock());
  if (!stats) return stats.error();
  Ingestor in(ledger, std::move(*customers), std::move(*stats));
  auto& db = ledger.db();
  struct Prepared {
    sqlite::Stmt* stmt;
    std::string_view sql;
  };
  for (const auto& [stmt, sql] :
       {Prepared{&in.insert_sale_, kInsertSale}, Prepared{&in.set_sale_customer_, kSetSaleCustomer},
        Prepared{&in.insert_cancel_, kInsertCancel}, Prepared{&in.cancel_sale_, kCancelSale},
        Prepared{&in.insert_quarantine_, kInsertQuarantine}, Prepared{&in.owner_of_sale_, kOwnerOfSale},
        Prepared{&in.cancelled_before_, kCancelledBefore}, Prepared{&in.sale_to_outbox_, kSaleToOutbox},
        Prepared{&in.any_cancellation_, kAnyCancellation}}) {
    auto prepared = db.prepare(sql);
    if (!prepared) return prepared.error();
    *stmt = std::move(*prepared);
  }
  return in;
}

Status Ingestor::begin() {
  forget_if_written_by_others();
  auto txn = sqlite::Transaction::begin(ledger_->db());
  if (!txn) return txn.error();
  txn_.emplace(std::move(*txn));
  pending_ = {};
  may_have_cancellations_.reset();  // another connection may have written one since
  auto s = customers_.refresh();
  own_changes_ = total_changes_of(ledger_->db());
  return s;
}

Status Ingestor::commit() {
  if (!txn_) return make_error(ErrorKind::internal, "Ingestor::commit without begin");
  if (auto s = flush_deferred(); !s) {
    rollback();
    return s;
  }
  if (auto s = txn_->commit(); !s) {
    txn_.reset();
    forget_deferred();
    return s;
  }
  txn_.reset();
  own_changes_ = total_changes_of(ledger_->db());
  committed_ += pending_;
  pending_ = {};
  return {};
}

void Ingestor::rollback() {
  txn_.reset();
  pending_ = {};
  may_have_cancellations_.reset();
  forget_deferred();
  if (listener_ != nullptr) listener_->on_rollback();
}

Status Ingestor::flush_deferred() {
  if (auto s = stats_.flush(); !s) return s;
  return customers_.flush();
}

void Ingestor::forget_deferred() {
  stats_.rollback();
  customers_.rollback();
}

void Ingestor::forget_if_written_by_others() {
  // Only the Ingestor (and its listener, which never writes customers) writes between two of its
  // calls; any other write on this connection (a merge, a test) makes what it knows stale.
  if (total_changes_of(ledger_->db()) != own_changes_) {
    customers_.forget();
    may_have_cancellations_.reset();
  }
}

Result<bool> Ingestor::cancellation_may_exist() {
  if (!txn_) return true;  // between two statements outside a transaction, anyone may write one
  if (!may_have_cancellations_) {
    auto row = any_cancellation_.step();
    if (!row) return row.error().within("reading cancellations");
    may_have_cancellations_ = *row && any_cancellation_.int64(0) != 0;
    any_cancellation_.reset();
  }
  return *may_have_cancellations_;
}

Status Ingestor::apply(const Event& event, std::string_view source) {
  forget_if_written_by_others();
  Status applied = std::visit(
      [&](const auto& e) -> Status {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, Sale>) {
          return apply_sale(e, source);
        } else if constexpr (std::is_same_v<E, Cancel>) {
          return apply_cancel(e, source);
        } else {
          return apply_customer(e, source);
        }
      },
      event);
  own_changes_ = total_changes_of(ledger_->db());
  return applied;
}

Status Ingestor::apply_customer(const CustomerUpdate& update, std::string_view source) {
  ++pending_.customer_updates;
  if (!describes_anyone(update.customer)) return {};
  const auto at = to_unix(update.at);
  auto match = customers_.match(update.customer, at);
  if (!match) return match.error();
  const bool new_customer = !match->customer_id().has_value();
  auto id = customers_.save(update.customer, *match, at, source);
  if (!id) return id.error();
  if (listener_ != nullptr) {
    if (auto s = flush_deferred(); !s) return s;
    return listener_->on_customer(*id, new_customer);
  }
  return {};
}

Status Ingestor::apply_sale(const Sale& sale, std::string_view source) {
  // A customer object that says nothing about anyone leaves the sale anonymous.
  const bool identified = sale.customer && describes_anyone(*sale.customer);
  const auto sold_at = to_unix(sale.sold_at);
  std::optional<CustomerMatch> match;
  std::optional<std::int64_t> customer_id;
  if (identified) {
    auto found = customers_.match(*sale.customer, sold_at);
    if (!found) return found.error().within("sale " + sale.pos_id);
    match.emplace(std::move(*found));
    customer_id = match->customer_id();
  }
  // A cancellation that came first: the sale is born cancelled and never counts.
  auto probe = cancellation_may_exist();
  if (!probe) return probe.error().within("sale " + sale.pos_id);
  std::optional<std::int64_t> cancelled_at;
  if (*probe) {
    cancelled_before_.bind_ref(1, std::string_view(sale.pos_id));
    auto cancelled = cancelled_before_.step();
    if (!cancelled) return cancelled.error().within("sale " + sale.pos_id);
    if (*cancelled) cancelled_at = cancelled_before_.int64(0);
    cancelled_before_.reset();
  }

  insert_sale_.bind_ref(1, std::string_view(sale.pos_id));
  if (customer_id) {
    insert_sale_.bind(2, *customer_id);
  } else {
    insert_sale_.bind_null(2);
  }
  if (cancelled_at) {
    insert_sale_.bind(7, *cancelled_at);
  } else {
    insert_sale_.bind_null(7);
  }
  items_json_.clear();
  append_sale_items_json(items_json_, sale.items);
  insert_sale_.bind(3, sold_at)
      .bind(4, sale.total)
      .bind_ref(5, source)
      .bind(6, to_unix(ledger_->clock().now()))
      .bind_ref(8, std::string_view(items_json_));
  if (auto s = insert_sale_.run(); !s) return s.error().within("sale " + sale.pos_id);
  if (ledger_->db().changes() == 0) {
    ++pending_.sales_replayed;
    return {};
  }
  const auto sale_id = ledger_->db().last_insert_rowid();
  sale_to_outbox_.bind(1, sale_id);
  if (auto s = sale_to_outbox_.run(); !s) return s.error().within("sale " + sale.pos_id);

  if (identified) {
    auto id = customers_.save(*sale.customer, *match, sold_at, source);
    if (!id) return id.error().within("sale " + sale.pos_id);
    if (!customer_id) {  // a new customer: the sale was stored before its customer existed
      set_sale_customer_.bind(1, sale_id).bind(2, *id);
      if (auto s = set_sale_customer_.run(); !s) return s.error().within("sale " + sale.pos_id);
    }
    if (!cancelled_at) {
      if (auto s = stats_.on_sale(*id, sold_at, sale.total); !s)
        return s.error().within("sale " + sale.pos_id);
    }
    if (listener_ != nullptr) {
      // The listener reads the ledger: it sees every write of the sale.
      if (auto s = flush_deferred(); !s) return s.error().within("sale " + sale.pos_id);
      auto s = listener_->on_sale(*id, sale_id, sale.pos_id, sale.sold_at, !customer_id.has_value());
      if (!s) return s.error().within("sale " + sale.pos_id);
    }
  }
  ++pending_.sales_added;
  return {};
}

Status Ingestor::apply_cancel(const Cancel& cancel, std::string_view source) {
  const auto now = to_unix(ledger_->clock().now());
  insert_cancel_.bind(1, std::string_view(cancel.sale_pos_id))
      .bind(2, to_unix(cancel.cancelled_at))
      .bind(3, source)
      .bind(4, now);
  if (auto s = insert_cancel_.run(); !s) return s.error().within("cancellation of " + cancel.sale_pos_id);
  may_have_cancellations_ = true;
  if (ledger_->db().changes() == 0) {
    ++pending_.cancels_replayed;
    return {};
  }
  cancel_sale_.bind(1, std::string_view(cancel.sale_pos_id)).bind(2, to_unix(cancel.cancelled_at));
  if (auto s = cancel_sale_.run(); !s) return s.error().within("cancellation of " + cancel.sale_pos_id);
  if (ledger_->db().changes() > 0) {
    ++pending_.cancels_applied;
    auto s = stats_.on_cancel(cancel.sale_pos_id);
    if (!s) return s.error().within("cancellation of " + cancel.sale_pos_id);
    if (listener_ != nullptr) {
      if (auto f = flush_deferred(); !f) return f.error().within("cancellation of " + cancel.sale_pos_id);
      owner_of_sale_.bind_ref(1, std::string_view(cancel.sale_pos_id));
      auto row = owner_of_sale_.step();
      if (!row) return row.error().within("cancellation of " + cancel.sale_pos_id);
      const std::optional<std::int64_t> owner = *row && !owner_of_sale_.is_null(0)
                                                    ? std::optional<std::int64_t>(owner_of_sale_.int64(0))
                                                    : std::nullopt;
      owner_of_sale_.reset();
      if (owner) {
        if (auto l = listener_->on_cancel(*owner, cancel.sale_pos_id); !l)
          return l.error().within("cancellation of " + cancel.sale_pos_id);
      }
    }
  } else {
    ++pending_.cancels_pending;
  }
  return {};
}

Status Ingestor::quarantine(const InputPosition& at, std::string_view raw, std::string_view reason) {
  forget_if_written_by_others();
  insert_quarantine_.bind(1, at.source)
      .bind(2, at.file)
      .bind(3, at.origin)
      .bind(4, at.line)
      .bind(5, at.byte_offset)
      .bind(6, as_sql_int(fnv1a64(raw)))
      .bind_blob(7, raw)
      .bind(8, reason)
      .bind(9, to_unix(ledger_->clock().now()));
  if (auto s = insert_quarantine_.run(); !s) return s.error().within("quarantine");
  if (ledger_->db().changes() > 0) {
    ++pending_.quarantined;
  } else {
    ++pending_.quarantine_replayed;
  }
  own_changes_ = total_changes_of(ledger_->db());
  return {};
}

Status Ingestor::save_checkpoint(const FileCheckpoint& checkpoint) {
  forget_if_written_by_others();
  auto s = regua::save_checkpoint(ledger_->db(), checkpoint, to_unix(ledger_->clock().now()));
  own_changes_ = total_changes_of(ledger_->db());
  return s;
}

}  // namespace regua
