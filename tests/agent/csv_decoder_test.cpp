// The CSV connector's decoder, configured as a store would configure it (TOML), on the rows a
// Brazilian POS export holds: Windows-1252, decimal comma, dd/mm/yyyy, quoting.

#include "agent/connectors/csv_decoder.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include "agent/connectors/wall_time_format.hpp"
#include "local/core/timestamp.hpp"
#include "tests/support/temp_dir.hpp"

namespace regua {
namespace {

// The [[source]] part of a configuration, completed into a whole one.
CsvOptions csv_options(const std::string& source_tables) {
  const std::string text =
      "[store]\nid = \"centro\"\n[[source]]\nkind = \"csv\"\npath = \"vendas.csv\"\n" + source_tables;
  auto config = parse_config(text, "/tmp/regua-test.toml");
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
  return config.ok() ? config->sources[0].csv : CsvOptions{};
}

class CsvDecoderTest : public ::testing::Test {
 protected:
  CsvDecoderTest() {
    store.id = "centro";
    store.zone = date::locate_zone("America/Sao_Paulo");
  }

  void configure(const std::string& tables) {
    decoder = std::make_unique<CsvDecoder>(csv_options(tables), store);
  }

  Result<std::optional<Event>> decode(std::string_view line, std::int64_t number = 2) {
    padded.assign(line);
    padded.append(kLinePadding, '\0');
    return decoder->decode_at(std::string_view(padded.data(), line.size()), number);
  }

  Sale sale(std::string_view line) {
    auto r = decode(line);
    EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().message);
    if (!r.ok() || !*r || !std::holds_alternative<Sale>(**r)) return {};
    return std::get<Sale>(**r);
  }

  void expect_quarantined(std::string_view line, std::string_view why) {
    auto r = decode(line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.error().kind, ErrorKind::input);
    EXPECT_NE(r.error().message.find(why), std::string::npos) << line << "\n  reason: " << r.error().message;
  }

  StoreConfig store;
  std::unique_ptr<CsvDecoder> decoder;
  std::string padded;
};

// A Windows-1252 export as Brazilian POS systems write it.
const std::string kBrazilianExport = R"(
[source.csv]
delimiter = ";"
encoding = "windows-1252"
decimal_separator = ","
thousands_separator = "."
datetime_format = "%d/%m/%Y %H:%M"
date_format = "%d/%m/%Y"
[source.columns]
sale_id = "Cupom"
datetime = "Data"
total = "Valor"
customer_id = "Cliente"
customer_name = "Nome"
customer_phone = "Telefone"
customer_cpf = "CPF"
customer_email = "E-mail"
customer_birthday = "Nascimento"
item_sku = "C\u00f3digo"
item_name = "Produto"
item_quantity = "Qtd"
item_price = "Pre\u00e7o Unit."
)";

// The header and a row, in Windows-1252 bytes (ç = E7, ã = E3, é = E9, º = BA, ó = F3).
const std::string kHeader1252 =
    "Cupom;Data;Valor;Cliente;Nome;Telefone;CPF;E-mail;Nascimento;C\xF3"
    "digo;Produto;Qtd;Pre\xE7o Unit.";
const std::string kRow1252 =
    "12345;01/03/2026 14:05;1.299,90;C-77;Concei\xE7\xE3o Ara\xFAjo;(11) 98765-4321;529.982.247-25;"
    "ana@example.com;17/05/1990;A1;Camisa P\xF3lo n\xBA 2 \xE9 top;2;649,95";

TEST_F(CsvDecoderTest, Windows1252WithDecimalCommaRoundTripsNamesAndAmountsExactly) {
  configure(kBrazilianExport);
  auto header = decode(kHeader1252, 1);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_FALSE(*header) << "the header line is no event";

  const Sale s = sale(kRow1252);
  EXPECT_EQ(s.pos_id, "12345");
  EXPECT_EQ(format_utc(s.sold_at), "2026-03-01T17:05:00Z") << "wall clock of the store (UTC-3)";
  EXPECT_EQ(s.total, 129990) << "1.299,90";
  ASSERT_TRUE(s.customer);
  EXPECT_EQ(s.customer->pos_id, "C-77");
  EXPECT_EQ(s.customer->name, "Conceição Araújo");
  EXPECT_EQ(s.customer->phone, "(11) 98765-4321");
  EXPECT_EQ(s.customer->cpf, "529.982.247-25");
  EXPECT_EQ(s.customer->email, "ana@example.com");
  EXPECT_EQ(s.customer->birthday, "1990-05-17");
  ASSERT_EQ(s.items.size(), 1U);
  EXPECT_EQ(s.items[0].sku, "A1");
  EXPECT_EQ(s.items[0].name, "Camisa Pólo nº 2 é top");
  EXPECT_DOUBLE_EQ(s.items[0].quantity, 2.0);
  EXPECT_EQ(s.items[0].unit_price, 64995);
}

TEST_F(CsvDecoderTest, ColumnsByPositionWithoutAHeader) {
  configure(R"(
[source.csv]
header = false
[source.columns]
sale_id = 2
datetime = 1
total = 4
customer_name = 3
)");
  auto first = decode("2026-03-01T14:05:00-03:00,S-1,Ana,10.50", 1);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(*first) << "without a header the first line is a row";
  const auto& s = std::get<Sale>(**first);
  EXPECT_EQ(s.pos_id, "S-1");
  EXPECT_EQ(s.total, 1050);
  EXPECT_EQ(s.customer->name, "Ana");
  EXPECT_EQ(s.customer->pos_id, "") << "no customer id column: matched by CPF or phone";
  EXPECT_TRUE(s.items.empty());
}

TEST_F(CsvDecoderTest, ColumnsByNameInAnyOrderAndCase) {
  configure(R"(
[source.columns]
sale_id = "ID"
datetime = "When"
total = "Total"
)");
  ASSERT_TRUE(decode("total , when,id", 1).ok());
  const Sale s = sale("9.99,2026-03-01 14:05,S-2");
  EXPECT_EQ(s.pos_id, "S-2");
  EXPECT_EQ(s.total, 999);
  EXPECT_EQ(format_utc(s.sold_at), "2026-03-01T17:05:00Z");
  EXPECT_FALSE(s.customer) << "no customer columns: anonymous";
}

TEST_F(CsvDecoderTest, QuotedFieldsHoldDelimitersAndDoubledQuotes) {
  configure(R"(
[source.csv]
thousands_separator = ","
[source.columns]
sale_id = 1
datetime = 2
total = 3
customer_name = 4
item_name = 5
item_price = 6
)");
  ASSERT_TRUE(decode("id,ts,total,name,item,price", 1).ok());
  const Sale s = sale(
      R"("S-3","2026-03-01T14:05:00-03:00","1,299.90","Souza, Ana ""Aninha""",Camiseta "gola V","1,299.90")");
  EXPECT_EQ(s.pos_id, "S-3");
  EXPECT_EQ(s.total, 129990);
  EXPECT_EQ(s.customer->name, "Souza, Ana \"Aninha\"");
  ASSERT_EQ(s.items.size(), 1U);
  EXPECT_EQ(s.items[0].name, "Camiseta \"gola V\"") << "a quote inside an unquoted field is kept";
  EXPECT_DOUBLE_EQ(s.items[0].quantity, 1.0) << "no quantity column: one";
  EXPECT_EQ(s.items[0].unit_price, 129990);
}

TEST_F(CsvDecoderTest, EveryMalformedRowIsQuarantinedNamingTheColumn) {
  configure(kBrazilianExport);
  ASSERT_TRUE(decode(kHeader1252, 1).ok());
  const std::string tail = ";C-1;Ana;;;;;;;;";
  expect_quarantined(";01/03/2026 14:05;10,00" + tail, "column 1 (\"Cupom\", the sale id) is empty");
  expect_quarantined("1;32/01/2026 14:05;10,00" + tail,
                     "column 2 (\"Data\", the date and time): \"32/01/2026 14:05\" does not match the format "
                     "\"%d/%m/%Y %H:%M\": there is no such day");
  expect_quarantined("1;2026-03-01 14:05;10,00" + tail, "column 2 (\"Data\", the date and time)");
  expect_quarantined("1;01/03/2026 14:05;;C-1" + tail, "column 3 (\"Valor\", the total) is empty");
  expect_quarantined("1;01/03/2026 14:05;10.5" + tail,
                     "column 3 (\"Valor\", the total): \"10.5\" is not an amount");
  expect_quarantined(
      "1;01/03/2026 14:05;-10,00" + tail,
      "column 3 (\"Valor\", the total): \"-10,00\" is not an amount: amounts cannot be negative");
  expect_quarantined("1;01/03/2026 14:05",
                     "the row has 2 column(s), so column 3 (\"Valor\", the total) is missing");
  expect_quarantined("1;01/03/2026 14:05;10,00;C-1;\"Ana;;;;;;;;",
                     "column 5: a quoted field is not closed on this line");
  expect_quarantined("1;01/03/2026 14:05;10,00;C-1;\"Ana\" Maria;;;;;;;;",
                     "column 5: unexpected text after the closing quote");
  expect_quarantined("1;01/03/2026 14:05;10,00;C-1;Ana;;;;;A1;Camisa;dois;10,00",
                     "column 12 (\"Qtd\", the item's quantity): \"dois\" is not a positive number");
  expect_quarantined(
      "1;01/03/2026 14:05;10,00;C-1;Ana;;;;;A1;Camisa;1;",
      "column 13 (\"Preço Unit.\", the item's unit price) is empty but the row describes an item");
  expect_quarantined("1;01/03/2026 14:05;10,00;C-1;Ana \x81;;;;;;;;",
                     "(0x81) is not a Windows-1252 character");
  expect_quarantined("1" + std::string(300, '9') + ";01/03/2026 14:05;10,00" + tail,
                     "is longer than 200 characters");
}

TEST_F(CsvDecoderTest, Utf8FilesRefuseOtherBytesAndSayWhichEncodingToSet) {
  configure("[source.columns]\nsale_id = 1\ndatetime = 2\ntotal = 3\ncustomer_name = 4\n");
  ASSERT_TRUE(decode("a,b,c,d", 1).ok());
  expect_quarantined("1,2026-03-01 14:05,1.00,Jos\xE9",
                     "is not valid UTF-8 text; if the POS writes Windows-1252");
  EXPECT_EQ(sale("1,2026-03-01 14:05,1.00,José").customer->name, "José");
}

TEST_F(CsvDecoderTest, AHeaderWithoutANamedColumnIsQuarantinedAndSoAreItsRows) {
  configure(kBrazilianExport);
  auto header = decode("Cupom;Data;Total", 1);
  ASSERT_FALSE(header.ok());
  EXPECT_NE(header.error().message.find("the header line has no column \"Valor\" (total)"), std::string::npos)
      << header.error().message;
  EXPECT_NE(header.error().message.find("its columns are \"Cupom\", \"Data\", \"Total\""), std::string::npos);
  expect_quarantined("1;01/03/2026 14:05;10,00", "the header line has no column \"Valor\"");

  auto comma = decode("Cupom,Data,Valor", 1);  // the wrong delimiter: one column
  ASSERT_FALSE(comma.ok());
  EXPECT_NE(comma.error().message.find("is the delimiter right? it is \";\""), std::string::npos)
      << comma.error().message;
}

TEST_F(CsvDecoderTest, ResumingMidFileLearnsTheHeaderFromTheFile) {
  configure(kBrazilianExport);
  expect_quarantined(kRow1252, "the file's header line has not been read");
  test::TempDir dir;
  test::write_file(dir / "vendas.csv", "\xEF\xBB\xBF" + kHeader1252 + "\r\n" + kRow1252 + "\r\n");
  decoder->learn_header_from(dir / "vendas.csv");
  EXPECT_EQ(sale(kRow1252).total, 129990);
}

TEST_F(CsvDecoderTest, BlankLinesAndRepeatedHeadersAreSkipped) {
  configure(kBrazilianExport);
  ASSERT_TRUE(decode(kHeader1252, 1).ok());
  for (const std::string& line : {std::string(""), std::string("  \t"), kHeader1252}) {
    auto r = decode(line, 7);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(*r);
  }
}

TEST_F(CsvDecoderTest, DateAndTimeInTwoColumnsAndExplicitOffsets) {
  configure(R"(
[source.csv]
date_format = "%d/%m/%y"
time_format = "%H:%M"
[source.columns]
sale_id = 1
date = 2
time = 3
total = 4
)");
  ASSERT_TRUE(decode("a,b,c,d", 1).ok());
  EXPECT_EQ(format_utc(sale("1,01/03/26,9:05,1.00").sold_at), "2026-03-01T12:05:00Z");
  // 2018-11-04 00:30 did not exist in São Paulo (clocks went forward): taken past the gap.
  EXPECT_EQ(format_utc(sale("2,04/11/18,00:30,1.00").sold_at), "2018-11-04T03:30:00Z");

  configure("[source.csv]\ndate_format = \"%d.%m.%Y\"\n[source.columns]\nsale_id = 1\ndate = 2\ntotal = 3\n");
  ASSERT_TRUE(decode("a,b,c", 1).ok());
  EXPECT_EQ(format_utc(sale("1,01.03.2026,1.00").sold_at), "2026-03-01T03:00:00Z") << "the day's start";

  configure(
      "[source.csv]\ndatetime_format = \"%d/%m/%Y %H:%M:%S %z\"\n[source.columns]\nsale_id = 1\ndatetime = "
      "2\ntotal = 3\n");
  ASSERT_TRUE(decode("a,b,c", 1).ok());
  EXPECT_EQ(format_utc(sale("1,01/03/2026 14:05:07 -0500,1.00").sold_at), "2026-03-01T19:05:07Z");
}

TEST_F(CsvDecoderTest, BirthdaysInTheirOwnFormatOrKeptAsWritten) {
  configure(R"(
[source.csv]
birthday_format = "%d-%m-%Y"
[source.columns]
sale_id = 1
datetime = 2
total = 3
customer_birthday = 4
)");
  ASSERT_TRUE(decode("a,b,c,d", 1).ok());
  EXPECT_EQ(sale("1,2026-03-01 10:00,1.00,17-05-1990").customer->birthday, "1990-05-17");
  EXPECT_EQ(sale("1,2026-03-01 10:00,1.00,1990-05-17").customer->birthday, "1990-05-17");
  EXPECT_EQ(sale("1,2026-03-01 10:00,1.00,maio").customer->birthday, "maio") << "for data quality to flag";
}

TEST(WallTimeFormat, ReadsWhatTheFormatDescribes) {
  auto t = parse_wall_time("1/3/2026  9:05", "%d/%m/%Y %H:%M");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(format_date(*t->date), "2026-03-01");
  EXPECT_EQ(t->time_of_day->count(), 9 * 3600 + 5 * 60);
  EXPECT_FALSE(t->offset);
  t = parse_wall_time("2026-03-01T14:05:00Z", "%FT%T%z");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->offset->count(), 0);
  EXPECT_EQ(parse_wall_time("31/12/99", "%d/%m/%y")->date->year(), std::chrono::year{1999});
  EXPECT_EQ(parse_wall_time("31/12/30", "%d/%m/%y")->date->year(), std::chrono::year{2030});
  EXPECT_EQ(parse_wall_time("100%", "100%%")->date, std::nullopt);
}

TEST(WallTimeFormat, SaysWhatDidNotMatch) {
  struct Case {
    const char* text;
    const char* format;
    const char* why;
  };
  for (const auto& c : {Case{"01/03/26", "%d/%m/%Y", "expected 4 digits for the year at character 7"},
                        Case{"01/03/2026 14:05", "%d/%m/%Y", "unexpected text after character 10"},
                        Case{"29/02/2025", "%d/%m/%Y", "there is no such day"},
                        Case{"01/03/2026 25:00", "%d/%m/%Y %H:%M", "the time of day is out of range"},
                        Case{"01/03/1850", "%d/%m/%Y", "year 1850 is out of range"},
                        Case{"01-03-2026", "%d/%m/%Y", "expected '/' at character 3"}}) {
    auto r = parse_wall_time(c.text, c.format);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << r.error().message;
  }
}

TEST(WallTimeFormat, ConfigurationFormatsAreChecked) {
  EXPECT_TRUE(check_wall_time_format("%d/%m/%Y %H:%M", WallTimeParts::date_and_time).ok());
  EXPECT_TRUE(check_wall_time_format("%F", WallTimeParts::date).ok());
  EXPECT_TRUE(check_wall_time_format("%T", WallTimeParts::time).ok());
  EXPECT_FALSE(check_wall_time_format("%d/%m/%Y", WallTimeParts::date_and_time).ok());
  EXPECT_FALSE(check_wall_time_format("%d/%m", WallTimeParts::date).ok());
  auto bad = check_wall_time_format("%d/%m/%Y %I:%M", WallTimeParts::date_and_time);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("unknown directive %I"), std::string::npos);
}

}  // namespace
}  // namespace regua
