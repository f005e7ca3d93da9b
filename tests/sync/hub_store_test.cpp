// The hub's SQLite storage: idempotent by (store, sequence), out-of-order batches kept until the
// hole before them fills, the contiguous mark computed in the batch's transaction.

#include <gtest/gtest.h>

#include "cloud/storage/sqlite_hub_store.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua::test {
namespace {

using hub::HubStore;

sync::DecodedBatch batch(std::int64_t first, std::int64_t last, std::string store = "centro",
                         std::int64_t acked = 0) {
  sync::DecodedBatch b;
  b.store = std::move(store);
  b.first = first;
  b.last = last;
  b.acked = acked;
  for (auto seq = first; seq <= last; ++seq) {
    sync::DecodedRecord r;
    r.seq = seq;
    r.kind = "sale";
    r.key = "sale:" + std::to_string(seq % 3);  // three sales, updated again and again
    r.body = {{"seq", seq}, {"kind", "sale"}, {"id", seq % 3}, {"total_cents", seq}};
    b.records.push_back(std::move(r));
  }
  return b;
}

class HubStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = hub::open_sqlite_hub_store(dir / "hub.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store = std::move(*s);
  }
  hub::BatchStored put(const sync::DecodedBatch& b) {
    auto r = store->store_batch(b, at("2026-03-01T12:00:00Z"));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : hub::BatchStored{};
  }
  TempDir dir;
  std::unique_ptr<HubStore> store;
};

TEST_F(HubStoreTest, TheSameBatchTwiceIsStoredOnce) {
  EXPECT_EQ(put(batch(1, 10)).contiguous, 10);
  auto again = put(batch(1, 10));
  EXPECT_EQ(again.contiguous, 10);
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.duplicates, 10);
  auto rows = store->stores();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].records, 10);
}

TEST_F(HubStoreTest, OutOfOrderBatchesWaitForTheHoleAndOverlapsCountOnce) {
  EXPECT_EQ(put(batch(21, 30)).contiguous, 0) << "a hole before it: nothing to ack beyond 0";
  EXPECT_EQ(put(batch(11, 20)).contiguous, 0);
  auto filled = put(batch(1, 10));
  EXPECT_EQ(filled.contiguous, 30);
  auto overlap = put(batch(5, 35));
  EXPECT_EQ(overlap.contiguous, 35);
  EXPECT_EQ(overlap.inserted, 5);
  EXPECT_EQ((*store->stores())[0].records, 35);
}

TEST_F(HubStoreTest, EachStoreHasItsOwnSequence) {
  put(batch(1, 5, "centro"));
  put(batch(1, 3, "norte"));
  EXPECT_EQ(*store->contiguous("centro"), 5);
  EXPECT_EQ(*store->contiguous("norte"), 3);
}

TEST_F(HubStoreTest, WhatTheStoreFreedOnAnAckThisHubLostIsCountedNotWaitedFor) {
  // The hub's database was restored from a backup: it has 1..10, the store had its ack for 1..50.
  put(batch(1, 10));
  auto after = put(batch(51, 60, "centro", 50));
  EXPECT_EQ(after.lost, 40);
  EXPECT_EQ(after.contiguous, 60);
}

TEST_F(HubStoreTest, ParkedMessagesAreKeptWithTheirReason) {
  ASSERT_TRUE(
      store
          ->park("regua/v1/rede/centro/up/batch", "malformed batch: x", "garbage", at("2026-03-01T12:00:00Z"))
          .ok());
  EXPECT_EQ(*store->parked_count(), 1);
}

}  // namespace
}  // namespace regua::test
