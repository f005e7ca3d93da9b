#include "agent/rules/tz_store_zone.hpp"

#include <date/tz.h>

namespace regua {

std::chrono::seconds TzStoreZone::offset(Seconds t) const {
  return zone_->get_info(t).offset;
}

Seconds TzStoreZone::to_utc(std::int64_t day, std::chrono::seconds time_of_day) const {
  const date::local_seconds local{std::chrono::days{day} + time_of_day};
  const auto info = zone_->get_info(local);
  // Unique: its offset. Repeated hour (clocks go back): `first` is the offset before the change,
  // which gives the earlier instant. Skipped time (clocks go forward): the offset before the gap
  // carries the wall-clock time past it (02:30 becomes 03:30), as StoreZone promises.
  return Seconds{local.time_since_epoch() - info.first.offset};
}

}  // namespace regua
