#pragma once
// The only way the domain reads the time. Production code uses SystemClock; tests and
// `regua-agent simulate` use ManualClock to run months of store life in seconds.

#include <chrono>

namespace regua {

using Seconds = std::chrono::sys_seconds;  // UTC, one-second resolution: how the ledger stores time

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
