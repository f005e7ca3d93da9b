// When triggers are due, in the store's calendar (pure functions of local/rules/triggers.hpp), the
// cap's arithmetic and quiet hours, without a ledger.

#include "local/rules/triggers.hpp"

#include <gtest/gtest.h>

#include "local/rules/frequency_cap.hpp"
#include "local/rules/quiet_hours.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua {
namespace {

using namespace std::chrono_literals;
using test::at;

class Triggers : public ::testing::Test {
 protected:
  TzStoreZone zone{*date::locate_zone("America/Sao_Paulo")};
};

TEST_F(Triggers, BirthdayDaysBeforeCrossesTheYear) {
  Trigger t;
  t.kind = TriggerKind::birthday;
  t.days_before = 5;
  t.at = 10h;
  const auto md = birthday_month_day("1990-01-02");
  ASSERT_TRUE(md);
  EXPECT_EQ(birthday_moment(t, *md, 2027, zone), at("2026-12-28T10:00:00-03:00"));
  // On 20 December 2026 the next one is the 2027 birthday, due on 28 December 2026.
  auto next = next_birthday(t, *md, zone.day(at("2026-12-20T12:00:00-03:00")), 0, zone);
  EXPECT_EQ(next.year, 2027);
  EXPECT_EQ(next.moment, at("2026-12-28T10:00:00-03:00"));
  next = next_birthday(t, *md, zone.day(at("2026-12-30T12:00:00-03:00")), 0, zone);
  EXPECT_EQ(next.year, 2028);
  EXPECT_EQ(next.moment, at("2027-12-28T10:00:00-03:00"));
}

TEST_F(Triggers, BirthdayDatesThatDoNotRead) {
  EXPECT_FALSE(birthday_month_day("1990-02-30"));
  EXPECT_FALSE(birthday_month_day("1990-13-01"));
  EXPECT_FALSE(birthday_month_day("17/05/1990"));
  EXPECT_TRUE(birthday_month_day("1992-02-29"));
  Trigger t;
  t.kind = TriggerKind::birthday;
  EXPECT_EQ(birthday_moment(t, *birthday_month_day("1992-02-29"), 2026, zone),
            at("2026-02-28T10:00:00-03:00"));
  EXPECT_EQ(birthday_moment(t, *birthday_month_day("1992-02-29"), 2028, zone),
            at("2028-02-29T10:00:00-03:00"));
}

TEST_F(Triggers, RecurringRunsOnTheirDay) {
  Trigger weekly;
  weekly.kind = TriggerKind::recurring;
  weekly.every = Every::week;
  weekly.weekday = 0;  // Monday
  weekly.at = 9h + 30min;
  std::int64_t day = 0;
  // Wednesday 4 March 2026 -> Monday 9 March.
  EXPECT_EQ(next_run(weekly, at("2026-03-04T12:00:00-03:00"), zone, &day), at("2026-03-09T09:30:00-03:00"));
  EXPECT_EQ(day, zone.day(at("2026-03-09T12:00:00-03:00")));
  // On a Monday before its time: that same day; after it: the next Monday.
  EXPECT_EQ(next_run(weekly, at("2026-03-09T09:00:00-03:00"), zone), at("2026-03-09T09:30:00-03:00"));
  EXPECT_EQ(next_run(weekly, at("2026-03-09T09:30:01-03:00"), zone), at("2026-03-16T09:30:00-03:00"));
  Trigger monthly = weekly;
  monthly.every = Every::month;
  monthly.day_of_month = 28;
  EXPECT_EQ(next_run(monthly, at("2026-01-29T12:00:00-03:00"), zone), at("2026-02-28T09:30:00-03:00"));
}

TEST_F(Triggers, DelaysCountCalendarDaysOrElapsedTime) {
  Trigger t;
  t.kind = TriggerKind::after_purchase;
  t.delay = std::chrono::days{3};
  EXPECT_EQ(after_delay(t, at("2026-03-02T23:50:00-03:00"), zone), at("2026-03-05T23:50:00-03:00"));
  t.delay = 90min;
  EXPECT_EQ(after_delay(t, at("2026-03-02T23:50:00-03:00"), zone), at("2026-03-03T01:20:00-03:00"));
  Trigger inactive;
  inactive.kind = TriggerKind::days_without_purchase;
  inactive.days = 15;
  inactive.at = 10h;
  // A purchase at 23:30 local (02:30 UTC the next day) counts from its local day.
  EXPECT_EQ(inactivity_moment(inactive, at("2026-03-02T23:30:00-03:00"), zone),
            at("2026-03-17T10:00:00-03:00"));
}

TEST_F(Triggers, ATimeOfDayIsNeverBeforeTheTrigger) {
  Trigger t;
  t.kind = TriggerKind::registration;
  t.delay = std::chrono::seconds{0};
  t.at = 18h;
  EXPECT_EQ(after_delay(t, at("2026-03-02T17:00:00-03:00"), zone), at("2026-03-02T18:00:00-03:00"));
  EXPECT_EQ(after_delay(t, at("2026-03-02T19:00:00-03:00"), zone), at("2026-03-03T18:00:00-03:00"));
  t.kind = TriggerKind::cell_entered;
  const Seconds entered = at("2026-03-02T19:00:00-03:00");
  EXPECT_EQ(cell_moment(t, zone.day(entered), entered, zone), at("2026-03-03T18:00:00-03:00"));
  // With a delay in days the day counts: 1d at 10:00 after 23:00 is 10:00 the next day.
  t.kind = TriggerKind::after_purchase;
  t.delay = std::chrono::days{1};
  t.at = 10h;
  EXPECT_EQ(after_delay(t, at("2026-03-02T23:00:00-03:00"), zone), at("2026-03-03T10:00:00-03:00"));
}

TEST(FrequencyCap, CountsTheWindowAndSaysWhenRoomComes) {
  const FrequencyCap cap{2, std::chrono::days{7}};
  const Seconds now = at("2026-03-10T10:00:00Z");
  const std::vector<Seconds> two{at("2026-03-04T09:00:00Z"), at("2026-03-08T09:00:00Z")};
  auto c = check_cap(cap, now, two, {});
  EXPECT_FALSE(c.allowed);
  EXPECT_EQ(c.retry_at, at("2026-03-11T09:00:00Z"));
  // Exactly one window ago no longer counts.
  const std::vector<Seconds> aged{at("2026-03-03T10:00:00Z"), at("2026-03-08T09:00:00Z")};
  EXPECT_TRUE(check_cap(cap, now, aged, {}).allowed);
  // A higher-priority action due within the window keeps its room.
  const std::vector<Seconds> one{at("2026-03-08T09:00:00Z")};
  const std::vector<Seconds> reserved{at("2026-03-12T10:00:00Z")};
  c = check_cap(cap, now, one, reserved);
  EXPECT_FALSE(c.allowed);
  EXPECT_EQ(c.retry_at, at("2026-03-12T10:00:01Z"));
  EXPECT_TRUE(check_cap(FrequencyCap{0, std::chrono::days{7}}, now, two, reserved).allowed);
}

TEST_F(Triggers, QuietHoursBothWays) {
  const QuietHours night;  // 21:00-09:00
  EXPECT_EQ(quiet_until(night, at("2026-03-02T21:00:00-03:00"), zone), at("2026-03-03T09:00:00-03:00"));
  EXPECT_EQ(quiet_until(night, at("2026-03-03T08:59:59-03:00"), zone), at("2026-03-03T09:00:00-03:00"));
  EXPECT_FALSE(quiet_until(night, at("2026-03-03T09:00:00-03:00"), zone));
  EXPECT_FALSE(quiet_until(night, at("2026-03-03T20:59:59-03:00"), zone));
  const QuietHours day{8h, 20h};
  EXPECT_EQ(quiet_until(day, at("2026-03-03T10:00:00-03:00"), zone), at("2026-03-03T20:00:00-03:00"));
  EXPECT_FALSE(quiet_until(day, at("2026-03-03T07:59:00-03:00"), zone));
  EXPECT_FALSE(quiet_until(QuietHours{9h, 9h}, at("2026-03-03T03:00:00-03:00"), zone));
}

}  // namespace
}  // namespace regua
