#pragma once
// When to try the broker again. After a hub or broker outage thousands of stores reconnect at once;
// "full jitter" (a random delay between zero and an exponentially growing cap) spreads them out,
// and a random initial delay spreads the first attempts of agents started together (a power cut
// in a mall). docs/sync.md has the figures.

#include <chrono>
#include <cstdint>
#include <random>

namespace regua::sync {

class ReconnectBackoff {
 public:
  using ms = std::chrono::milliseconds;
  ReconnectBackoff(ms base, ms cap, ms initial_spread, std::uint64_t seed);

  // Before the first attempt: uniform in [0, initial_spread].
  ms initial_delay();
  // After a failed attempt (or a lost connection): uniform in [0, min(cap, base * 2^failures)].
  ms next_delay();
  // A connection worked: the next failure starts from `base` again.
  void reset() { failures_ = 0; }
  [[nodiscard]] int failures() const { return failures_; }

 private:
  ms uniform(ms upper);

  ms base_, cap_, initial_spread_;
  int failures_ = 0;
  std::mt19937_64 random_;
};

}  // namespace regua::sync
