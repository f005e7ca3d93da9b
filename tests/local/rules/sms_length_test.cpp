// What a text costs as SMS: GSM-7 (extension characters count two septets) or UCS-2 (surrogate pairs
// count two units), 160/70 in one SMS, 153/67 per part when concatenated, and no two-septet
// character or surrogate pair split between parts. And templates' defaults for missing values.

#include <gtest/gtest.h>

#include "local/rules/rule_set.hpp"
#include "local/rules/templates.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua {
namespace {

std::string times(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

void expect_length(const std::string& text, SmsEncoding encoding, int units, int segments) {
  const SmsLength l = sms_length(text);
  EXPECT_EQ(l.encoding, encoding) << text;
  EXPECT_EQ(l.units, units) << text;
  EXPECT_EQ(l.segments, segments) << text;
}

TEST(SmsLength, GsmSevenBitTextFitsOneSmsUpTo160Characters) {
  expect_length("", SmsEncoding::gsm7, 0, 0);
  expect_length(times("a", 160), SmsEncoding::gsm7, 160, 1);
  expect_length(times("a", 161), SmsEncoding::gsm7, 161, 2);
  expect_length(times("a", 306), SmsEncoding::gsm7, 306, 2);  // 2 x 153
  expect_length(times("a", 307), SmsEncoding::gsm7, 307, 3);
  // Every printable ASCII character but the backtick and the extension table is one septet.
  expect_length("@$_!\"#%&'()*+,-./:;<=>? 0123456789AZaz\n\r", SmsEncoding::gsm7, 40, 1);
}

TEST(SmsLength, AccentsOfGsmSevenStayButCedillaSwitchesToUcs2) {
  // 'é' and 'à' are in the GSM 7-bit alphabet...
  expect_length("é" + times("a", 159), SmsEncoding::gsm7, 160, 1);
  expect_length("à" + times("a", 160), SmsEncoding::gsm7, 161, 2);
  // ...'ç', 'ã', 'ê', 'á' are not: the whole text becomes UCS-2, 70 characters in one SMS.
  const SmsLength c = sms_length("ç" + times("a", 69));
  EXPECT_EQ(c.encoding, SmsEncoding::ucs2);
  EXPECT_EQ(c.units, 70);
  EXPECT_EQ(c.segments, 1);
  EXPECT_EQ(c.first_non_gsm, "ç");
  expect_length("ç" + times("a", 70), SmsEncoding::ucs2, 71, 2);
  expect_length(times("a", 134) + "ã", SmsEncoding::ucs2, 135, 3);  // 67 + 67 + 1
  expect_length(times("a", 133) + "ã", SmsEncoding::ucs2, 134, 2);
  expect_length("`", SmsEncoding::ucs2, 1, 1);  // the backtick is not in GSM-7 either
  EXPECT_EQ(sms_length("Você").first_non_gsm, "ê");
}

TEST(SmsLength, ExtensionCharactersCostTwoSeptetsAndAreNeverSplit) {
  expect_length("€" + times("a", 158), SmsEncoding::gsm7, 160, 1);
  expect_length("€" + times("a", 159), SmsEncoding::gsm7, 161, 2);
  expect_length(times("[", 80), SmsEncoding::gsm7, 160, 1);
  expect_length(times("[", 81), SmsEncoding::gsm7, 162, 2);
  expect_length("^{}\\~]|", SmsEncoding::gsm7, 14, 1);
  // 306 septets would be two parts of 153, but the escape and its character cannot be cut apart:
  // the '[' at septets 153-154 moves to the second part, which then overflows into a third.
  expect_length(times("a", 152) + "[" + times("a", 152), SmsEncoding::gsm7, 306, 3);
  expect_length(times("a", 151) + "[" + times("a", 153), SmsEncoding::gsm7, 306, 2);
}

TEST(SmsLength, EmojiAreSurrogatePairsAndAreNeverSplit) {
  const std::string smile = "\xF0\x9F\x98\x80";  // U+1F600, outside the Basic Multilingual Plane
  expect_length(times(smile, 35), SmsEncoding::ucs2, 70, 1);
  expect_length(times(smile, 36), SmsEncoding::ucs2, 72, 2);
  // 134 units are two parts of 67, unless a pair would straddle them.
  expect_length(times("a", 66) + smile + times("a", 66), SmsEncoding::ucs2, 134, 3);
  expect_length(times("a", 65) + smile + times("a", 67), SmsEncoding::ucs2, 134, 2);
  // A byte that is not UTF-8 is read as one replacement character, never as GSM-7.
  expect_length("a\xFFz", SmsEncoding::ucs2, 3, 1);
}

TEST(TemplateDefaults, AMissingValueOutsideAnOptionalPartReadsItsDefaultNeverABlank) {
  const TemplateValues none = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  const TemplateValues ana = [](std::string_view key) -> std::optional<std::string> {
    if (key == "first_name") return "Ana";
    return std::nullopt;
  };
  auto t = parse_template("Olá, {first_name}! Faz {days_since_last} dias.");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(render_template(*t, ana), "Olá, Ana! Faz alguns dias.");
  EXPECT_EQ(render_template(*t, none), "Olá, cliente! Faz alguns dias.");
  EXPECT_EQ(render_template(*t, none, Language::en), "Olá, customer! Faz some dias.");
  // The store's own fallback wins; an optional part is still left out whole.
  auto own = parse_template("Oi{?, {first_name}}! {name|Cliente querido}, volte sempre.");
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(render_template(*own, none), "Oi! Cliente querido, volte sempre.");
  EXPECT_EQ(render_template(*own, ana), "Oi, Ana! Cliente querido, volte sempre.");
}

TEST(SmsLengthWarning, AStoreRuleWhoseSmsNeedsSeveralPartsIsNamedWithFileLineRuleAndField) {
  // 3 lines into the file: the template's own line is named, not the rule's first.
  auto raw = test::raw_rule({{"id", std::string("volte-20d")},
                             {"trigger.kind", std::string("days_without_purchase")},
                             {"trigger.days", std::int64_t{20}},
                             {"action.kind", std::string("message")},
                             {"action.channel", std::string("sms")}},
                            "regras.toml:1");
  RawValue text;
  text.origin = "regras.toml:9";
  text.value = std::string(
      "Oi{?, {first_name}}! Faz {days_since_last} dias que você não passa na {store}. Chegou coleção nova, "
      "venha conhecer!");
  raw.fields.emplace_back("action.template", std::move(text));
  RuleSetOptions options;
  options.default_pack = false;
  options.store_rules = {raw};
  options.store_name = "Loja Centro";
  auto set = assemble_rules(options, StoreLinks{});
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set->warnings.size(), 1U);
  const std::string& w = set->warnings[0];
  EXPECT_EQ(w.rfind("regras.toml:9: rule \"volte-20d\" action.template: each SMS is billed as 2 SMS (", 0),
            0U)
      << w;
  EXPECT_NE(w.find("in UCS-2, because 'ê' is not in the GSM-7 alphabet"), std::string::npos) << w;

  // The same text without characters outside GSM-7 fits one SMS: no warning.
  std::get<std::string>(options.store_rules[0].fields.back().second.value) =
      "Oi{?, {first_name}}! Faz {days_since_last} dias que voce nao passa na {store}. Venha ver!";
  set = assemble_rules(options, StoreLinks{});
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->warnings.empty()) << set->warnings[0];
}

}  // namespace
}  // namespace regua
