#pragma once
// The store's calendar for local/analysis: which store-local day (days since 1970-01-01) a UTC
// instant falls on, in the store's IANA time zone, as the LocalDay that local/ takes (it has no
// time-zone library). Correct across DST changes: the zone's table is consulted, not a fixed offset.

#include <cstdint>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/clock.hpp"

namespace date {
class time_zone;
}

namespace regua {

// The store-local day of an instant. Remembers the zone's offset period at hand, because the
// instants asked about come in runs (one customer's sales, a day of sales): the zone's table is
// consulted only when an instant leaves that period.
class StoreDays {
 public:
  explicit StoreDays(const date::time_zone& zone) : zone_(&zone) {}
  std::int64_t operator()(Seconds t);

 private:
  const date::time_zone* zone_;
  Seconds begin_{}, end_{};
  std::chrono::seconds offset_{0};
};

// A LocalDay for `zone` (which outlives it: date::locate_zone's zones live as long as the process).
LocalDay store_local_day(const date::time_zone& zone);

}  // namespace regua
