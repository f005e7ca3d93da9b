#include "sync/backoff.hpp"

#include <algorithm>

namespace regua::sync {

ReconnectBackoff::ReconnectBackoff(ms base, ms cap, ms initial_spread, std::uint64_t seed)
    : base_(base), cap_(cap), initial_spread_(initial_spread), random_(seed) {}

ReconnectBackoff::ms ReconnectBackoff::uniform(ms upper) {
  if (upper.count() <= 0) return ms{0};
  std::uniform_int_distribution<std::int64_t> pick(0, upper.count());
  return ms{pick(random_)};
}

ReconnectBackoff::ms ReconnectBackoff::initial_delay() {
  return uniform(initial_spread_);
}

ReconnectBackoff::ms ReconnectBackoff::next_delay() {
  // base * 2^failures without overflow: stop doubling once past the cap.
  ms ceiling = base_;
  for (int i = 0; i < failures_ && ceiling < cap_; ++i)
    ceiling *= 2;
  ++failures_;
  return uniform(std::min(ceiling, cap_));
}

}  // namespace regua::sync
