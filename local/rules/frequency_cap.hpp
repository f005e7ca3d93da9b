#pragma once
// The per-customer cap across all rules: at most `max` contacts (messages and tasks) in any
// `window` (default 2 in 7 days). A contact that would break it waits until the window has room;
// and a rule yields to a higher-priority rule of the same customer that is due within the window
// when firing now would leave that one no room. Pure functions: the scheduler reads the times.

#include <chrono>
#include <span>
#include <string>

#include "local/core/clock.hpp"

namespace regua {

struct FrequencyCap {
  int max = 2;  // 0: no cap
  std::chrono::seconds window{std::chrono::days{7}};
  [[nodiscard]] bool enabled() const { return max > 0; }
};

struct CapCheck {
  bool allowed = true;
  Seconds retry_at{};  // when not allowed: the first moment worth trying again
  std::string why;     // when not allowed, for people
};

// `contacts`: when the customer's earlier counted contacts were made (any order; after `now` too,
// when the clock was set back: they count). `reserved`: when pending higher-priority actions of the
// customer are due, after `now`.
CapCheck check_cap(const FrequencyCap& cap, Seconds now, std::span<const Seconds> contacts,
                   std::span<const Seconds> reserved);

}  // namespace regua
