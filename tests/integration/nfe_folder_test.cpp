// The fiscal XML folder source under the real agent: documents dropped while it runs, a restart,
// more documents (some already seen), processed files moved, a file written slowly in pieces.

#include <gtest/gtest.h>

#include "local/ledger/ledger.hpp"
#include "tests/support/agent_store.hpp"
#include "tests/support/fiscal_documents.hpp"

namespace regua {
namespace {

namespace fs = std::filesystem;

// A store whose POS drops its fiscal XML into nfe/, read files going to nfe/lidos.
class NfeStore {
 public:
  NfeStore() {
    test::write_file(store.config, R"([store]
id = "centro"
[ledger]
path = "ledger.db"
[http]
enabled = false
[[source]]
name = "nfe"
kind = "nfe"
path = "nfe"
poll_interval_ms = 200
[source.nfe]
processed_dir = "nfe/lidos"
settle_ms = 1500
)");
    fs::create_directories(folder);
  }

  // Writes a document whole, as a POS writing to a temporary name and renaming it would.
  void drop(const std::string& name, const std::string& bytes) const {
    test::write_file(store.dir / ("." + name + ".tmp"), bytes);
    fs::rename(store.dir / ("." + name + ".tmp"), folder / name);
  }
  void drop_sample(const std::string& sample) const {
    drop(sample, test::read_file(test::kNfeSamples / sample));
  }

  std::int64_t query(std::string_view sql) const { return store.ledger_int(sql); }

  bool wait_for(std::string_view sql, std::int64_t n) const {
    for (int i = 0; i < 600; ++i) {
      if (query(sql) >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Until the folder holds nothing but the processed folder.
  bool wait_until_moved() const {
    for (int i = 0; i < 600; ++i) {
      if (left_in_folder().empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::vector<std::string> left_in_folder() const {
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(folder)) {
      if (e.path() != done) left.push_back(e.path().filename().string());
    }
    return left;
  }

  test::AgentStore store;
  fs::path folder = store.dir / "nfe";
  fs::path done = folder / "lidos";
};

TEST(NfeFolder, EachDocumentOnceAcrossRestartsAndMovedWhenRead) {
  NfeStore s;
  auto agent = s.store.start_agent();
  s.drop_sample("sped-nfe_2017signed.xml");
  s.drop_sample("sped-nfe_nfce.xml");
  s.drop_sample("wmixvideo-nfe_enviaEventoCartaCorrecao.xml");
  ASSERT_TRUE(s.wait_for("SELECT count(*) FROM processed_files", 3))
      << test::read_file(s.store.dir / "agent.log");
  ASSERT_TRUE(s.store.wait_caught_up());
  EXPECT_EQ(s.query("SELECT count(*) FROM sales"), 2);
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);

  // While the agent is down the POS writes more: the same notes again (authorised, in a batch), a
  // new one, and the cancellation of one of them.
  s.drop_sample("sped-nfe_2017protocoled.xml");
  s.drop_sample("sped-nfe_nfe_4.0.xml");
  s.drop("cancelamento.xml", test::cancellation(7));
  agent = s.store.start_agent();
  s.drop("nota-7.xml", test::nfce(7, 1990, "52998224725"));
  s.drop_sample("sped-nfe_nfce.xml");  // the very same file again
  ASSERT_TRUE(s.wait_for("SELECT count(*) FROM sales WHERE cancelled_at IS NOT NULL", 1))
      << test::read_file(s.store.dir / "agent.log");
  ASSERT_TRUE(s.store.wait_caught_up());
  ASSERT_TRUE(s.wait_until_moved());
  agent->signal(SIGINT);
  EXPECT_EQ(agent->wait(), 0);

  EXPECT_EQ(s.query("SELECT count(*) FROM sales"), 4);
  EXPECT_EQ(s.query("SELECT count(DISTINCT pos_id) FROM sales"), 4);
  EXPECT_EQ(s.query("SELECT total_cents FROM sales WHERE pos_id = '" + test::access_key(7) + "'"), 1990);
  EXPECT_EQ(s.query("SELECT count(*) FROM quarantine"), 0);
  EXPECT_TRUE(s.left_in_folder().empty()) << "every file was moved to nfe/lidos";
  EXPECT_TRUE(fs::exists(s.done / "sped-nfe_2017signed.xml"));
  EXPECT_TRUE(fs::exists(s.done / "nota-7.xml"));
  EXPECT_TRUE(fs::exists(s.done / "sped-nfe_nfce.xml"));
  EXPECT_EQ(s.store.status()["sources"][0]["state"], "up to date");
}

TEST(NfeFolder, AFileWrittenSlowlyInPiecesIsReadOnceWhole) {
  NfeStore s;
  auto agent = s.store.start_agent();
  const std::string note = test::nfce(42, 5000, "52998224725");
  const fs::path file = s.folder / "nota-42.xml";
  // The POS writes the note into its final name in pieces, pausing between them (well under the
  // settle time of 1.5 s).
  for (std::size_t at = 0; at < note.size(); at += 97) {
    test::append_file(file, note.substr(at, 97));
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  ASSERT_TRUE(s.wait_for("SELECT count(*) FROM sales", 1)) << test::read_file(s.store.dir / "agent.log");
  ASSERT_TRUE(s.store.wait_caught_up());
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  EXPECT_EQ(s.query("SELECT count(*) FROM quarantine"), 0) << "never read half-way";
  EXPECT_EQ(s.query("SELECT total_cents FROM sales"), 5000);
  EXPECT_EQ(s.query("SELECT count(*) FROM processed_files"), 1);
}

TEST(NfeFolder, AMalformedDocumentIsQuarantinedAndTheRestFlows) {
  NfeStore s;
  auto agent = s.store.start_agent();
  const auto whole = test::nfce(1, 1000);
  s.drop("cortada.xml", whole.substr(0, whole.size() / 2));
  s.drop("nota-2.xml", test::nfce(2, 2000));
  ASSERT_TRUE(s.wait_for("SELECT count(*) FROM processed_files", 2))
      << test::read_file(s.store.dir / "agent.log");
  ASSERT_TRUE(s.store.wait_caught_up());
  const auto status = s.store.status();
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  EXPECT_EQ(s.query("SELECT count(*) FROM sales"), 1);
  ASSERT_EQ(status["recent_quarantine"].size(), 1U);
  const auto& q = status["recent_quarantine"][0];
  EXPECT_EQ(q["source"], "nfe");
  EXPECT_EQ(q["file"], (s.folder / "cortada.xml").string());
  EXPECT_GT(q["line"].get<int>(), 1);
  EXPECT_NE(q["reason"].get<std::string>().find("not well-formed XML"), std::string::npos) << q["reason"];
}

}  // namespace
}  // namespace regua
