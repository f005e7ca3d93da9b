#include "agent/connectors/store_time.hpp"

#include <date/tz.h>

#include "local/core/timestamp.hpp"

namespace regua {

Result<Seconds> parse_store_time(std::string_view text, const date::time_zone& zone) {
  auto parsed = parse_timestamp(text);
  if (!parsed) return parsed.error();
  if (parsed->offset) return parsed->utc();
  return wall_to_utc(parsed->wall, zone);
}

Seconds wall_to_utc(std::chrono::local_seconds wall_time, const date::time_zone& zone) {
  const date::local_seconds wall{wall_time.time_since_epoch()};
  // `first` is the offset in force before any transition at this wall time: for a repeated hour it
  // gives the earlier instant, for a skipped hour it maps the time past the gap, as the header says.
  const auto info = zone.get_info(wall);
  return Seconds{wall.time_since_epoch()} - info.first.offset;
}

}  // namespace regua
