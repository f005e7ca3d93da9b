#include "sync/hq_orders.hpp"

#include "local/identity/consents.hpp"
#include "local/identity/erasure.hpp"
#include "local/ledger/ledger_checks.hpp"

namespace regua::sync {
namespace {

// The store's customer an order names: by the store's number ("customer") or the POS's id.
Result<std::optional<std::int64_t>> order_customer(sqlite::Db& db, const Envelope& order) {
  const auto& h = order.header;
  if (auto id = h.find("customer"); id != h.end() && id->is_number_integer()) {
    auto stmt = db.prepare("SELECT id FROM customers WHERE id = ?1");
    if (!stmt) return stmt.error();
    stmt->bind(1, id->get<std::int64_t>());
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::int64_t>{};
    stmt->reset();
    return std::optional<std::int64_t>(id->get<std::int64_t>());
  }
  if (auto pos = h.find("customer_pos_id"); pos != h.end() && pos->is_string()) {
    auto stmt = db.prepare(
        "SELECT id FROM customers WHERE pos_id = ?1 UNION ALL SELECT customer_id FROM customer_pos_ids WHERE "
        "pos_id = ?1 "
        "LIMIT 1");
    if (!stmt) return stmt.error();
    stmt->bind(1, pos->get<std::string>());
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::int64_t>{};
    const auto id = stmt->int64(0);
    stmt->reset();
    return std::optional<std::int64_t>(id);
  }
  return std::optional<std::int64_t>{};
}

// The one place an erasure order from HQ meets the ledger: `customers forget`, in the transaction
// that records the order, so the order is taken exactly once and the erasure goes back to the hub.
Result<OrderOutcome> apply_erase_order(sqlite::Db& db, const Envelope& order, Seconds now) {
  OrderOutcome out;
  out.recorded = true;
  auto customer = order_customer(db, order);
  if (!customer) return customer.error();
  if (!*customer) {
    out.detail = "no such customer in this store";
    return out;
  }
  auto owner = read_ledger_owner(db);
  if (!owner) return owner.error();
  ErasureRequest request;
  request.customer_id = **customer;
  request.requested_by = ErasureRequester::customer;
  if (auto r = order.header.find("requested_by"); r != order.header.end() && r->is_string()) {
    if (auto who = requester_from_name(r->get<std::string>())) request.requested_by = *who;
  }
  auto erased = forget_customer_in_transaction(db, owner->value_or(""), now, request);
  if (!erased) return erased.error();
  out.applied = true;
  out.detail = "customer " + std::to_string(**customer) +
               (erased->already ? " was already forgotten" : " forgotten") + " (" + erased->erasure.key + ")";
  return out;
}

// Applies the effect; a refusal (unknown customer or task) is an outcome, not an error.
Result<OrderOutcome> apply_effect(sqlite::Db& db, const Envelope& order, const std::string& kind,
                                  Seconds now) {
  OrderOutcome out;
  out.recorded = true;
  const auto& h = order.header;
  if (kind == "opt_out") {
    auto customer = order_customer(db, order);
    if (!customer) return customer.error();
    if (!*customer) {
      out.detail = "no such customer in this store";
      return out;
    }
    const auto channels = h.find("channels");
    if (channels == h.end() || !channels->is_array() || channels->empty()) {
      out.detail = "no \"channels\" to opt out of";
      return out;
    }
    Seconds at = now;
    if (auto t = h.find("at"); t != h.end() && t->is_number_integer())
      at = Seconds{std::chrono::seconds{t->get<std::int64_t>()}};
    std::string done;
    for (const auto& c : *channels) {
      const auto channel = c.is_string() ? channel_from_name(c.get<std::string>()) : std::nullopt;
      if (!channel) {
        out.detail = "unknown channel " + c.dump() + " (sms, whatsapp, email)";
        return out;
      }
      auto changed = record_consent(db, **customer, *channel, false, "hq", at);
      if (!changed) return changed.error();
      done += (done.empty() ? "" : ", ") + c.get<std::string>();
    }
    out.applied = true;
    out.detail = "customer " + std::to_string(**customer) + " opted out of " + done;
    return out;
  }
  if (kind == "task_close" || kind == "task_reassign") {
    const auto task = h.find("task");
    if (task == h.end() || !task->is_number_integer()) {
      out.detail = "no integer \"task\"";
      return out;
    }
    const bool close = kind == "task_close";
    std::string reason = "hq";
    if (auto r = h.find("reason"); r != h.end() && r->is_string()) reason += ": " + r->get<std::string>();
    std::string to;
    if (!close) {
      const auto t = h.find("to");
      if (t == h.end() || !t->is_string() || t->get<std::string>().empty()) {
        out.detail = "no \"to\" to reassign the task to";
        return out;
      }
      to = t->get<std::string>();
    }
    auto stmt = db.prepare(close ? "UPDATE tasks SET state = 'cancelled', closed_at = ?2, close_reason = ?3 "
                                   "WHERE id = ?1 AND state = 'open'"
                                 : "UPDATE tasks SET assignee = ?3 WHERE id = ?1 AND state = 'open'");
    if (!stmt) return stmt.error();
    stmt->bind(1, task->get<std::int64_t>());
    if (close) {
      stmt->bind(2, now.time_since_epoch().count()).bind(3, reason);
    } else {
      stmt->bind(3, to);
    }
    if (auto s = stmt->run(); !s) return s.error();
    if (db.changes() == 0) {
      out.detail = "task " + std::to_string(task->get<std::int64_t>()) + " is not an open task of this store";
      return out;
    }
    out.applied = true;
    out.detail = close ? "task closed (" + reason + ")" : "task reassigned to " + to;
    return out;
  }
  if (kind == "erase") return apply_erase_order(db, order, now);
  out.recorded = false;
  out.detail = "unknown order \"" + kind + "\"";
  return out;
}

}  // namespace

Result<OrderOutcome> apply_hq_order(sqlite::Db& db, const Envelope& order, Seconds now) {
  auto id = header_string(order, "id");
  if (!id) return OrderOutcome{false, false, false, id.error().message};
  auto kind = header_string(order, "order");
  if (!kind) return OrderOutcome{false, false, false, kind.error().message};

  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  auto seen = db.prepare("SELECT outcome FROM hq_orders WHERE order_id = ?1");
  if (!seen) return seen.error();
  seen->bind(1, *id);
  auto row = seen->step();
  if (!row) return row.error();
  if (*row) {
    OrderOutcome repeat{true, seen->text(0) == "applied", true, "applied before"};
    seen->reset();
    return repeat;
  }
  auto outcome = apply_effect(db, order, *kind, now);
  if (!outcome) return outcome.error();
  if (!outcome->recorded) return outcome;  // rolled back: nothing happened
  auto put = db.prepare(
      "INSERT INTO hq_orders (order_id, kind, body, outcome, detail, applied_at) VALUES (?1, ?2, ?3, ?4, ?5, "
      "?6)");
  if (!put) return put.error();
  put->bind(1, *id).bind(2, *kind).bind(3, order.header.dump());
  put->bind(4, std::string_view(outcome->applied ? "applied" : "refused")).bind(5, outcome->detail);
  put->bind(6, now.time_since_epoch().count());
  if (auto s = put->run(); !s) return s.error();
  if (auto s = txn->commit(); !s) return s.error();
  return outcome;
}

}  // namespace regua::sync
