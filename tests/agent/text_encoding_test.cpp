#include "agent/connectors/text_encoding.hpp"

#include <gtest/gtest.h>

namespace regua {
namespace {

std::string convert(std::string_view text, TextEncoding e) {
  std::string buffer;
  auto r = to_utf8(text, e, buffer);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::string(*r) : std::string();
}

TEST(TextEncoding, Windows1252AccentsBecomeUtf8) {
  // "Conceição São José nº 5 – 1.299,90 €" as Windows-1252 bytes.
  const std::string cp1252 = "Concei\xE7\xE3o S\xE3o Jos\xE9 n\xBA 5 \x96 1.299,90 \x80";
  EXPECT_EQ(convert(cp1252, TextEncoding::windows1252), "Conceição São José nº 5 – 1.299,90 €");
  EXPECT_EQ(convert("\x93"
                    "aspas\x94",
                    TextEncoding::windows1252),
            "“aspas”");
  EXPECT_EQ(convert("\xC7\xC3\xC9", TextEncoding::iso88591), "ÇÃÉ");
}

TEST(TextEncoding, AsciiAndValidUtf8AreReturnedWithoutCopying) {
  std::string buffer;
  const std::string_view ascii = "plain";
  auto r = to_utf8(ascii, TextEncoding::windows1252, buffer);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data(), ascii.data());
  const std::string_view utf8 = "São";
  r = to_utf8(utf8, TextEncoding::utf8, buffer);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data(), utf8.data());
}

TEST(TextEncoding, BytesThatDoNotBelongAreRefusedWithTheirPositionAndAHint) {
  std::string buffer;
  auto r = to_utf8("Jos\xE9", TextEncoding::utf8, buffer);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("byte 4 (0xE9) is not valid UTF-8"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("windows-1252"), std::string::npos);

  r = to_utf8("a\x81", TextEncoding::windows1252, buffer);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("byte 2 (0x81) is not a Windows-1252 character"), std::string::npos);

  r = to_utf8("\x80", TextEncoding::iso88591, buffer);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("probably Windows-1252"), std::string::npos);
}

TEST(TextEncoding, Utf8ValidationRefusesOverlongSurrogatesAndTruncation) {
  EXPECT_FALSE(first_invalid_utf8("ok ç ✓ 😀"));
  EXPECT_EQ(first_invalid_utf8("\xC0\xAF"), 0U);          // overlong '/'
  EXPECT_EQ(first_invalid_utf8("ab\xED\xA0\x80"), 2U);    // a UTF-16 surrogate
  EXPECT_EQ(first_invalid_utf8("abc\xE2\x9C"), 3U);       // cut short
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0U);  // past U+10FFFF
}

TEST(TextEncoding, NamesRoundTrip) {
  for (const auto e : {TextEncoding::utf8, TextEncoding::windows1252, TextEncoding::iso88591}) {
    EXPECT_EQ(text_encoding_from_name(text_encoding_name(e)), e);
  }
  EXPECT_FALSE(text_encoding_from_name("latin9"));
}

}  // namespace
}  // namespace regua
