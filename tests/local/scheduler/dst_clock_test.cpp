// Store-local time across DST changes (America/Sao_Paulo's last one, in 2019, at midnight; and
// America/New_York's of 2026, at 02:00), and a system clock stepped back and forward while the
// engine runs.

#include <gtest/gtest.h>

#include "local/rules/quiet_hours.hpp"
#include "local/rules/triggers.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua {
namespace {

using namespace std::chrono_literals;
using test::at;
using test::default_rule;
using test::make_rule;
using test::Seen;

Rule one_day_later(std::string at_time = "") {
  if (at_time.empty()) {
    return make_rule({{"id", "next-day"},
                      {"trigger.kind", "after_purchase"},
                      {"trigger.delay", "1d"},
                      {"action.kind", "message"},
                      {"action.channel", "sms"},
                      {"action.template", "Oi"}});
  }
  return make_rule({{"id", "next-day"},
                    {"trigger.kind", "days_without_purchase"},
                    {"trigger.days", std::int64_t{1}},
                    {"trigger.at", std::move(at_time)},
                    {"action.kind", "message"},
                    {"action.channel", "sms"},
                    {"action.template", "Oi"}});
}

class SaoPaulo2019 : public test::EngineTest {
 protected:
  SaoPaulo2019() : EngineTest("America/Sao_Paulo") {}
  void SetUp() override {
    EngineTest::SetUp();
    clock.set(at("2018-10-30T09:00:00-03:00"));
  }
};

TEST_F(SaoPaulo2019, ZoneKnowsTheLastChanges) {
  // Summer time ended at midnight of 17 February 2019: 23:00-23:59 of the 16th happened twice.
  EXPECT_EQ(zone.offset(at("2019-02-17T01:59:59Z")), -2h);
  EXPECT_EQ(zone.offset(at("2019-02-17T02:00:00Z")), -3h);
  EXPECT_EQ(zone.day(at("2019-02-17T02:30:00Z")), zone.day(at("2019-02-16T12:00:00-03:00")));
  // It began at midnight of 4 November 2018: that midnight never happened.
  const std::int64_t nov4 = zone.day(at("2018-11-04T12:00:00-02:00"));
  EXPECT_EQ(zone.to_utc(nov4, 0s), at("2018-11-04T01:00:00-02:00"));
  // 23:30 of 16 February 2019 happened twice: the earlier one is taken.
  const std::int64_t feb16 = zone.day(at("2019-02-16T12:00:00-02:00"));
  EXPECT_EQ(zone.to_utc(feb16, 23h + 30min), at("2019-02-16T23:30:00-02:00"));
}

TEST_F(SaoPaulo2019, ThreeDaysAfterAtTenAcrossTheEndOfSummerTime) {
  start({default_rule("review-3d")});
  run_until("2019-02-15T15:00:00-02:00");
  buy("S-1", customer("C-1", "Ana"), "2019-02-15T15:00:00-02:00");
  run_until("2019-02-25T12:00:00-03:00");
  EXPECT_EQ(seen(), (std::vector<Seen>{{"2019-02-18 10:00 -03:00", "review-3d", "C-1", "fired", "due"}}));
  EXPECT_EQ(decisions()[0].at, at("2019-02-18T13:00:00Z"));
}

TEST_F(SaoPaulo2019, FifteenDaysWithoutBuyingAcrossTheEndOfSummerTime) {
  start({default_rule("inactive-15d")});
  run_until("2019-02-10T14:00:00-02:00");
  buy("S-1", "C-1", "2019-02-10T14:00:00-02:00");
  run_until("2019-03-10T12:00:00-03:00");
  EXPECT_EQ(seen(), (std::vector<Seen>{{"2019-02-25 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"}}));
}

TEST_F(SaoPaulo2019, ADayLaterKeepsTheWallClockAcrossTheRepeatedHour) {
  start({one_day_later()});
  run_until("2019-02-16T15:00:00-02:00");
  buy("S-1", "C-1", "2019-02-16T15:00:00-02:00");
  run_until("2019-02-20T12:00:00-03:00");
  // 25 hours later: the same 15:00 on the next day.
  EXPECT_EQ(seen(), (std::vector<Seen>{{"2019-02-17 15:00 -03:00", "next-day", "C-1", "fired", "due"}}));
}

TEST_F(SaoPaulo2019, AMidnightThatNeverHappenedMovesPastTheGap) {
  settings.quiet = QuietHours{0min, 0min};  // none: the moment itself is what is checked
  start({one_day_later("00:00")});
  run_until("2018-11-03T10:00:00-03:00");
  buy("S-1", "C-1", "2018-11-03T10:00:00-03:00");
  run_until("2018-11-10T12:00:00-02:00");
  EXPECT_EQ(seen(), (std::vector<Seen>{{"2018-11-04 01:00 -02:00", "next-day", "C-1", "fired", "due"}}));
}

class NewYork2026 : public test::EngineTest {
 protected:
  NewYork2026() : EngineTest("America/New_York") {}
  void SetUp() override {
    EngineTest::SetUp();
    clock.set(at("2026-03-01T09:00:00-05:00"));
  }
};

TEST_F(NewYork2026, ThreeDaysAfterAtTenAcrossSpringForward) {
  start({default_rule("review-3d")});
  buy("S-1", customer("C-1", "Ana"), "2026-03-06T15:00:00-05:00");
  run_until("2026-03-12T12:00:00-04:00");
  EXPECT_EQ(seen(), (std::vector<Seen>{{"2026-03-09 10:00 -04:00", "review-3d", "C-1", "fired", "due"}}));
  EXPECT_EQ(decisions()[0].at, at("2026-03-09T14:00:00Z"));
}

TEST_F(NewYork2026, FifteenDaysWithoutBuyingAcrossFallBack) {
  clock.set(at("2026-10-01T09:00:00-04:00"));
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-10-20T12:00:00-04:00");
  run_until("2026-11-10T12:00:00-05:00");
  EXPECT_EQ(seen(), (std::vector<Seen>{{"2026-11-04 10:00 -05:00", "inactive-15d", "C-1", "fired", "due"}}));
  EXPECT_EQ(decisions()[0].at, at("2026-11-04T15:00:00Z"));
}

TEST_F(NewYork2026, QuietHoursEndAtNineLocalAfterSpringForward) {
  start({default_rule("rating-1h")});
  buy("S-1", customer("C-1", "Ana"), "2026-03-07T20:30:00-05:00");
  run_until("2026-03-08T12:00:00-04:00");
  EXPECT_EQ(seen(),
            (std::vector<Seen>{{"2026-03-07 21:30 -05:00", "rating-1h", "C-1", "deferred", "quiet_hours"},
                               {"2026-03-08 09:00 -04:00", "rating-1h", "C-1", "fired", "due"}}));
  EXPECT_EQ(decisions()[1].at, at("2026-03-08T13:00:00Z"));
}

TEST_F(NewYork2026, QuietHoursAcrossTheRepeatedHour) {
  // 01:30 on 1 November 2026 happens twice; both are inside 21:00-09:00 and end at 09:00 EST.
  const QuietHours quiet;
  EXPECT_EQ(quiet_until(quiet, at("2026-11-01T01:30:00-04:00"), zone), at("2026-11-01T09:00:00-05:00"));
  EXPECT_EQ(quiet_until(quiet, at("2026-11-01T01:30:00-05:00"), zone), at("2026-11-01T09:00:00-05:00"));
  EXPECT_EQ(quiet_until(quiet, at("2026-10-31T21:00:00-04:00"), zone), at("2026-11-01T09:00:00-05:00"));
  EXPECT_FALSE(quiet_until(quiet, at("2026-11-01T09:00:00-05:00"), zone));
  EXPECT_FALSE(quiet_until(quiet, at("2026-11-01T20:59:59-05:00"), zone));
}

TEST_F(NewYork2026, ADayLaterInTheRepeatedHourTakesTheFirst) {
  settings.quiet = QuietHours{0min, 0min};
  clock.set(at("2026-10-30T09:00:00-04:00"));
  start({one_day_later()});
  buy("S-1", "C-1", "2026-10-31T01:30:00-04:00");
  run_until("2026-11-03T12:00:00-05:00");
  EXPECT_EQ(seen(), (std::vector<Seen>{{"2026-11-01 01:30 -04:00", "next-day", "C-1", "fired", "due"}}));
}

class SteppedClock : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    clock.set(at("2026-03-02T09:00:00-03:00"));
  }
};

TEST_F(SteppedClock, BackOneHourFiresNothingTwice) {
  start({default_rule("rating-1h"), default_rule("inactive-15d")});
  buy("S-1", customer("C-1", "Ana"), "2026-03-02T14:00:00-03:00");
  buy("S-2", customer("C-2", "Bia"), "2026-03-02T14:20:00-03:00");
  run_until("2026-03-02T15:05:00-03:00");
  clock.set(at("2026-03-02T14:05:00-03:00"));  // NTP steps the clock back one hour
  tick();
  run_until("2026-03-02T15:05:00-03:00");
  run_until("2026-04-01T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-02 15:00 -03:00", "rating-1h", "C-1", "fired", "due"},
                               {"2026-03-02 15:20 -03:00", "rating-1h", "C-2", "fired", "due"},
                               {"2026-03-17 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"},
                               {"2026-03-17 10:00 -03:00", "inactive-15d", "C-2", "fired", "due"}}));
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 4);
}

TEST_F(SteppedClock, BackOneHourAfterAContactStillCountsItForTheCap) {
  settings.cap = FrequencyCap{1, std::chrono::days{7}};
  const Rule second = make_rule({{"id", "second-visit"},
                                 {"trigger.kind", "nth_purchase"},
                                 {"trigger.n", std::int64_t{2}},
                                 {"trigger.delay", "10m"},
                                 {"action.kind", "message"},
                                 {"action.channel", "sms"},
                                 {"action.template", "Oi"}});
  start({default_rule("rating-1h"), second});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  run_until("2026-03-02T15:30:00-03:00");
  clock.set(at("2026-03-02T14:30:00-03:00"));
  buy("S-2", "C-1", "2026-03-02T14:31:00-03:00");
  run_until("2026-03-03T12:00:00-03:00");
  // At 14:41 the rating sent at 15:00 lies in the future of the stepped-back clock: it still counts.
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-02 15:00 -03:00", "rating-1h", "C-1", "fired", "due"},
                               {"2026-03-02 14:41 -03:00", "second-visit", "C-1", "skipped", "cap"},
                               {"2026-03-02 15:31 -03:00", "rating-1h", "C-1", "skipped", "cap"}}));
}

TEST_F(SteppedClock, ForwardOneDayLosesNothingAndSkipsWhatIsTooLate) {
  start({default_rule("rating-1h"), default_rule("review-3d"), default_rule("inactive-15d")});
  buy("S-1", customer("C-1", "Ana"), "2026-03-02T14:00:00-03:00");
  run_until("2026-03-02T14:30:00-03:00");
  clock.set(at("2026-03-03T14:30:00-03:00"));  // a day ahead: the rating is 23.5 h late
  tick();
  run_until("2026-03-17T09:00:00-03:00");
  clock.set(at("2026-03-18T09:00:00-03:00"));  // again, over the "15 days": still within 3 days
  tick();
  run_until("2026-04-10T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-03 14:30 -03:00", "rating-1h", "C-1", "skipped", "late"},
                               {"2026-03-05 10:00 -03:00", "review-3d", "C-1", "fired", "due"},
                               {"2026-03-18 09:00 -03:00", "inactive-15d", "C-1", "fired", "due"}}));
}

}  // namespace
}  // namespace regua
