// The pure normalisation rules of local/identity: CPF, e-mail, names, birthdays.

#include <gtest/gtest.h>

#include "local/identity/birthday.hpp"
#include "local/identity/cpf.hpp"
#include "local/identity/email.hpp"
#include "local/identity/name.hpp"

namespace regua {
namespace {

TEST(Cpf, AcceptsValidNumbersWithOrWithoutPunctuation) {
  // Check digits worked by hand: 5*10+2*9+9*8+9*7+8*6+2*5+2*4+4*3+7*2 = 295, 295 mod 11 = 9 -> 2; and so on.
  EXPECT_EQ(valid_cpf("529.982.247-25"), "52998224725");
  EXPECT_EQ(valid_cpf("52998224725"), "52998224725");
  EXPECT_EQ(valid_cpf(" 529 982 247 25 "), "52998224725");
  EXPECT_EQ(valid_cpf("111.444.777-35"), "11144477735");
}

TEST(Cpf, RefusesWrongCheckDigits) {
  EXPECT_FALSE(valid_cpf("529.982.247-26"));
  EXPECT_FALSE(valid_cpf("529.982.247-35"));
  EXPECT_FALSE(valid_cpf("111.444.777-53"));
}

TEST(Cpf, RefusesElevenEqualDigitsThoughTheyPassTheCheck) {
  for (char d = '0'; d <= '9'; ++d) {
    const std::string same(11, d);
    EXPECT_FALSE(valid_cpf(same)) << same;
  }
  EXPECT_FALSE(valid_cpf("111.111.111-11"));
  // 000.000.000-00 passes the arithmetic (every sum is 0): only the equal-digits rule refuses it.
  EXPECT_FALSE(valid_cpf("000.000.000-00"));
}

TEST(Cpf, RestoresLeadingZerosASpreadsheetDroppedButNotInPunctuatedText) {
  EXPECT_EQ(valid_cpf("012.345.678-90"), "01234567890");
  EXPECT_EQ(valid_cpf("1234567890"), "01234567890");
  EXPECT_FALSE(valid_cpf("123.456.789-0"));
}

TEST(Cpf, RefusesOtherLengthsAndLetters) {
  EXPECT_FALSE(valid_cpf(""));
  EXPECT_FALSE(valid_cpf("5299822472"));  // 10 digits that are not a zero-padded CPF
  EXPECT_FALSE(valid_cpf("529982247250"));
  EXPECT_FALSE(valid_cpf("529.982.247-2X"));
  EXPECT_FALSE(valid_cpf("12.345.678/0001-95"));  // a CNPJ, a company's number
}

TEST(Cpf, FormatsElevenDigits) {
  EXPECT_EQ(format_cpf("52998224725"), "529.982.247-25");
  EXPECT_EQ(format_cpf("12345"), "12345");
}

TEST(Email, AcceptsRealAddressesInLowerCase) {
  EXPECT_EQ(valid_email("ana@example.com"), "ana@example.com");
  EXPECT_EQ(valid_email("  Ana.Souza+loja@Example.COM.br "), "ana.souza+loja@example.com.br");
  EXPECT_EQ(valid_email("o'neil_2@sub-domain.example.org"), "o'neil_2@sub-domain.example.org");
}

TEST(Email, RefusesWhatPosFormsGetWrong) {
  for (const char* bad :
       {"", "naotem", "ana@gmail", "ana@@gmail.com", "ana@x@gmail.com", "ana@gmail..com", ".ana@gmail.com",
        "ana.@gmail.com", "an..a@gmail.com", "ana @gmail.com", "ana@gmail.c", "ana@-gmail.com",
        "ana@gmail-.com", "ana@gmail.c0m", "@gmail.com", "ana@", "ana(at)gmail.com", "joão@gmail.com"}) {
    EXPECT_FALSE(valid_email(bad)) << bad;
  }
  EXPECT_FALSE(valid_email(std::string(65, 'a') + "@example.com")) << "local part over 64 characters";
}

TEST(Name, TrimsCollapsesAndCapitalises) {
  EXPECT_EQ(normalise_name("  ANA   DE SOUZA "), "Ana de Souza");
  EXPECT_EQ(normalise_name("ana de souza"), "Ana de Souza");
  EXPECT_EQ(normalise_name("aNA\tde\xC2\xA0souza"), "Ana de Souza") << "tabs and non-breaking spaces";
}

TEST(Name, KeepsPortugueseParticlesLowerCaseExceptFirst) {
  EXPECT_EQ(normalise_name("JOÃO DOS SANTOS E SILVA"), "João dos Santos e Silva");
  EXPECT_EQ(normalise_name("maria da graça do carmo das neves"), "Maria da Graça do Carmo das Neves");
  EXPECT_EQ(normalise_name("DE SOUZA"), "De Souza");
}

TEST(Name, CapitalisesAccentedLettersAndAfterHyphensAndApostrophes) {
  EXPECT_EQ(normalise_name("MARIA-JOSÉ D'ÁVILA"), "Maria-José D'Ávila");
  EXPECT_EQ(normalise_name("ÉRICA ÇARÃO ÚRSULA"), "Érica Çarão Úrsula");
  EXPECT_EQ(normalise_name("ângela"), "Ângela");
}

TEST(Name, NothingWhenNoNameIsLeft) {
  EXPECT_FALSE(normalise_name(""));
  EXPECT_FALSE(normalise_name(" \t "));
}

TEST(Name, FirstName) {
  EXPECT_EQ(first_name("Ana de Souza"), "Ana");
  EXPECT_EQ(first_name("Ana"), "Ana");
}

TEST(Birthday, ReadsYearFirstAndDayFirstForms) {
  for (const char* text : {"1990-05-17", "1990/05/17", "17/05/1990", "17-05-1990", "17.05.1990", "19900517",
                           "17051990", " 1990-05-17T00:00:00 ", "1990-05-17 00:00", "17/05/1990 10:30"}) {
    EXPECT_EQ(parse_birthday(text, 2026), "1990-05-17") << text;
  }
  EXPECT_EQ(parse_birthday("7/5/1990", 2026), "1990-05-07");
  EXPECT_EQ(parse_birthday("1990-5-7", 2026), "1990-05-07");
}

TEST(Birthday, TwoDigitYearsAreTheLatestNotAfterTheReferenceYear) {
  EXPECT_EQ(parse_birthday("17/05/90", 2026), "1990-05-17");
  EXPECT_EQ(parse_birthday("17/05/05", 2026), "2005-05-17");
  EXPECT_EQ(parse_birthday("17/05/26", 2026), "2026-05-17");
  EXPECT_EQ(parse_birthday("17/05/27", 2026), "1927-05-17");
  EXPECT_EQ(parse_birthday("17/05/27", 2027), "2027-05-17")
      << "deterministic for the year the news was given";
}

TEST(Birthday, RefusesImpossibleAndAmbiguousDates) {
  for (const char* text : {"31/02/1990", "29/02/1991", "1990-13-01", "1990-00-10", "00/05/1990",
                           "05/17/1990",  // month first (US): month 17
                           "1890-01-01", "2030-01-01", "17/05", "1990-05", "abc", "1990-05/17", "17/05/199",
                           "", "2026-05-17x"}) {
    EXPECT_FALSE(parse_birthday(text, 2026)) << text;
  }
  EXPECT_EQ(parse_birthday("29/02/1992", 2026), "1992-02-29") << "a leap day is a birthday";
}

}  // namespace
}  // namespace regua
