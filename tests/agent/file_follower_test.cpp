#include "agent/connectors/file_follower.hpp"

#include <set>

#include <date/tz.h>
#include <gtest/gtest.h>

#include "agent/connectors/chunk_ingest.hpp"
#include "agent/connectors/jsonl_decoder.hpp"
#include "local/ledger/ingest.hpp"
#include "tests/support/ledger_fixture.hpp"
#include "tests/support/phones.hpp"

namespace regua {
namespace {

namespace fs = std::filesystem;

std::string sale_line(int n) {
  return R"({"type":"sale","id":"S-)" + std::to_string(n) +
         R"(","ts":"2026-03-01T14:05:00-03:00","total":"10.00"})";
}

// A real ledger and a follower over a real file, restarted at will like the agent.
class FollowerTest : public test::LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    store.id = "centro";
    store.zone = date::locate_zone("America/Sao_Paulo");
    decoder = std::make_unique<JsonlDecoder>(store, clock);
    auto in = Ingestor::create(*ledger, test::brazilian_phones());
    ASSERT_TRUE(in.ok());
    ingestor.emplace(std::move(*in));
    fs::create_directories(folder);
    restart();
  }

  // A new follower from the committed checkpoint: what a restarted agent does.
  void restart() {
    auto cp = load_checkpoint(ledger->db(), "pdv");
    ASSERT_TRUE(cp.ok());
    follower = std::make_unique<FileFollower>("pdv", file, *cp);
  }

  void pump() {
    for (int i = 0; i < 100; ++i) {
      BatchedIngest batch(*ingestor, *decoder, "pdv", refused);
      auto more = follower->poll([&](const LineChunk& c) { return batch(c); }, 1 << 20);
      ASSERT_TRUE(more.ok()) << more.error().message;
      ASSERT_TRUE(batch.commit().ok());
      if (!*more) return;
    }
  }

  void write_sales(const fs::path& where, int from, int to) {
    std::string text;
    for (int n = from; n <= to; ++n)
      text += sale_line(n) + "\n";
    test::append_file(where, text);
  }

  // Files that stopped changing a while ago, as after a real rotation.
  static void make_old(const fs::path& p) {
    fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::minutes(1));
  }

  std::set<std::string> sales() {
    std::set<std::string> out;
    auto stmt = ledger->db().prepare("SELECT pos_id FROM sales");
    while (*stmt->step())
      out.emplace(stmt->text(0));
    return out;
  }

  static std::set<std::string> ids(int from, int to) {
    std::set<std::string> out;
    for (int n = from; n <= to; ++n)
      out.insert("S-" + std::to_string(n));
    return out;
  }

  StoreConfig store;
  std::unique_ptr<JsonlDecoder> decoder;
  std::optional<Ingestor> ingestor;
  std::unique_ptr<FileFollower> follower;
  RefusedLines refused;
  fs::path folder = dir / "pos";
  fs::path file = folder / "sales.jsonl";
};

TEST_F(FollowerTest, WaitsForTheFileThenReadsIt) {
  pump();
  EXPECT_TRUE(sales().empty());
  write_sales(file, 1, 3);
  pump();
  EXPECT_EQ(sales(), ids(1, 3));
  EXPECT_TRUE(follower->caught_up());
}

TEST_F(FollowerTest, APartialLineWaitsForItsEndOfLine) {
  const std::string line = sale_line(1);
  test::append_file(file, line.substr(0, 20));
  pump();
  EXPECT_TRUE(sales().empty());
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0) << "half a line is not a bad line";
  test::append_file(file, line.substr(20) + "\n");
  pump();
  EXPECT_EQ(sales(), ids(1, 1));
  EXPECT_EQ(follower->position().line, 1);
  EXPECT_EQ(follower->position().byte_offset, static_cast<std::int64_t>(line.size() + 1));
}

TEST_F(FollowerTest, ARestartResumesAfterTheLastCommittedLine) {
  write_sales(file, 1, 5);
  test::append_file(file, "not json\n");
  pump();
  restart();
  write_sales(file, 6, 8);
  pump();
  EXPECT_EQ(sales(), ids(1, 8));
  EXPECT_EQ(ingestor->committed().sales_replayed, 0) << "nothing was read twice";
  EXPECT_EQ(ingestor->committed().quarantine_replayed, 0);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(count("SELECT line FROM quarantine"), 6);
}

TEST_F(FollowerTest, RenameAndCreateWhileFollowingReadsTheRestOfTheOldFileFirst) {
  write_sales(file, 1, 3);
  pump();
  write_sales(file, 4, 6);  // written just before the rotation, not read yet
  fs::rename(file, folder / "sales.jsonl.1");
  write_sales(file, 7, 9);
  pump();
  EXPECT_EQ(sales(), ids(1, 6)) << "the old file is finished before the new one is read";
  make_old(folder / "sales.jsonl.1");
  pump();
  EXPECT_EQ(sales(), ids(1, 9));
  EXPECT_EQ(ingestor->committed().sales_replayed, 0);
  EXPECT_TRUE(follower->caught_up());
  EXPECT_GT(*ledger->db().query_int("SELECT max(sold_at) FROM sales"), 0);
  EXPECT_LT(*ledger->db().query_int("SELECT max(id) FROM sales WHERE pos_id = 'S-6'"),
            *ledger->db().query_int("SELECT min(id) FROM sales WHERE pos_id = 'S-7'"))
      << "lines keep their order across the rotation";
}

TEST_F(FollowerTest, RotationWhileStoppedIsFoundByIdentity) {
  write_sales(file, 1, 3);
  pump();
  follower.reset();  // the agent stops
  write_sales(file, 4, 6);
  fs::rename(file, folder / "sales-2026-03-01.jsonl");
  write_sales(file, 7, 9);
  make_old(folder / "sales-2026-03-01.jsonl");
  restart();
  pump();
  EXPECT_EQ(sales(), ids(1, 9));
  EXPECT_EQ(ingestor->committed().sales_replayed, 0);
}

TEST_F(FollowerTest, AFileOpenedButNotYetReadIsFoundByIdentityAfterARotation) {
  test::write_file(file, "");  // the POS has not sold yet when the agent starts
  pump();
  follower.reset();  // stopped before its first sale
  write_sales(file, 1, 3);
  fs::rename(file, folder / "sales-2026-03-01.jsonl");
  write_sales(file, 4, 6);
  make_old(folder / "sales-2026-03-01.jsonl");
  restart();
  pump();
  EXPECT_EQ(sales(), ids(1, 6));
  EXPECT_EQ(ingestor->committed().sales_replayed, 0);
}

TEST_F(FollowerTest, RotationWhileStoppedIsFoundByFingerprintWhenCopied) {
  write_sales(file, 1, 3);
  pump();
  follower.reset();
  write_sales(file, 4, 6);
  fs::copy_file(file, folder / "archive.jsonl");  // a copy has another inode: only its content tells
  fs::remove(file);
  write_sales(file, 7, 9);
  make_old(folder / "archive.jsonl");
  restart();
  pump();
  EXPECT_EQ(sales(), ids(1, 9));
  EXPECT_EQ(ingestor->committed().sales_replayed, 0);
}

TEST_F(FollowerTest, AFileReplacedWhileStoppedWithoutItsPredecessorIsReadFromItsStart) {
  write_sales(file, 1, 3);
  pump();
  follower.reset();
  fs::remove(file);
  write_sales(file, 10, 12);
  restart();
  pump();
  EXPECT_EQ(sales(), (std::set<std::string>{"S-1", "S-2", "S-3", "S-10", "S-11", "S-12"}));
}

TEST_F(FollowerTest, CopyTruncateWhileFollowingReadsTheRestFromTheCopy) {
  write_sales(file, 1, 3);
  pump();
  write_sales(file, 4, 6);  // not read before the rotation
  fs::copy_file(file, folder / "sales.jsonl.1");
  fs::resize_file(file, 0);
  write_sales(file, 7, 9);
  make_old(folder / "sales.jsonl.1");
  pump();
  pump();
  EXPECT_EQ(sales(), ids(1, 9));
  EXPECT_EQ(ingestor->committed().sales_replayed, 0);
  EXPECT_TRUE(follower->caught_up());
}

TEST_F(FollowerTest, CopyTruncateWhileStopped) {
  write_sales(file, 1, 3);
  pump();
  follower.reset();
  write_sales(file, 4, 6);
  fs::copy_file(file, folder / "sales.jsonl.1");
  fs::resize_file(file, 0);
  write_sales(file, 7, 20);  // longer than before: only its first bytes tell it is new
  make_old(folder / "sales.jsonl.1");
  restart();
  pump();
  pump();
  EXPECT_EQ(sales(), ids(1, 20));
  EXPECT_EQ(ingestor->committed().sales_replayed, 0);
}

TEST_F(FollowerTest, TruncationWithoutACopyStartsOver) {
  write_sales(file, 1, 3);
  pump();
  fs::resize_file(file, 0);
  write_sales(file, 4, 5);
  pump();
  EXPECT_EQ(sales(), ids(1, 5));
}

TEST_F(FollowerTest, TheUnterminatedLastLineOfARotatedFileCountsOnceTheFileIsQuiet) {
  test::append_file(file, sale_line(1) + "\n" + sale_line(2));  // no end of line after S-2
  pump();
  EXPECT_EQ(sales(), ids(1, 1));
  fs::rename(file, folder / "sales.jsonl.1");
  write_sales(file, 3, 3);
  pump();
  EXPECT_EQ(sales(), ids(1, 1)) << "the old file may still be being written";
  make_old(folder / "sales.jsonl.1");
  pump();
  EXPECT_EQ(sales(), ids(1, 3));
}

TEST_F(FollowerTest, AnOversizedLineIsQuarantinedAndTheNextLinesFlow) {
  std::string big(ChunkReader::kBlockBytes + 100, 'x');
  test::append_file(file, sale_line(1) + "\n" + big + "\n" + sale_line(2) + "\n");
  pump();
  EXPECT_EQ(sales(), ids(1, 2));
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(count("SELECT line FROM quarantine"), 2);
  EXPECT_EQ(count("SELECT length(raw) FROM quarantine"),
            static_cast<std::int64_t>(ChunkReader::kOversizedKeep));
  auto reason = ledger->db().prepare("SELECT reason FROM quarantine");
  ASSERT_TRUE(*reason->step());
  EXPECT_NE(reason->text(0).find("more than the 1 MiB"), std::string::npos);
}

TEST_F(FollowerTest, NothingMovesWhenTheLedgerFails) {
  write_sales(file, 1, 3);
  auto failed = follower->poll(
      [](const LineChunk&) -> Status { return make_error(ErrorKind::ledger, "disk full"); }, 1 << 20);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(follower->position().byte_offset, 0);
  pump();
  EXPECT_EQ(sales(), ids(1, 3));
}

TEST_F(FollowerTest, QuarantineRecordsFileLineOffsetRawAndReason) {
  const std::string first = sale_line(1);
  test::append_file(file, "\xEF\xBB\xBF" + first + "\r\n{broken\r\n" + sale_line(2) + "\n");
  pump();
  EXPECT_EQ(sales(), ids(1, 2)) << "a byte-order mark and CRLF ends of line are fine";
  auto q = ledger->db().prepare("SELECT file, line, byte_offset, raw, reason, source FROM quarantine");
  ASSERT_TRUE(*q->step());
  EXPECT_EQ(q->text(0), file.string());
  EXPECT_EQ(q->int64(1), 2);
  EXPECT_EQ(q->int64(2), static_cast<std::int64_t>(3 + first.size() + 2));
  EXPECT_EQ(q->text(3), "{broken");
  EXPECT_NE(q->text(4).find("not valid JSON"), std::string::npos);
  EXPECT_EQ(q->text(5), "pdv");
}

}  // namespace
}  // namespace regua

namespace regua {
namespace {

TEST_F(FollowerTest, AChainOfRotationsWhileBehindIsReadOldestFirst) {
  write_sales(file, 1, 2);
  pump();
  follower.reset();  // the agent is down (or far behind) through two rotations
  write_sales(file, 3, 4);
  fs::rename(file, folder / "sales.jsonl.2");
  write_sales(file, 5, 6);
  fs::rename(file, folder / "sales.jsonl.1");
  write_sales(file, 7, 8);
  test::write_file(folder / "sales-loja2.jsonl", sale_line(99) + "\n");  // another source's file: not ours
  test::write_file(folder / "sales.jsonl.1.gz", "compressed");
  const auto now = fs::file_time_type::clock::now();
  fs::last_write_time(folder / "sales.jsonl.2", now - std::chrono::minutes(3));
  fs::last_write_time(folder / "sales.jsonl.1", now - std::chrono::minutes(2));
  restart();
  pump();
  EXPECT_EQ(sales(), ids(1, 8));
  EXPECT_EQ(ingestor->committed().sales_replayed, 0);
  EXPECT_LT(*ledger->db().query_int("SELECT id FROM sales WHERE pos_id = 'S-4'"),
            *ledger->db().query_int("SELECT id FROM sales WHERE pos_id = 'S-5'"));
  EXPECT_LT(*ledger->db().query_int("SELECT id FROM sales WHERE pos_id = 'S-6'"),
            *ledger->db().query_int("SELECT id FROM sales WHERE pos_id = 'S-7'"));
}

}  // namespace
}  // namespace regua
