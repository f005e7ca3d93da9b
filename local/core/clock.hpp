#pragma once
// The only way the domain reads the time. Production code uses SystemClock; tests and
// `regua-agent simulate` use ManualClock to run months of store life in seconds.

#include <chrono>
#include <cstdint>

namespace regua {

using Seconds = std::chrono::sys_seconds;  // UTC, one-second resolution: how the ledger stores time

inline constexpr std::int64_t kSecondsPerDay = 86'400;

// The ledger's columns hold Unix seconds.
constexpr std::int64_t to_unix(Seconds t) {
  return t.time_since_epoch().count();
}
constexpr Seconds from_unix(std::int64_t t) {
  return Seconds{std::chrono::seconds{t}};
}

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual Seconds now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] Seconds now() const override;
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Seconds start) : now_(start) {}
  [[nodiscard]] Seconds now() const override { return now_; }
  void set(Seconds t) { now_ = t; }
  void advance(std::chrono::seconds d) { now_ += d; }

 private:
  Seconds now_;
};

}  // namespace regua
