// `regua-agent import` of CSV and fiscal XML, chosen by extension or by --format/--source, and the
// CSV source followed by the running agent.

#include <gtest/gtest.h>

#include "local/ledger/ledger.hpp"
#include "tests/support/agent_store.hpp"
#include "tests/support/fiscal_documents.hpp"

namespace regua {
namespace {

namespace fs = std::filesystem;
using test::run_command;

constexpr std::string_view kConfig = R"([store]
id = "centro"
[ledger]
path = "ledger.db"
[http]
enabled = false
[[source]]
name = "caixa"
kind = "csv"
path = "pos/vendas.csv"
poll_interval_ms = 200
[source.csv]
delimiter = ";"
encoding = "windows-1252"
decimal_separator = ","
thousands_separator = "."
datetime_format = "%d/%m/%Y %H:%M"
[source.columns]
sale_id = "Cupom"
datetime = "Data"
total = "Valor"
customer_id = "Cliente"
customer_name = "Nome"
[[source]]
name = "nfe"
kind = "nfe"
path = "nfe"
)";

// Windows-1252 bytes: ç = E7, ã = E3, é = E9, º = BA.
const std::string kCsv =
    "Cupom;Data;Valor;Cliente;Nome\r\n"
    "1001;01/03/2026 14:05;1.299,90;C-1;Concei\xE7\xE3o\r\n"
    "1002;01/03/2026 15:10;10,00;;\r\n"
    "1003;31/02/2026 15:10;10,00;C-2;Jos\xE9\r\n"
    "1004;02/03/2026 09:00;5,5;C-2;Jos\xE9 n\xBA 2\r\n";

std::string text(const test::AgentStore& store, std::string_view sql) {
  ManualClock clock(Seconds{});
  auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", true, false}, clock);
  if (!ledger.ok()) return "";
  auto stmt = ledger->db().prepare(sql);
  if (!stmt.ok() || !*stmt->step()) return "";
  return std::string(stmt->text(0));
}

class ConnectorsCli : public ::testing::Test {
 protected:
  void SetUp() override { test::write_file(store.config, kConfig); }
  test::AgentStore store;
};

TEST_F(ConnectorsCli, ImportsAWindows1252CsvExactlyAndOnlyOnce) {
  test::write_file(store.dir / "historico.csv", kCsv);
  auto first = run_command(store.command({"import", (store.dir / "historico.csv").string()}));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("3 sale(s) added, 0 already in the ledger"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("1 line(s) quarantined, 0 already quarantined"), std::string::npos) << first.out;
  EXPECT_NE(first.err.find("import historico.csv: 100%"), std::string::npos) << first.err;

  auto again = run_command(store.command({"import", (store.dir / "historico.csv").string()}));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 sale(s) added, 3 already in the ledger"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("0 line(s) quarantined, 1 already quarantined"), std::string::npos) << again.out;

  EXPECT_EQ(store.ledger_int("SELECT total_cents FROM sales WHERE pos_id = '1001'"), 129990);
  EXPECT_EQ(store.ledger_int("SELECT total_cents FROM sales WHERE pos_id = '1004'"), 550);
  EXPECT_EQ(text(store, "SELECT datetime(sold_at, 'unixepoch') FROM sales WHERE pos_id = '1001'"),
            "2026-03-01 17:05:00");
  EXPECT_EQ(store.ledger_int("SELECT count(*) FROM sales WHERE pos_id = '1002' AND customer_id IS NULL"), 1);
  EXPECT_EQ(
      text(store,
           "SELECT name FROM customers WHERE id = (SELECT customer_id FROM sales WHERE pos_id = '1001')"),
      "Conceição");
  EXPECT_EQ(store.ledger_int("SELECT line FROM quarantine"), 4);
  EXPECT_NE(text(store, "SELECT reason FROM quarantine").find("column 2 (\"Data\", the date and time)"),
            std::string::npos)
      << text(store, "SELECT reason FROM quarantine");
}

TEST_F(ConnectorsCli, ImportsAFolderOfFiscalXmlAndImportingAgainAddsNothing) {
  auto first = run_command(store.command({"import", test::kNfeSamples.string()}));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // 20 files: 15 notes with 8 distinct keys, 1 cancellation, 2 events that are not cancellations and
  // 2 incoming notes.
  EXPECT_NE(first.out.find(
                "20 file(s), 20 document(s): 8 sale(s) added, 7 already in the ledger; 1 cancellation(s)"),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("4 ignored"), std::string::npos) << first.out;
  EXPECT_NE(first.err.find("documents"), std::string::npos) << first.err;

  auto again = run_command(store.command({"import", test::kNfeSamples.string()}));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 sale(s) added, 15 already in the ledger"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("0 quarantined, 0 already quarantined"), std::string::npos) << again.out;

  // One file, by its extension.
  auto one = run_command(store.command({"import", (test::kNfeSamples / "sped-nfe_nfce.xml").string()}));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("1 file(s), 1 document(s): 0 sale(s) added, 1 already in the ledger"),
            std::string::npos)
      << one.out;

  const auto s = store.status();
  EXPECT_EQ(s["sales"], 8);
  EXPECT_EQ(s["pending_cancels"], 1) << "the sample cancels a note that is not among the samples";
  EXPECT_EQ(s["quarantined"], 0);
  EXPECT_EQ(s["anonymous_sales"], 1)
      << "29181033657677000156650010001654399001654399, the NFC-e without dest";
}

TEST_F(ConnectorsCli, ABrokenFiscalFileIsQuarantinedOnceWhateverItsName) {
  const auto whole = test::read_file(test::kNfeSamples / "sped-nfe_nfe_4.0.xml");
  test::write_file(store.dir / "a" / "cortada.xml", whole.substr(0, 3000));
  test::write_file(store.dir / "b" / "outra.xml", whole.substr(0, 3000));
  auto r = run_command(
      store.command({"import", (store.dir / "a").string(), (store.dir / "b" / "outra.xml").string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 quarantined, 0 already quarantined"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 quarantined, 1 already quarantined"), std::string::npos) << r.out;
  EXPECT_EQ(store.ledger_int("SELECT count(*) FROM quarantine"), 1);
}

TEST_F(ConnectorsCli, TheFormatComesFromTheExtensionFormatOrSource) {
  test::write_file(store.dir / "vendas.txt", kCsv);
  auto r = run_command(store.command({"import", (store.dir / "vendas.txt").string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(".csv is CSV, .xml is fiscal XML): pass --format jsonl, csv or nfe"),
            std::string::npos)
      << r.err;

  r = run_command(store.command({"import", "--format", "csv", (store.dir / "vendas.txt").string()}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 sale(s) added"), std::string::npos) << r.out;

  r = run_command(store.command({"import", "--source", "caixa", (store.dir / "vendas.txt").string()}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0 sale(s) added, 3 already in the ledger"), std::string::npos) << r.out;

  r = run_command(store.command({"import", "--source", "loja", (store.dir / "vendas.txt").string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--source \"loja\" is not a [[source]] name of the configuration (its sources: "
                       "\"caixa\", \"nfe\")"),
            std::string::npos)
      << r.err;

  r = run_command(
      store.command({"import", "--source", "caixa", "--format", "nfe", (store.dir / "vendas.txt").string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("contradicts"), std::string::npos) << r.err;

  r = run_command(store.command({"import", store.dir.path().string(), "--format", "csv"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is a folder: only folders of fiscal XML"), std::string::npos) << r.err;

  // Without a csv source the columns are unknown.
  test::write_file(store.config,
                   "[store]\nid = \"centro\"\n[[source]]\nkind = \"jsonl\"\npath = \"s.jsonl\"\n");
  r = run_command(store.command({"import", (store.dir / "vendas.txt").string(), "--format", "csv"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("importing CSV needs its columns"), std::string::npos) << r.err;
}

TEST_F(ConnectorsCli, TheRunningAgentFollowsTheCsvThroughARotation) {
  auto agent = store.start_agent();
  const fs::path file = store.dir / "pos" / "vendas.csv";
  test::write_file(file, kCsv);
  for (int i = 0; i < 300 && store.ledger_int("SELECT count(*) FROM sales") < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(store.ledger_int("SELECT count(*) FROM sales"), 3) << test::read_file(store.dir / "agent.log");

  test::append_file(file, "1005;02/03/2026 10:00;1,00;;\r\n");
  fs::rename(file, store.dir / "pos" / "vendas.csv.1");
  test::write_file(file, "Cupom;Data;Valor;Cliente;Nome\r\n1006;02/03/2026 11:00;2,00;C-3;Ana\r\n");
  for (int i = 0; i < 300 && store.ledger_int("SELECT count(*) FROM sales") < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  EXPECT_EQ(store.ledger_int("SELECT count(*) FROM sales"), 5) << test::read_file(store.dir / "agent.log");
  EXPECT_EQ(store.ledger_int("SELECT count(*) FROM quarantine"), 1)
      << "the bad date only; no header as a row";
}

}  // namespace
}  // namespace regua
