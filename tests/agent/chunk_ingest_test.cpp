#include "agent/connectors/chunk_ingest.hpp"

#include <gtest/gtest.h>

#include "agent/connectors/file_import.hpp"
#include "tests/support/ledger_fixture.hpp"
#include "tests/support/phones.hpp"

namespace regua {
namespace {

// Decodes "id:total" lines; lets a test hand the ledger what a real decoder would never let through.
class TinyDecoder final : public LineDecoder {
 public:
  Result<std::optional<Event>> decode(std::string_view line) override {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return make_error(ErrorKind::input, "no colon");
    Sale s;
    s.pos_id = std::string(line.substr(0, colon));
    s.total = std::stoll(std::string(line.substr(colon + 1)));
    return std::optional<Event>{Event{s}};
  }
};

class ChunkIngestTest : public test::LedgerTest {
 protected:
  Status ingest(std::string_view data, std::optional<FileCheckpoint> after = std::nullopt) {
    auto in = Ingestor::create(*ledger, test::brazilian_phones());
    EXPECT_TRUE(in.ok());
    ingestor.emplace(std::move(*in));
    padded = std::string(data) + std::string(kLinePadding, '\0');
    LineChunk chunk{std::string_view(padded.data(), data.size()), 10, 500, "/pos/x", "1:2", 0, after};
    BatchedIngest batch(*ingestor, decoder, "pdv", refused);
    if (auto s = batch(chunk); !s) {
      batch.rollback();
      return s;
    }
    return batch.commit();
  }

  TinyDecoder decoder;
  RefusedLines refused;
  std::optional<Ingestor> ingestor;
  std::string padded;
};

TEST_F(ChunkIngestTest, CommitsLinesQuarantineAndCheckpointTogether) {
  FileCheckpoint cp{"pdv", 1, 2, 520, 13, 20, 9};
  ASSERT_TRUE(ingest("a:100\nnonsense\nb:200\n", cp).ok());
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 2);
  EXPECT_EQ(count("SELECT line FROM quarantine"), 12) << "lines are numbered from the chunk's position";
  EXPECT_EQ(count("SELECT byte_offset FROM quarantine"), 506);
  EXPECT_EQ(count("SELECT byte_offset FROM checkpoints WHERE source = 'pdv'"), 520);
}

TEST_F(ChunkIngestTest, ALineTheLedgerRefusesIsQuarantinedWhenReadAgain) {
  FileCheckpoint cp{"pdv", 1, 2, 520, 13, 20, 9};
  auto first = ingest("a:100\nb:-5\nc:300\n", cp);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().kind, ErrorKind::input);
  EXPECT_NE(first.error().message.find("/pos/x line 12"), std::string::npos) << first.error().message;
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 0) << "the caller rolls back";
  auto s = ingest("a:100\nb:-5\nc:300\n", cp);  // read again from the last commit
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine WHERE reason LIKE 'the ledger refused it:%'"), 1);
  EXPECT_EQ(count("SELECT line FROM quarantine"), 12);
  EXPECT_EQ(count("SELECT count(*) FROM checkpoints"), 1);
}

TEST_F(ChunkIngestTest, ImportQuarantinesARefusedLineAndKeepsTheRest) {
  test::write_file(dir / "history.txt", "a:100\nb:-5\nnonsense\nc:300");  // no end of line at the end
  auto in = Ingestor::create(*ledger, test::brazilian_phones());
  ASSERT_TRUE(in.ok());
  std::int64_t last_bytes = 0, last_lines = 0;
  ImportHooks hooks;
  hooks.progress = [&](std::int64_t bytes, std::int64_t lines) {
    last_bytes = bytes;
    last_lines = lines;
  };
  auto counts = import_file(*in, decoder, dir / "history.txt", hooks);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->sales_added, 2);
  EXPECT_EQ(counts->quarantined, 2);
  EXPECT_EQ(last_lines, 4);
  EXPECT_EQ(last_bytes, 25);
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine WHERE line = 2 AND reason LIKE 'the ledger refused it:%'"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine WHERE line = 3 AND reason = 'no colon'"), 1);
}

TEST_F(ChunkIngestTest, ImportStopsBetweenChunksWhenAskedAndSaysWhere) {
  std::string many;
  for (int i = 0; i < 200000; ++i)
    many += "sale-number-" + std::to_string(i) + ":1\n";  // several chunks
  test::write_file(dir / "many.txt", many);
  auto in = Ingestor::create(*ledger, test::brazilian_phones());
  ASSERT_TRUE(in.ok());
  ImportHooks hooks;
  hooks.should_stop = [] { return true; };
  auto counts = import_file(*in, decoder, dir / "many.txt", hooks);
  ASSERT_FALSE(counts.ok());
  EXPECT_NE(counts.error().message.find("Run the same import again"), std::string::npos);
  const auto stored = count("SELECT count(*) FROM sales");
  EXPECT_GT(stored, 0) << "what was read before the stop is committed";
  EXPECT_LT(stored, 200000);
}

}  // namespace
}  // namespace regua
