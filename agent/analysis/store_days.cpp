#include "agent/analysis/store_days.hpp"

#include <date/tz.h>

namespace regua {

std::int64_t StoreDays::operator()(Seconds t) {
  if (!(t >= begin_ && t < end_)) {
    const auto info = zone_->get_info(t);
    begin_ = Seconds{info.begin.time_since_epoch()};
    end_ = Seconds{info.end.time_since_epoch()};
    offset_ = info.offset;
  }
  return std::chrono::floor<std::chrono::days>(t + offset_).time_since_epoch().count();
}

LocalDay store_local_day(const date::time_zone& zone) {
  return StoreDays(zone);
}

}  // namespace regua
