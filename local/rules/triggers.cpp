#include "local/rules/triggers.hpp"

#include "local/core/clock.hpp"
#include "local/rules/durations.hpp"

namespace regua {
namespace {

std::int64_t days_of(std::chrono::seconds d) {
  return d.count() / kSecondsPerDay;
}

std::int64_t day_number(std::chrono::year_month_day ymd) {
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

std::chrono::year_month_day date_of(std::int64_t day) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

// `at` on the day `days` after `day`; never before `from`: with no delay, "at 18:00" after a trigger
// at 19:00 is 18:00 the next day, not an hour before the trigger.
Seconds at_time(std::int64_t day, std::int64_t days, std::chrono::minutes at, Seconds from,
                const StoreZone& zone) {
  const Seconds moment = zone.to_utc(day + days, at);
  return moment < from ? zone.to_utc(day + days + 1, at) : moment;
}

}  // namespace

int year_of_day(std::int64_t day) {
  return static_cast<int>(date_of(day).year());
}

Seconds after_delay(const Trigger& trigger, Seconds from, const StoreZone& zone) {
  if (trigger.at) return at_time(zone.day(from), days_of(trigger.delay), *trigger.at, from, zone);
  if (trigger.delay.count() == 0) return from;
  if (whole_days(trigger.delay)) {
    return zone.to_utc(zone.day(from) + days_of(trigger.delay), zone.time_of_day(from));
  }
  return from + trigger.delay;
}

Seconds inactivity_moment(const Trigger& trigger, Seconds last_at, const StoreZone& zone) {
  const auto at = trigger.at.value_or(std::chrono::minutes{10 * 60});
  return zone.to_utc(zone.day(last_at) + trigger.days, at);
}

std::optional<std::chrono::month_day> birthday_month_day(std::string_view birthday) {
  if (birthday.size() != 10 || birthday[4] != '-' || birthday[7] != '-') return std::nullopt;
  const auto two = [&](std::size_t i) -> int {
    const char a = birthday[i];
    const char b = birthday[i + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
    return (a - '0') * 10 + (b - '0');
  };
  const int m = two(5);
  const int d = two(8);
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const std::chrono::month_day md{std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!md.ok()) return std::nullopt;
  return md;
}

Seconds birthday_moment(const Trigger& trigger, std::chrono::month_day birthday, int year,
                        const StoreZone& zone) {
  std::chrono::year_month_day date{std::chrono::year{year}, birthday.month(), birthday.day()};
  if (!date.ok())
    date = std::chrono::year_month_day{std::chrono::year{year}, birthday.month(), std::chrono::day{28}};
  const auto at = trigger.at.value_or(std::chrono::minutes{10 * 60});
  return zone.to_utc(day_number(date) - trigger.days_before, at);
}

BirthdayOccurrence next_birthday(const Trigger& trigger, std::chrono::month_day birthday, std::int64_t today,
                                 int min_year, const StoreZone& zone) {
  int year = std::max(year_of_day(today), min_year);
  for (;; ++year) {
    const Seconds moment = birthday_moment(trigger, birthday, year, zone);
    if (zone.day(moment) >= today) return {year, moment};
  }
}

Seconds next_run(const Trigger& trigger, Seconds after, const StoreZone& zone, std::int64_t* day) {
  const auto at = trigger.at.value_or(std::chrono::minutes{10 * 60});
  for (std::int64_t d = zone.day(after);; ++d) {
    const auto date = date_of(d);
    bool runs = false;
    if (trigger.every == Every::week) {
      const std::chrono::weekday wd{std::chrono::sys_days{std::chrono::days{d}}};
      runs = static_cast<int>(wd.iso_encoding()) - 1 == trigger.weekday;
    } else {
      runs = static_cast<int>(static_cast<unsigned>(date.day())) == trigger.day_of_month;
    }
    if (!runs) continue;
    const Seconds moment = zone.to_utc(d, at);
    if (moment < after) continue;
    if (day != nullptr) *day = d;
    return moment;
  }
}

Seconds cell_moment(const Trigger& trigger, std::int64_t day, Seconds at, const StoreZone& zone) {
  if (trigger.at) return at_time(day, days_of(trigger.delay), *trigger.at, at, zone);
  if (trigger.delay.count() == 0) return at;
  if (whole_days(trigger.delay))
    return zone.to_utc(zone.day(at) + days_of(trigger.delay), zone.time_of_day(at));
  return at + trigger.delay;
}

}  // namespace regua
