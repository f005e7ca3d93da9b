#include "local/core/timestamp.hpp"

#include <gtest/gtest.h>

namespace regua {
namespace {

using namespace std::chrono;

TEST(ParseTimestamp, ReadsOffsetsToUtc) {
  auto t = parse_timestamp("2026-03-01T14:05:00-03:00");
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(t->offset);
  EXPECT_EQ(format_utc(t->utc()), "2026-03-01T17:05:00Z");
  EXPECT_EQ(format_utc(parse_timestamp("2026-03-01T14:05:00Z")->utc()), "2026-03-01T14:05:00Z");
  EXPECT_EQ(format_utc(parse_timestamp("2026-03-01T14:05:00+0530")->utc()), "2026-03-01T08:35:00Z");
  EXPECT_EQ(format_utc(parse_timestamp("2026-03-01 14:05:00.123-03:00")->utc()), "2026-03-01T17:05:00Z");
  EXPECT_EQ(format_utc(parse_timestamp("2026-03-01T14:05-03:00")->utc()), "2026-03-01T17:05:00Z");
  EXPECT_EQ(format_utc(parse_timestamp("2026-12-31T23:30:00-03:00")->utc()), "2027-01-01T02:30:00Z");
}

TEST(ParseTimestamp, KeepsWallClockTimeWithoutOffset) {
  auto t = parse_timestamp("2026-03-01T14:05:00");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->offset);
  EXPECT_EQ(t->wall, local_days{2026y / March / 1} + 14h + 5min);
}

TEST(ParseTimestamp, RefusesBadTextAndSaysWhy) {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const auto& c :
       {Case{"31/02/2026 10:00", "not YYYY-MM-DD"}, Case{"2026-02-30T10:00:00Z", "no such day"},
        Case{"2026-03-01", "time of day is missing"}, Case{"2026-03-01T25:00:00Z", "out of range"},
        Case{"2026-03-01T10:00:00-03", "UTC offset"}, Case{"1850-03-01T10:00:00Z", "out of range"},
        Case{"2026-03-01T10:00:00Zjunk", "unexpected text"}, Case{"", "not YYYY-MM-DD"},
        Case{"2026-03-01X10:00:00Z", "expected 'T'"}}) {
    auto r = parse_timestamp(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << c.text << ": " << r.error().message;
  }
}

TEST(ParseDate, ReadsIsoDates) {
  EXPECT_EQ(format_date(*parse_date("1990-05-17")), "1990-05-17");
  EXPECT_FALSE(parse_date("1990-02-30").ok());
  EXPECT_FALSE(parse_date("17/05/1990").ok());
  EXPECT_FALSE(parse_date("1990-05-17T00:00").ok());
}

}  // namespace
}  // namespace regua
