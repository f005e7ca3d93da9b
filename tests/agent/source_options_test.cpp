// The per-format tables of a [[source]]: [source.csv], [source.columns], [source.nfe].

#include <gtest/gtest.h>

#include "agent/config/config.hpp"

namespace regua {
namespace {

const std::filesystem::path kSourceFile = "/etc/regua/agent.toml";

Result<AgentConfig> parse_with_source(const std::string& source) {
  return parse_config("[store]\nid = \"centro\"\n[[source]]\n" + source, kSourceFile);
}

std::string errors_of(const std::string& source) {
  auto r = parse_with_source(source);
  EXPECT_FALSE(r.ok()) << source;
  return r.ok() ? "" : r.error().message;
}

TEST(SourceOptions, CsvDefaultsAndEveryKey) {
  auto minimal = parse_with_source(
      "kind = \"csv\"\npath = \"v.csv\"\n[source.columns]\nsale_id = 1\ndatetime = 2\ntotal = 3\n");
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  const auto& d = minimal->sources[0].csv.dialect;
  EXPECT_EQ(minimal->sources[0].kind, SourceKind::csv);
  EXPECT_EQ(d.delimiter, ',');
  EXPECT_EQ(d.quote, '"');
  EXPECT_TRUE(d.header);
  EXPECT_EQ(d.encoding, TextEncoding::utf8);
  EXPECT_EQ(d.amounts.decimal_separator, '.');
  EXPECT_EQ(d.amounts.thousands_separator, '\0');
  EXPECT_EQ(d.datetime_format, "");
  EXPECT_EQ(d.date_format, "%Y-%m-%d");

  auto full = parse_with_source(R"(kind = "csv"
path = "v.csv"
[source.csv]
delimiter = "tab"
quote = ""
header = false
encoding = "iso-8859-1"
decimal_separator = ","
thousands_separator = "."
datetime_format = "%d/%m/%Y %H:%M:%S"
date_format = "%d/%m/%Y"
time_format = "%H:%M"
birthday_format = "%d/%m/%y"
[source.columns]
sale_id = 1
date = 2
time = 3
total = 4
customer_id = 5
customer_name = 6
customer_phone = 7
customer_cpf = 8
customer_email = 9
customer_birthday = 10
item_sku = 11
item_name = 12
item_quantity = 13
item_price = 14
)");
  ASSERT_TRUE(full.ok()) << full.error().message;
  const auto& csv = full->sources[0].csv;
  EXPECT_EQ(csv.dialect.delimiter, '\t');
  EXPECT_EQ(csv.dialect.quote, '\0');
  EXPECT_FALSE(csv.dialect.header);
  EXPECT_EQ(csv.dialect.encoding, TextEncoding::iso88591);
  EXPECT_EQ(csv.dialect.birthday_format, "%d/%m/%y");
  EXPECT_EQ(csv.column(CsvField::item_price)->index, 14);
  EXPECT_EQ(csv.column(CsvField::customer_email)->index, 9);
}

TEST(SourceOptions, CsvMistakesNameFileLineAndKey) {
  const std::string head = "kind = \"csv\"\npath = \"v.csv\"\n";
  auto e = errors_of(head +
                     "[source.csv]\ndelimiter = \";;\"\nencodng = \"utf-8\"\n[source.columns]\nsale_id = "
                     "1\ndatetime = 2\ntotal = 3\n");
  EXPECT_NE(e.find(kSourceFile.string() +
                   ":7: [source.csv] of [[source]] #1 delimiter: \";;\" must be exactly one ASCII character"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find(":8: [source.csv] of [[source]] #1 has an unknown key \"encodng\""), std::string::npos)
      << e;

  e = errors_of(
      head + "[source.csv]\nencoding = \"latin9\"\n[source.columns]\nsale_id = 1\ndatetime = 2\ntotal = 3\n");
  EXPECT_NE(
      e.find("encoding: \"latin9\" is not allowed (allowed: \"utf-8\", \"windows-1252\", \"iso-8859-1\")"),
      std::string::npos)
      << e;

  e = errors_of(
      head +
      "[source.csv]\nheader = false\n[source.columns]\nsale_id = \"Cupom\"\ndatetime = 2\ntotal = 3\n");
  EXPECT_NE(e.find("sale_id: names the column \"Cupom\" but the file has no header line"), std::string::npos)
      << e;

  e = errors_of(head + "[source.columns]\ndatetime = 2\n");
  EXPECT_NE(e.find("sale_id: is required"), std::string::npos) << e;
  EXPECT_NE(e.find("total: is required"), std::string::npos) << e;

  e = errors_of(head + "[source.columns]\nsale_id = 1\ndatetime = 2\ndate = 3\ntotal = 4\n");
  EXPECT_NE(e.find("give either datetime"), std::string::npos) << e;

  e = errors_of(head + "[source.columns]\nsale_id = 0\ndatetime = 2.5\ntotal = 3\nitem_name = 4\n");
  EXPECT_NE(e.find("sale_id: 0 is not a column position"), std::string::npos) << e;
  EXPECT_NE(e.find("datetime: must be a column name (a string) or a column position"), std::string::npos)
      << e;
  EXPECT_NE(e.find("item_price: is required when other item columns are given"), std::string::npos) << e;

  e = errors_of(head +
                "[source.csv]\ndatetime_format = \"%d/%m/%Y\"\n[source.columns]\nsale_id = 1\ndatetime = "
                "2\ntotal = 3\n");
  EXPECT_NE(e.find("datetime_format: \"%d/%m/%Y\" needs hours and minutes"), std::string::npos) << e;

  e = errors_of(head);
  EXPECT_NE(e.find(kSourceFile.string() + ":3: [[source]] #1 columns: [source.columns] is missing"),
            std::string::npos)
      << e;
}

TEST(SourceOptions, TablesOfAnotherKindAreRefused) {
  auto e = errors_of("kind = \"jsonl\"\npath = \"s.jsonl\"\n[source.csv]\ndelimiter = \";\"\n");
  EXPECT_NE(e.find("[source.csv] of [[source]] #1 only applies to kind = \"csv\""), std::string::npos) << e;
  e = errors_of(
      "kind = \"csv\"\npath = \"v.csv\"\nnfe = 3\n[source.columns]\nsale_id = 1\ndatetime = 2\ntotal = 3\n");
  EXPECT_NE(e.find("must be a table"), std::string::npos) << e;
}

TEST(SourceOptions, NfeFolderOptions) {
  auto c = parse_with_source("kind = \"nfe\"\npath = \"nfe\"\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sources[0].kind, SourceKind::nfe);
  EXPECT_EQ(c->sources[0].path, "/etc/regua/nfe");
  EXPECT_TRUE(c->sources[0].nfe.processed_dir.empty());
  EXPECT_EQ(c->sources[0].nfe.settle_ms, 2000);

  c = parse_with_source(
      "kind = \"nfe\"\npath = \"nfe\"\n[source.nfe]\nprocessed_dir = \"nfe/lidos\"\nsettle_ms = 500\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sources[0].nfe.processed_dir, "/etc/regua/nfe/lidos");
  EXPECT_EQ(c->sources[0].nfe.settle_ms, 500);

  auto e = errors_of("kind = \"nfe\"\npath = \"nfe\"\n[source.nfe]\nsettle_ms = -1\nmove_to = \"x\"\n");
  EXPECT_NE(e.find("settle_ms: -1 is out of range"), std::string::npos) << e;
  EXPECT_NE(e.find("has an unknown key \"move_to\""), std::string::npos) << e;

  e = errors_of("kind = \"xml\"\npath = \"nfe\"\n");
  EXPECT_NE(e.find("\"xml\" is not allowed (allowed: \"jsonl\", \"csv\", \"nfe\")"), std::string::npos) << e;
}

}  // namespace
}  // namespace regua
