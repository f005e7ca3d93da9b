#include "local/rules/quiet_hours.hpp"

namespace regua {

std::optional<Seconds> quiet_until(const QuietHours& quiet, Seconds t, const StoreZone& zone) {
  if (!quiet.enabled()) return std::nullopt;
  const std::chrono::seconds start = quiet.start;
  const std::chrono::seconds end = quiet.end;
  const auto tod = zone.time_of_day(t);
  const auto day = zone.day(t);
  std::optional<Seconds> until;
  if (start < end) {
    if (tod >= start && tod < end) until = zone.to_utc(day, end);
  } else if (tod >= start) {
    until = zone.to_utc(day + 1, end);
  } else if (tod < end) {
    until = zone.to_utc(day, end);
  }
  // An end inside the hour repeated when clocks go back may map before `t`: then `t` is already past it.
  if (until && *until <= t) return std::nullopt;
  return until;
}

}  // namespace regua
