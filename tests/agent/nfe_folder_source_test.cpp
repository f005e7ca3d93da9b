// The fiscal XML folder source on a real ledger and real files, restarted at will like the agent:
// each document once, files being written left alone, processed files moved after the commit.

#include "agent/run/nfe_folder_source.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include "tests/support/fiscal_documents.hpp"
#include "tests/support/ledger_fixture.hpp"
#include "tests/support/phones.hpp"

namespace regua {
namespace {

namespace fs = std::filesystem;

class NfeFolderTest : public test::LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    store.id = "centro";
    store.zone = date::locate_zone("America/Sao_Paulo");
    auto in = Ingestor::create(*ledger, test::brazilian_phones());
    ASSERT_TRUE(in.ok());
    ingestor.emplace(std::move(*in));
    fs::create_directories(folder);
  }

  // A source as a freshly started agent makes it. A long settle time: only files whose
  // modification time the test moved back have settled.
  std::unique_ptr<NfeFolderSource> source(const fs::path& processed_dir = {}) {
    SourceConfig config;
    config.name = "nfe";
    config.kind = SourceKind::nfe;
    config.path = folder;
    config.nfe.processed_dir = processed_dir;
    config.nfe.settle_ms = 60'000;
    return std::make_unique<NfeFolderSource>(config, store, *ledger);
  }

  void pump(Source& s) {
    for (int i = 0; i < 100; ++i) {
      auto more = s.pump(*ingestor);
      ASSERT_TRUE(more.ok()) << more.error().message;
      if (!*more) return;
    }
    FAIL() << "the source never caught up";
  }

  static void make_old(const fs::path& p) {
    fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::minutes(10));
  }

  fs::path drop_sample(const std::string& sample, const std::string& as = "") {
    const fs::path to = folder / (as.empty() ? sample : as);
    fs::copy_file(test::kNfeSamples / sample, to, fs::copy_options::overwrite_existing);
    make_old(to);
    return to;
  }

  std::int64_t sales() { return count("SELECT count(*) FROM sales"); }
  std::int64_t quarantined() { return count("SELECT count(*) FROM quarantine"); }
  std::int64_t processed() { return count("SELECT count(*) FROM processed_files"); }

  StoreConfig store;
  std::optional<Ingestor> ingestor;
  fs::path folder = dir / "nfe";
};

TEST_F(NfeFolderTest, EachDocumentOnceAcrossRestartsAndCopies) {
  drop_sample("sped-nfe_2017signed.xml");
  drop_sample("sped-nfe_2017protocoled.xml");  // the same note, authorised
  drop_sample("sped-nfe_nfce.xml");
  auto s = source();
  pump(*s);
  EXPECT_EQ(sales(), 2);
  EXPECT_EQ(processed(), 3);
  EXPECT_TRUE(s->caught_up());

  s = source();  // a restart: the files are still there
  pump(*s);
  EXPECT_EQ(sales(), 2);
  EXPECT_EQ(processed(), 3);
  EXPECT_EQ(quarantined(), 0);

  drop_sample("sped-nfe_nfe_layout4.xml");
  drop_sample("sped-nfe_nfce.xml", "copia-da-nfce.xml");  // the same bytes under another name
  s->changed();
  pump(*s);
  EXPECT_EQ(sales(), 3);
  EXPECT_EQ(processed(), 4) << "a copy is recognised by its content and not recorded again";
  EXPECT_EQ(count("SELECT count(*) FROM sale_items"), 1 + 4 + 1);

  s = source();
  pump(*s);
  EXPECT_EQ(sales(), 3);
  EXPECT_EQ(
      count("SELECT total_cents FROM sales WHERE pos_id = '41200323285089000185650010000013051817822496'"),
      3000);
}

TEST_F(NfeFolderTest, ProcessedFilesAreMovedAfterTheCommitAlsoAfterACrashBetweenTheTwo) {
  const fs::path done = dir / "lidos";
  drop_sample("sped-nfe_NFe.xml");
  drop_sample("sped-nfe_nfe_4.0.xml");
  // A run whose move never happened: the files were committed but are still in the folder (this is
  // also what a crash between the commit and the move leaves).
  pump(*source());
  ASSERT_EQ(sales(), 2);
  ASSERT_TRUE(fs::exists(folder / "sped-nfe_NFe.xml"));

  // Another file of the same name is already in the processed folder.
  test::write_file(done / "sped-nfe_NFe.xml", "<other/>");
  auto s = source(done);
  pump(*s);
  EXPECT_EQ(sales(), 2) << "moved, not read again";
  EXPECT_EQ(processed(), 2);
  EXPECT_FALSE(fs::exists(folder / "sped-nfe_NFe.xml"));
  EXPECT_FALSE(fs::exists(folder / "sped-nfe_nfe_4.0.xml"));
  EXPECT_TRUE(fs::exists(done / "sped-nfe_nfe_4.0.xml"));
  EXPECT_EQ(test::read_file(done / "sped-nfe_NFe.xml"), "<other/>") << "never overwritten";
  EXPECT_EQ(test::read_file(done / "sped-nfe_NFe.1.xml"),
            test::read_file(test::kNfeSamples / "sped-nfe_NFe.xml"));

  drop_sample("sped-nfe_nfce.xml");
  s->changed();
  pump(*s);
  EXPECT_EQ(sales(), 3);
  EXPECT_TRUE(fs::exists(done / "sped-nfe_nfce.xml"));
  EXPECT_TRUE(fs::is_empty(folder));
}

TEST_F(NfeFolderTest, AFileWrittenInPiecesIsNotReadHalfWay) {
  const auto whole = test::read_file(test::kNfeSamples / "sped-nfe_nfce.xml");
  const fs::path file = folder / "nfce.xml";
  test::write_file(file, whole.substr(0, whole.size() / 3));
  auto s = source();
  pump(*s);
  EXPECT_EQ(processed(), 0);
  EXPECT_EQ(quarantined(), 0) << "a file still being written is not malformed";
  EXPECT_FALSE(s->caught_up());

  test::append_file(file, whole.substr(whole.size() / 3, whole.size() / 3));
  s->changed();
  pump(*s);
  EXPECT_EQ(processed(), 0);

  test::append_file(file, whole.substr(2 * (whole.size() / 3)));
  s->changed();
  pump(*s);
  EXPECT_EQ(processed(), 0) << "written just now: not settled yet";

  make_old(file);  // the POS has not touched it for the settle time
  pump(*s);
  EXPECT_EQ(sales(), 1);
  EXPECT_EQ(quarantined(), 0);
  EXPECT_TRUE(s->caught_up());
}

TEST_F(NfeFolderTest, AFileThatStaysMalformedIsQuarantinedOnceWithWhereAndWhy) {
  const auto whole = test::read_file(test::kNfeSamples / "sped-nfe_nfe_4.0.xml");
  const fs::path file = folder / "cortado.xml";
  test::write_file(file, whole.substr(0, whole.size() / 2));
  make_old(file);
  pump(*source());
  ASSERT_EQ(quarantined(), 1);
  EXPECT_EQ(sales(), 0);
  const auto reason = [&] {
    auto stmt = ledger->db().prepare("SELECT file, line, reason FROM quarantine");
    EXPECT_TRUE(*stmt->step());
    EXPECT_EQ(stmt->text(0), file.string());
    EXPECT_GT(stmt->int64(1), 1);
    return std::string(stmt->text(2));
  }();
  EXPECT_NE(reason.find("not well-formed XML"), std::string::npos) << reason;
  EXPECT_NE(reason.find("cut short"), std::string::npos) << reason;

  pump(*source());  // a restart
  EXPECT_EQ(quarantined(), 1);

  // The POS writes it again, whole: new content, read.
  test::write_file(file, whole);
  make_old(file);
  auto s = source();
  pump(*s);
  EXPECT_EQ(sales(), 1);
  EXPECT_EQ(quarantined(), 1);
}

TEST_F(NfeFolderTest, ACancellationBeforeItsNoteIsKeptAndAppliedWhenTheNoteComes) {
  const std::string key = "41200323285089000185650010000013051817822496";
  test::write_file(folder / "cancelamento.xml",
                   "<procEventoNFe xmlns=\"http://www.portalfiscal.inf.br/nfe\"><evento><infEvento><chNFe>" +
                       key +
                       "</chNFe><dhEvento>2020-03-11T16:00:00-03:00</dhEvento><tpEvento>110111</tpEvento>"
                       "</infEvento></evento><retEvento><infEvento><cStat>135</cStat></infEvento></retEvento>"
                       "</procEventoNFe>");
  make_old(folder / "cancelamento.xml");
  drop_sample("wmixvideo-nfe_enviaEventoCartaCorrecao.xml");
  auto s = source();
  pump(*s);
  EXPECT_EQ(count("SELECT count(*) FROM cancellations"), 1);
  EXPECT_EQ(processed(), 2);

  drop_sample("sped-nfe_nfce.xml");
  s->changed();
  pump(*s);
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE pos_id = '" + key + "' AND cancelled_at IS NOT NULL"), 1);
  EXPECT_EQ(count("SELECT ignored FROM processed_files WHERE file LIKE '%CartaCorrecao.xml'"), 1);
}

TEST_F(NfeFolderTest, OtherFilesInTheFolderAreLeftAlone) {
  test::write_file(folder / "leia-me.txt", "not a note");
  test::write_file(folder / ".nfce.xml.part", "<NFe>");
  make_old(folder / ".nfce.xml.part");
  fs::create_directories(folder / "sub.xml");
  auto s = source();
  pump(*s);
  EXPECT_EQ(processed(), 0);
  EXPECT_EQ(quarantined(), 0);
  EXPECT_TRUE(s->caught_up());
}

}  // namespace
}  // namespace regua
