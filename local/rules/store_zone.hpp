#pragma once
// The store's wall clock for rules: which local day and time of day an instant is, and which
// instant a local date and time is. local/ has no time-zone library, so the agent injects the
// store's IANA zone (agent/rules/tz_store_zone.hpp, Howard Hinnant's date/tz), exactly as
// local/analysis takes its LocalDay; local_day() gives that same type, so rules and segments
// count days alike.

#include <chrono>
#include <cstdint>
#include <string>

#include "local/core/clock.hpp"
#include "local/predict/summaries.hpp"  // LocalDay

namespace regua {

class StoreZone {
 public:
  virtual ~StoreZone() = default;
  // The UTC offset in force at `t` (e.g. -3 h in São Paulo).
  [[nodiscard]] virtual std::chrono::seconds offset(Seconds t) const = 0;
  // The instant of a store-local date (days since 1970-01-01) and time of day. In the hour repeated
  // when clocks go back the earlier instant is taken; a time skipped when clocks go forward moves
  // past the gap (02:30 on a spring-forward night at 02:00 is 03:30).
  [[nodiscard]] virtual Seconds to_utc(std::int64_t day, std::chrono::seconds time_of_day) const = 0;

  [[nodiscard]] std::int64_t day(Seconds t) const;
  [[nodiscard]] std::chrono::seconds time_of_day(Seconds t) const;
  // The same calendar as a LocalDay (for SegmentPolicy, filters and stats). Keeps a pointer to this.
  [[nodiscard]] LocalDay local_day() const;

  // "2026-03-01T15:05:00-03:00"
  [[nodiscard]] std::string iso(Seconds t) const;
  // "2026-03-01 15:05 -03:00", for people
  [[nodiscard]] std::string readable(Seconds t) const;
};

// A zone with one fixed offset and no DST, for tests and as a fallback.
class FixedStoreZone final : public StoreZone {
 public:
  explicit FixedStoreZone(std::chrono::seconds offset) : offset_(offset) {}
  [[nodiscard]] std::chrono::seconds offset(Seconds) const override { return offset_; }
  [[nodiscard]] Seconds to_utc(std::int64_t day, std::chrono::seconds time_of_day) const override;

 private:
  std::chrono::seconds offset_;
};

}  // namespace regua
