#include "local/core/money.hpp"

#include <gtest/gtest.h>

namespace regua {
namespace {

TEST(ParseAmount, ReadsDecimalTextExactly) {
  EXPECT_EQ(*parse_amount("129.90"), 12990);
  EXPECT_EQ(*parse_amount("129.9"), 12990);
  EXPECT_EQ(*parse_amount("129"), 12900);
  EXPECT_EQ(*parse_amount("0.01"), 1);
  EXPECT_EQ(*parse_amount(".5"), 50);
  EXPECT_EQ(*parse_amount("7."), 700);
  EXPECT_EQ(*parse_amount("+3.10"), 310);
  EXPECT_EQ(*parse_amount("129.900"), 12990) << "trailing zeros beyond cents are harmless";
  EXPECT_EQ(*parse_amount("999999999999.99"), 99999999999999) << "the largest NF-e amount";
}

TEST(ParseAmount, ReadsBrazilianFormat) {
  const AmountFormat br{',', '.'};
  EXPECT_EQ(*parse_amount("1.299,90", br), 129990);
  EXPECT_EQ(*parse_amount("12,5", br), 1250);
  EXPECT_EQ(*parse_amount("1.234.567,00", br), 123456700);
  EXPECT_FALSE(parse_amount("1.29,90", br).ok()) << "thousands groups have three digits";
  EXPECT_FALSE(parse_amount(".299,90", br).ok());
}

TEST(ParseAmount, RefusesWhatIsNotAnAmountAndSaysWhy) {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const auto& c :
       {Case{"", "empty"}, Case{"-5.00", "negative"}, Case{"12,50", "unexpected character ','"},
        Case{"1.234", "more than two decimal places"}, Case{"abc", "unexpected character 'a'"},
        Case{".", "no digits"}, Case{"1.2.3", "unexpected character '.'"},
        Case{"99999999999999999999", "too large"}, Case{"12 50", "unexpected character ' '"}}) {
    auto r = parse_amount(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << c.text << ": " << r.error().message;
    EXPECT_EQ(r.error().kind, ErrorKind::input);
  }
}

TEST(FormatCents, WritesTwoDecimals) {
  EXPECT_EQ(format_cents(12990), "129.90");
  EXPECT_EQ(format_cents(5), "0.05");
  EXPECT_EQ(format_cents(0), "0.00");
  EXPECT_EQ(format_cents(-150), "-1.50");
  EXPECT_EQ(*parse_amount(format_cents(99999999999999)), 99999999999999);
}

}  // namespace
}  // namespace regua
