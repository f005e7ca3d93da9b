#pragma once
// The hub's clock as this store last heard it: every ack from the hub carries its Unix time
// (`clock`, docs/protocol.md; optional, older hubs send none), and the sync thread records it with
// this machine's time at arrival (ledger_info "sync.hub_clock"), at most once a minute. `doctor`
// compares the two: a store clock that is wrong skews sale times, quiet hours and certificate checks.

#include <cstdint>
#include <optional>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua::sync {

struct HubClockReading {
  Seconds hub{};    // the hub's time in its message
  Seconds local{};  // this machine's time when the message arrived
  // How far this machine's clock is ahead of the hub's (negative: behind). The message's transit
  // counts against the store, so a few seconds of it are the network, not the clock.
  [[nodiscard]] std::int64_t skew_s() const { return (local - hub).count(); }
};

Status record_hub_clock(sqlite::Db& db, const HubClockReading& reading);
// Empty when the store never heard the clock of a hub.
Result<std::optional<HubClockReading>> read_hub_clock(sqlite::Db& db);

}  // namespace regua::sync
