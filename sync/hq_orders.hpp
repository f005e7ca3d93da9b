#pragma once
// Orders from HQ on down/order (docs/protocol.md): opt-out (a customer said no to a channel at HQ
// or another store), task close and task reassign. Each is applied once (its id is the hub's; the
// ledger table hq_orders keeps it), in one transaction with its effect, and its outcome goes back
// up as an `order` record, so the hub stops sending it. An opt-out is a consent like any other
// (local/identity/consents.hpp): the rule engine checks consent at the moment a message fires, so
// an order that arrives after days offline still stops a send that is pending.
// An erasure order is `customers forget` (local/identity/erasure.hpp) in the order's transaction.

#include <string>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"
#include "sync/protocol/envelope.hpp"

namespace regua::sync {

struct OrderOutcome {
  bool recorded = false;  // false: not taken (parked by the caller with `detail`)
  bool applied = false;   // recorded: applied, or refused (with `detail`)
  bool repeated = false;  // applied before; nothing done
  std::string detail;
};

Result<OrderOutcome> apply_hq_order(sqlite::Db& db, const Envelope& order, Seconds now);

}  // namespace regua::sync
