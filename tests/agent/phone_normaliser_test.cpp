// Phone normalisation with the real libphonenumber, as the agent injects it, and [store] country.

#include <random>

#include <gtest/gtest.h>

#include "agent/config/config.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "tests/support/phones.hpp"

namespace regua {
namespace {

const PhoneNormaliser& br() {
  return test::brazilian_phones();
}

TEST(PhoneNormaliser, BrazilianMobilesWrittenAnyWayAreOneE164Mobile) {
  for (const char* raw : {"(11) 98765-4321", "11987654321", "11 98765 4321", "11.98765.4321",
                          "+55 11 98765-4321", "+55 (11) 98765-4321", "5511987654321", "0 21 11 98765-4321",
                          "021 11 98765 4321", "(011) 98765-4321"}) {
    const auto n = br().normalise(raw);
    EXPECT_EQ(n.e164, "+5511987654321") << raw;
    EXPECT_EQ(n.kind, PhoneKind::mobile) << raw;
  }
}

TEST(PhoneNormaliser, ALandlineIsKnownAsOne) {
  const auto n = br().normalise("(11) 3456-7890");
  EXPECT_EQ(n.e164, "+551134567890");
  EXPECT_EQ(n.kind, PhoneKind::fixed_line);
  EXPECT_EQ(br().normalise("0 21 11 3456-7890").kind, PhoneKind::fixed_line) << "with a carrier code";
}

TEST(PhoneNormaliser, OtherRealNumbersAreNeitherMobileNorLandline) {
  const auto n = br().normalise("0800 704 0300");  // toll-free
  EXPECT_EQ(n.e164, "+558007040300");
  EXPECT_EQ(n.kind, PhoneKind::other);
}

TEST(PhoneNormaliser, GarbageIsInvalidWithoutE164) {
  for (const char* raw :
       {"", "abc", "12345", "0", "n/a", "(11) 8765-4321" /* 8-digit mobile, gone since 2016 */,
        "987654321" /* no area code */, "+55 11 98765-4321 ramal 22x"}) {
    const auto n = br().normalise(raw);
    EXPECT_EQ(n.kind, PhoneKind::invalid) << raw;
    EXPECT_TRUE(n.e164.empty()) << raw;
  }
  EXPECT_EQ(br().normalise(std::string(300, '9')).kind, PhoneKind::invalid);
}

TEST(PhoneNormaliser, ForeignNumbersWithTheirCountryCode) {
  EXPECT_EQ(br().normalise("+351 912 345 678").e164, "+351912345678");
  // In the USA a number does not tell mobile from landline: counted as mobile (docs/identity.md).
  const auto us = br().normalise("+1 650 253 0000");
  EXPECT_EQ(us.e164, "+16502530000");
  EXPECT_EQ(us.kind, PhoneKind::mobile);
}

TEST(PhoneNormaliser, TheRegionDecidesNumbersWithoutCountryCode) {
  auto pt = LibphonenumberNormaliser::create("PT");
  ASSERT_TRUE(pt.ok()) << pt.error().message;
  const auto n = pt->normalise("912 345 678");
  EXPECT_EQ(n.e164, "+351912345678");
  EXPECT_EQ(n.kind, PhoneKind::mobile);
  auto bad = LibphonenumberNormaliser::create("XX");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::config);
}

// normalise() takes a shortcut around Parse for Brazilian numbers written as bare digits; it must
// agree with Parse on every input, valid or not.
TEST(PhoneNormaliser, TheShortcutAgreesWithParse) {
  auto phones = LibphonenumberNormaliser::create("BR");
  ASSERT_TRUE(phones.ok());
  std::mt19937 rng(7);
  int valid = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string digits =
        std::to_string(10 + rng() % 90);  // any two digits as the area code, also unused ones
    const int rest = 8 + static_cast<int>(rng() % 2);
    for (int d = 0; d < rest; ++d)
      digits += static_cast<char>('0' + rng() % 10);
    for (const std::string& raw :
         {digits,
          "(" + digits.substr(0, 2) + ") " + digits.substr(2, rest - 4) + "-" + digits.substr(rest - 2),
          "55" + digits, "90" + digits, "0" + digits}) {
      const auto quick = phones->normalise(raw);
      EXPECT_EQ(quick, phones->normalise_by_parsing(raw)) << raw;
      valid += quick.valid() ? 1 : 0;
    }
  }
  EXPECT_GT(valid, 1000) << "the generated numbers include many valid ones";
}

TEST(StoreCountry, DefaultsToBrazilAndRefusesUnknownCodes) {
  const std::string base = "[[source]]\nkind = \"jsonl\"\npath = \"pos.jsonl\"\n[store]\nid = \"centro\"\n";
  auto plain = parse_config(base, "/etc/regua/agent.toml");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->store.country, "BR");
  auto pt = parse_config(base + "country = \"PT\"\n", "/etc/regua/agent.toml");
  ASSERT_TRUE(pt.ok()) << pt.error().message;
  EXPECT_EQ(pt->store.country, "PT");
  auto bad = parse_config(base + "country = \"Brasil\"\n", "/etc/regua/agent.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::config);
  EXPECT_NE(bad.error().message.find("agent.toml:6: [store] country"), std::string::npos)
      << bad.error().message;
}

}  // namespace
}  // namespace regua
