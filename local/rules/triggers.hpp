#pragma once
// When a trigger's action is due, in the store's calendar: "1 hour after" is elapsed time, "3 days
// after" is three calendar days later at the same wall-clock time (or at the rule's `at`), "15 days
// without buying" is 10:00 on the 15th local day after the last purchase, a birthday is a local date
// each year. Every local date and time goes through the StoreZone, so DST changes never shift an
// action by an hour or onto another day.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "local/core/clock.hpp"
#include "local/rules/rule.hpp"
#include "local/rules/store_zone.hpp"

namespace regua {

// The moment `trigger.delay` (and `trigger.at`) after `from`.
Seconds after_delay(const Trigger& trigger, Seconds from, const StoreZone& zone);

// days_without_purchase: the moment a customer whose last purchase was at `last_at` has gone
// `trigger.days` local days without buying, at `trigger.at`.
Seconds inactivity_moment(const Trigger& trigger, Seconds last_at, const StoreZone& zone);

// A birthday's month and day from "YYYY-MM-DD"; nothing when it does not read.
std::optional<std::chrono::month_day> birthday_month_day(std::string_view birthday);

// birthday: the moment of the action for the birthday in `year` (29 February is kept on 28 February
// in other years), `trigger.days_before` days before it, at `trigger.at`.
Seconds birthday_moment(const Trigger& trigger, std::chrono::month_day birthday, int year,
                        const StoreZone& zone);

struct BirthdayOccurrence {
  int year = 0;
  Seconds moment{};
};
// The first birthday, in `min_year` or later, whose action day is `today` or later.
BirthdayOccurrence next_birthday(const Trigger& trigger, std::chrono::month_day birthday, std::int64_t today,
                                 int min_year, const StoreZone& zone);

// recurring: the first run at or after `after`; `day` receives its local date.
Seconds next_run(const Trigger& trigger, Seconds after, const StoreZone& zone, std::int64_t* day = nullptr);

// cell_entered: the moment for a customer who entered the cell on local day `day`, recorded at `at`.
Seconds cell_moment(const Trigger& trigger, std::int64_t day, Seconds at, const StoreZone& zone);

// The local year of a local day.
int year_of_day(std::int64_t day);

}  // namespace regua
