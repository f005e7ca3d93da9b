#include "local/rules/store_zone.hpp"

#include <cstdio>

#include "local/core/clock.hpp"

namespace regua {
namespace {

std::string offset_text(std::chrono::seconds offset) {
  const auto s = offset.count();
  const auto a = s < 0 ? -s : s;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", s < 0 ? '-' : '+', static_cast<long long>(a / 3600),
                static_cast<long long>((a % 3600) / 60));
  return buf;
}

struct Wall {
  std::chrono::year_month_day date;
  std::int64_t seconds;
};

Wall wall_of(const StoreZone& zone, Seconds t) {
  const std::int64_t local = t.time_since_epoch().count() + zone.offset(t).count();
  std::int64_t day = local / kSecondsPerDay;
  std::int64_t rest = local % kSecondsPerDay;
  if (rest < 0) {
    rest += kSecondsPerDay;
    --day;
  }
  return {std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}}, rest};
}

}  // namespace

std::int64_t StoreZone::day(Seconds t) const {
  return std::chrono::floor<std::chrono::days>(t + offset(t)).time_since_epoch().count();
}

std::chrono::seconds StoreZone::time_of_day(Seconds t) const {
  const auto local = t + offset(t);
  return local - std::chrono::floor<std::chrono::days>(local);
}

LocalDay StoreZone::local_day() const {
  return [this](Seconds t) { return day(t); };
}

std::string StoreZone::iso(Seconds t) const {
  const auto w = wall_of(*this, t);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld", static_cast<int>(w.date.year()),
                static_cast<unsigned>(w.date.month()), static_cast<unsigned>(w.date.day()),
                static_cast<long long>(w.seconds / 3600), static_cast<long long>((w.seconds % 3600) / 60),
                static_cast<long long>(w.seconds % 60));
  return buf + offset_text(offset(t));
}

std::string StoreZone::readable(Seconds t) const {
  const auto w = wall_of(*this, t);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld ", static_cast<int>(w.date.year()),
                static_cast<unsigned>(w.date.month()), static_cast<unsigned>(w.date.day()),
                static_cast<long long>(w.seconds / 3600), static_cast<long long>((w.seconds % 3600) / 60));
  return buf + offset_text(offset(t));
}

Seconds FixedStoreZone::to_utc(std::int64_t day, std::chrono::seconds time_of_day) const {
  return Seconds{std::chrono::seconds{day * kSecondsPerDay} + time_of_day - offset_};
}

}  // namespace regua
