#pragma once
// The store's wall clock for rules, from its IANA time zone (Howard Hinnant's date/tz): local/ has
// no time-zone library, so the agent injects this StoreZone into the rule engine, exactly as it
// injects the LocalDay of agent/analysis/store_days.hpp into the segments.

#include "local/rules/store_zone.hpp"

namespace date {
class time_zone;
}

namespace regua {

class TzStoreZone final : public StoreZone {
 public:
  // `zone` comes from date::locate_zone, whose zones live as long as the process.
  explicit TzStoreZone(const date::time_zone& zone) : zone_(&zone) {}
  [[nodiscard]] std::chrono::seconds offset(Seconds t) const override;
  [[nodiscard]] Seconds to_utc(std::int64_t day, std::chrono::seconds time_of_day) const override;

 private:
  const date::time_zone* zone_;
};

}  // namespace regua
