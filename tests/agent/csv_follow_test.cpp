// A CSV source followed like the JSON Lines one: a header at the start of every file (also after a
// rotation), rows appended and committed with their checkpoint, restarts in the middle of a file.

#include <date/tz.h>
#include <gtest/gtest.h>

#include "agent/run/tailed_source.hpp"
#include "tests/support/ledger_fixture.hpp"
#include "tests/support/phones.hpp"

namespace regua {
namespace {

namespace fs = std::filesystem;

class CsvFollowTest : public test::LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    store.id = "centro";
    store.zone = date::locate_zone("America/Sao_Paulo");
    auto in = Ingestor::create(*ledger, test::brazilian_phones());
    ASSERT_TRUE(in.ok());
    ingestor.emplace(std::move(*in));
    auto parsed = parse_config(R"([store]
id = "centro"
[[source]]
name = "pdv"
kind = "csv"
path = "pos/vendas.csv"
[source.csv]
delimiter = ";"
encoding = "windows-1252"
decimal_separator = ","
datetime_format = "%d/%m/%Y %H:%M"
[source.columns]
sale_id = "Cupom"
datetime = "Data"
total = "Valor"
customer_name = "Nome"
)",
                               dir / "regua.toml");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    config = parsed->sources[0];
    fs::create_directories(config.path.parent_path());
    restart();
  }

  void restart() {
    source = std::make_unique<TailedSource>(config, make_decoder(config, store, clock), *ledger);
  }

  void pump() {
    for (int i = 0; i < 100; ++i) {
      auto more = source->pump(*ingestor);
      ASSERT_TRUE(more.ok()) << more.error().message;
      if (!*more) return;
    }
  }

  static std::string rows(int from, int to) {
    std::string text;
    for (int n = from; n <= to; ++n)
      text += "C-" + std::to_string(n) + ";01/03/2026 14:05;" + std::to_string(n) + ",50;Jo\xE3o\r\n";
    return text;
  }

  std::int64_t sales() { return count("SELECT count(*) FROM sales"); }

  const std::string header = "Cupom;Data;Valor;Nome\r\n";
  StoreConfig store;
  SourceConfig config;
  std::optional<Ingestor> ingestor;
  std::unique_ptr<TailedSource> source;
};

TEST_F(CsvFollowTest, FollowsRotatesAndResumesWithTheHeaderOfEachFile) {
  test::write_file(config.path, header + rows(1, 10));
  pump();
  EXPECT_EQ(sales(), 10);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);

  test::append_file(config.path, rows(11, 15) + "C-16;01/03/2026 14:05;16,5");  // the last row not finished
  pump();
  EXPECT_EQ(sales(), 15);

  restart();  // the agent restarted in the middle of the file: the header comes from the file
  test::append_file(config.path, "0;Jos\xE9\r\n" + rows(17, 20));
  pump();
  EXPECT_EQ(sales(), 20);
  EXPECT_EQ(count("SELECT total_cents FROM sales WHERE pos_id = 'C-16'"), 1650);

  // Rotation: the old file gets a last row, then a new file starts with its own header.
  test::append_file(config.path, rows(21, 22));
  fs::rename(config.path, config.path.string() + ".1");
  test::write_file(config.path, header + rows(23, 30));
  fs::last_write_time(config.path.string() + ".1",
                      fs::file_time_type::clock::now() - std::chrono::minutes(1));
  pump();
  pump();
  EXPECT_EQ(sales(), 30);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0) << "the new file's header is no row";

  restart();
  pump();
  EXPECT_EQ(sales(), 30) << "nothing twice";
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE pos_id = 'C-23'"), 1);
}

TEST_F(CsvFollowTest, MalformedRowsAreQuarantinedWithTheirLine) {
  test::write_file(config.path, header + rows(1, 2) + "C-3;hoje;1,00;Ana\r\n" + rows(4, 4));
  pump();
  EXPECT_EQ(sales(), 3);
  EXPECT_EQ(count("SELECT line FROM quarantine"), 4);
  auto stmt = ledger->db().prepare("SELECT reason FROM quarantine");
  ASSERT_TRUE(*stmt->step());
  EXPECT_NE(std::string(stmt->text(0)).find("column 2 (\"Data\", the date and time)"), std::string::npos)
      << stmt->text(0);
}

}  // namespace
}  // namespace regua
