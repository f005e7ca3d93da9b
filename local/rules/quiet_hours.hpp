#pragma once
// Quiet hours: the store-local times at which no message goes out (default 21:00 to 09:00). A
// message due inside them is deferred to their end, never dropped silently. Wall-clock times of the
// store, through the StoreZone, so they hold across DST changes.

#include <chrono>
#include <optional>

#include "local/core/clock.hpp"
#include "local/rules/store_zone.hpp"

namespace regua {

struct QuietHours {
  std::chrono::minutes start{21 * 60};  // from this local time ...
  std::chrono::minutes end{9 * 60};     // ... to this one (the next day when end < start)
  // start == end: no quiet hours.
  [[nodiscard]] bool enabled() const { return start != end; }
};

// When `t` falls inside the quiet hours: the moment they end. Nothing otherwise.
std::optional<Seconds> quiet_until(const QuietHours& quiet, Seconds t, const StoreZone& zone);

}  // namespace regua
