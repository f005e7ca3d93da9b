// The hub's storage, the same suite against both backends (SQLite, and a real PostgreSQL started by
// the test process): idempotent by (store, sequence), out-of-order batches kept until the hole
// before them fills, the contiguous mark computed in the batch's transaction, numbered schema
// migrations that refuse a newer schema, and two hubs on one database storing each record once.

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "cloud/network/store_health.hpp"
#include "cloud/storage/postgres_hub_store.hpp"
#include "cloud/storage/sqlite_hub_store.hpp"
#include "local/ledger/sqlite.hpp"
#include "tests/support/ledger_fixture.hpp"
#include "tests/support/postgres_server.hpp"

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

sync::DecodedRecord record_of(std::int64_t seq, std::string kind, std::string key, nlohmann::json body) {
  sync::DecodedRecord r;
  r.seq = seq;
  r.kind = std::move(kind);
  r.key = std::move(key);
  r.body = std::move(body);
  return r;
}

struct SqliteBackend {
  TempDir dir;
  Result<std::unique_ptr<HubStore>> open() { return hub::open_sqlite_hub_store(dir / "hub.db"); }
  void make_schema_newer() {
    auto db = sqlite::Db::open(dir / "hub.db", sqlite::OpenMode::read_write);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("PRAGMA user_version = 99").ok());
  }
  // What a database written by the first release looks like.
  void make_schema_version_1() {
    auto db = sqlite::Db::open(dir / "hub.db", sqlite::OpenMode::read_write);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        db->exec("DROP TABLE store_profiles; DROP TABLE enrolment_tokens; PRAGMA user_version = 1").ok());
  }
};

struct PostgresBackend {
  PostgresBackend() {
    auto& server = shared_postgres();
    EXPECT_TRUE(server.ok()) << server.failure();
    if (server.ok()) conninfo = server.fresh_database();
    EXPECT_FALSE(conninfo.empty()) << server.failure();
  }
  Result<std::unique_ptr<HubStore>> open() { return hub::open_postgres_hub_store(conninfo); }
  void make_schema_newer() const {
    EXPECT_EQ(PostgresServer::exec(conninfo, "INSERT INTO hub_schema (version) VALUES (99)"), "");
  }
  void make_schema_version_1() const {
    EXPECT_EQ(PostgresServer::exec(conninfo,
                                   "DROP TABLE store_profiles; DROP TABLE enrolment_tokens; DELETE FROM "
                                   "hub_schema WHERE version > 1"),
              "");
  }
  std::string conninfo;
};

template <typename Backend>
class HubStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = backend.open();
    ASSERT_TRUE(s.ok()) << s.error().message;
    store = std::move(*s);
  }
  hub::BatchStored put(const sync::DecodedBatch& b, HubStore* into = nullptr) {
    auto r = (into != nullptr ? into : store.get())->store_batch(b, at("2026-03-01T12:00:00Z"));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : hub::BatchStored{};
  }
  std::int64_t records_of(const std::string& who) {
    auto rows = store->stores();
    EXPECT_TRUE(rows.ok());
    for (const auto& row : *rows) {
      if (row.store == who) return row.records;
    }
    return -1;
  }
  Backend backend;
  std::unique_ptr<HubStore> store;
};

class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, SqliteBackend> ? "Sqlite" : "Postgres";
  }
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(HubStoreTest, Backends, BackendNames);

TYPED_TEST(HubStoreTest, TheSameBatchTwiceIsStoredOnce) {
  EXPECT_EQ(this->put(batch(1, 10)).contiguous, 10);
  auto again = this->put(batch(1, 10));
  EXPECT_EQ(again.contiguous, 10);
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.duplicates, 10);
  auto rows = this->store->stores();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].records, 10);
}

TYPED_TEST(HubStoreTest, OutOfOrderBatchesWaitForTheHoleAndOverlapsCountOnce) {
  EXPECT_EQ(this->put(batch(21, 30)).contiguous, 0) << "a hole before it: nothing to ack beyond 0";
  EXPECT_EQ(this->put(batch(11, 20)).contiguous, 0);
  auto filled = this->put(batch(1, 10));
  EXPECT_EQ(filled.contiguous, 30);
  auto overlap = this->put(batch(5, 35));
  EXPECT_EQ(overlap.contiguous, 35);
  EXPECT_EQ(overlap.inserted, 5);
  EXPECT_EQ(overlap.duplicates, 26);
  EXPECT_EQ(this->records_of("centro"), 35);
}

TYPED_TEST(HubStoreTest, EachStoreHasItsOwnSequence) {
  this->put(batch(1, 5, "centro"));
  this->put(batch(1, 3, "norte"));
  EXPECT_EQ(*this->store->contiguous("centro"), 5);
  EXPECT_EQ(*this->store->contiguous("norte"), 3);
  EXPECT_EQ(*this->store->contiguous("sul"), 0) << "a store never seen";
}

TYPED_TEST(HubStoreTest, WhatTheStoreFreedOnAnAckThisHubLostIsCountedNotWaitedFor) {
  // The hub's database was restored from a backup: it has 1..10, the store had its ack for 1..50.
  this->put(batch(1, 10));
  auto after = this->put(batch(51, 60, "centro", 50));
  EXPECT_EQ(after.lost, 40);
  EXPECT_EQ(after.contiguous, 60);
  EXPECT_EQ((*this->store->stores())[0].lost, 40);
}

TYPED_TEST(HubStoreTest, ParkedMessagesAreKeptWithTheirReason) {
  constexpr char kGarbage[] = "\x01\x02\xff\x00 not a message";  // binary, with a NUL inside
  const std::string garbage(kGarbage, sizeof kGarbage - 1);
  ASSERT_TRUE(
      this->store
          ->park("regua/v1/rede/centro/up/batch", "malformed batch: x", garbage, at("2026-03-01T12:00:00Z"))
          .ok());
  ASSERT_TRUE(
      this->store->park("regua/v1/rede/centro/up/batch", "again", "x", at("2026-03-01T12:00:00Z")).ok());
  EXPECT_EQ(*this->store->parked_count(), 2);
}

TYPED_TEST(HubStoreTest, TheLogKeepsEveryRecordAndTheEntitiesTheNewestStatePerKey) {
  this->put(batch(1, 7));  // sale:1 at 1, 4, 7; sale:2 at 2, 5; sale:0 at 3, 6
  auto log = this->store->records("centro", "sale");
  ASSERT_TRUE(log.ok()) << log.error().message;
  ASSERT_EQ(log->size(), 7u);
  for (std::size_t i = 0; i < log->size(); ++i)
    EXPECT_EQ((*log)[i].seq, static_cast<std::int64_t>(i + 1));
  auto newest = this->store->entities("centro", "sale");
  ASSERT_TRUE(newest.ok()) << newest.error().message;
  ASSERT_EQ(newest->size(), 3u);
  EXPECT_EQ((*newest)[0].key, "sale:0");
  EXPECT_EQ((*newest)[0].seq, 6);
  EXPECT_EQ((*newest)[1].seq, 7);
  EXPECT_EQ((*newest)[2].seq, 5);
  EXPECT_EQ(nlohmann::json::parse((*newest)[1].body)["total_cents"], 7);
  // An older state arriving late (out of order) does not replace a newer one.
  this->put(batch(20, 20));  // sale:2 at 20
  this->put(batch(8, 19));   // fills the hole; sale:2 at 8, 11, 14, 17 are older than 20
  newest = this->store->entities("centro", "sale");
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ((*newest)[2].seq, 20);
  EXPECT_TRUE(this->store->records("centro", "task")->empty());
}

TYPED_TEST(HubStoreTest, AnErasureBlanksWhatCameBeforeItAndNothingAfter) {
  sync::DecodedBatch b;
  b.store = "centro";
  b.first = 1;
  b.last = 4;
  b.records.push_back(record_of(1, "customer", "customer:7", {{"id", 7}, {"name", "Ana Souza"}}));
  b.records.push_back(record_of(2, "customer", "customer:8", {{"id", 8}, {"name", "Bia Lima"}}));
  b.records.push_back(record_of(3, "erasure", "erasure:7", {{"id", 7}}));
  b.records.push_back(record_of(4, "customer", "customer:7", {{"id", 7}, {"name", "Ana again"}}));
  this->put(b);
  auto log = this->store->records("centro", "customer");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ((*log)[0].body, R"({"erased":true})");
  EXPECT_NE((*log)[1].body.find("Bia"), std::string::npos);
  EXPECT_NE((*log)[2].body.find("Ana again"), std::string::npos) << "after the erasure: a new consent";
  auto customers = this->store->entities("centro", "customer");
  ASSERT_TRUE(customers.ok());
  ASSERT_EQ(customers->size(), 2u);
  EXPECT_EQ((*customers)[0].seq, 4);
}

TYPED_TEST(HubStoreTest, OrdersAreSentUntilTheStoreSaysItTookThem) {
  auto& s = *this->store;
  const auto t0 = at("2026-03-01T12:00:00Z");
  ASSERT_TRUE(s.add_order("centro", "o-1", {{"order", "opt_out"}, {"customer", 7}}, t0).ok());
  ASSERT_TRUE(s.add_order("centro", "o-1", {{"order", "changed"}}, t0).ok())
      << "the same id twice is one order";
  ASSERT_TRUE(s.add_order("norte", "o-2", {{"order", "task_close"}}, t0).ok());
  auto due = s.orders_to_send(t0, std::nullopt);
  ASSERT_TRUE(due.ok()) << due.error().message;
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].body["order"], "opt_out");
  ASSERT_TRUE(s.mark_order_sent("centro", "o-1", t0).ok());
  EXPECT_EQ(s.orders_to_send(t0, std::nullopt)->size(), 1u) << "sent, not yet due again";
  EXPECT_EQ(s.orders_to_send(t0 + std::chrono::seconds(1), std::nullopt)->size(), 2u) << "due again";
  EXPECT_EQ(s.orders_to_send(t0, std::string_view("centro"))->size(), 1u) << "a hello: everything for it";
  sync::DecodedBatch done;
  done.store = "centro";
  done.first = done.last = 1;
  done.records.push_back(record_of(1, "order", "order:o-1", {{"order", "o-1"}, {"outcome", "applied"}}));
  this->put(done);
  EXPECT_TRUE(s.orders_to_send(t0 + std::chrono::seconds(60), std::string_view("centro"))->empty());
}

TYPED_TEST(HubStoreTest, RulePacksArePublishedOnceAndTheNewestForAStoreWins) {
  auto& s = *this->store;
  const auto t0 = at("2026-03-01T12:00:00Z");
  ASSERT_TRUE(s.add_rule_pack({1, "*", "rules 1", "sig1"}, t0).ok());
  ASSERT_TRUE(s.add_rule_pack({2, "centro", "rules 2", "sig2"}, t0).ok());
  auto again = s.add_rule_pack({1, "*", "other", "sig"}, t0);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("use a higher number"), std::string::npos) << again.error().message;
  EXPECT_EQ((*s.rule_pack_for("centro"))->version, 2);
  EXPECT_EQ((*s.rule_pack_for("norte"))->version, 1);
  auto announce = s.rule_packs_to_announce();
  ASSERT_TRUE(announce.ok());
  ASSERT_EQ(announce->size(), 2u);
  ASSERT_TRUE(s.mark_rule_pack_announced((*announce)[0]).ok());
  EXPECT_EQ(s.rule_packs_to_announce()->size(), 1u);
}

TYPED_TEST(HubStoreTest, HelloRecordsTheAgentAndItsRulePack) {
  auto row = this->store->note_hello("centro", "0.9.0", 3, at("2026-03-01T12:00:00Z"));
  ASSERT_TRUE(row.ok()) << row.error().message;
  EXPECT_EQ(row->agent, "0.9.0");
  EXPECT_EQ(row->rules_version, 3);
  EXPECT_EQ(row->last_seen, at("2026-03-01T12:00:00Z").time_since_epoch().count());
}

TYPED_TEST(HubStoreTest, ReopeningKeepsEverythingAndANewerSchemaIsRefused) {
  this->put(batch(1, 10));
  this->store.reset();
  auto again = this->backend.open();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*(*again)->contiguous("centro"), 10) << "migrations ran once; the data stayed";
  again->reset();
  this->backend.make_schema_newer();
  auto newer = this->backend.open();
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().kind, ErrorKind::incompatible);
  EXPECT_NE(newer.error().message.find("99"), std::string::npos) << newer.error().message;
  EXPECT_NE(newer.error().message.find("newer"), std::string::npos) << newer.error().message;
}

TYPED_TEST(HubStoreTest, AnOlderSchemaIsMigratedKeepingItsData) {
  this->put(batch(1, 10));
  this->store.reset();
  this->backend.make_schema_version_1();
  auto again = this->backend.open();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*(*again)->contiguous("centro"), 10);
  EXPECT_TRUE((*again)->set_store_profile({"centro", "Centro", "sudeste", "rua", 600}).ok())
      << "the second step made its table";
}

sync::DecodedRecord heartbeat_record(std::int64_t seq, std::int64_t clock, std::int64_t waiting) {
  return record_of(seq, "heartbeat", "heartbeat",
                   {{"agent", "0.1.0"},
                    {"clock", clock},
                    {"outbox_waiting", waiting},
                    {"acked", seq - 1},
                    {"last_sale_at", clock - 3600}});
}

// The network model: HQ's groups per store and each store's health from its newest heartbeat.
TYPED_TEST(HubStoreTest, StoreHealthComesFromTheNewestHeartbeatAndSilenceFromTheThreshold) {
  auto& s = *this->store;
  const auto t0 = at("2026-03-01T12:00:00Z");
  const auto t0_s = t0.time_since_epoch().count();
  ASSERT_TRUE(s.note_hello("centro", "0.1.0", 2, t0).ok());
  sync::DecodedBatch beat;
  beat.store = "centro";
  beat.first = 1;
  beat.last = 2;
  beat.records.push_back(heartbeat_record(1, t0_s - 50, 9));
  beat.records.push_back(heartbeat_record(2, t0_s + 7, 4));  // the store's clock is 7 s ahead
  ASSERT_TRUE(s.store_batch(beat, t0).ok());
  // norte: its heartbeat came beyond a hole (records are missing at the hub).
  sync::DecodedBatch late;
  late.store = "norte";
  late.first = late.last = 5;
  late.records.push_back(heartbeat_record(5, t0_s, 120));
  ASSERT_TRUE(s.store_batch(late, t0).ok());
  ASSERT_TRUE(s.set_store_profile({"centro", "Loja Centro", "sudeste", "rua", std::nullopt}).ok());
  ASSERT_TRUE(s.set_store_profile({"norte", "", "norte", "shopping", 60}).ok());
  ASSERT_TRUE(s.set_store_profile({"sul", "Loja Sul", "sul", "rua", std::nullopt}).ok())
      << "not connected yet";

  auto health = hub::network_health(s, t0 + std::chrono::seconds(100), std::chrono::seconds(900));
  ASSERT_TRUE(health.ok()) << health.error().message;
  ASSERT_EQ(health->size(), 3u);
  const auto& centro = (*health)[0];
  EXPECT_EQ(centro.store, "centro");
  EXPECT_EQ(centro.region, "sudeste");
  EXPECT_EQ(centro.format, "rua");
  EXPECT_EQ(centro.agent, "0.1.0");
  EXPECT_EQ(centro.rules_version, 2);
  EXPECT_EQ(centro.outbox_depth, 4) << "the newest heartbeat";
  EXPECT_EQ(centro.clock_skew_s, 7);
  EXPECT_EQ(centro.last_sale_at, t0_s + 7 - 3600);
  EXPECT_EQ(centro.heartbeat_at, t0_s);
  EXPECT_FALSE(centro.behind);
  EXPECT_EQ(centro.silent_after_s, 900);
  EXPECT_FALSE(centro.silent) << "seen 100 s ago, threshold 900 s";
  const auto& norte = (*health)[1];
  EXPECT_TRUE(norte.behind) << "its heartbeat is beyond a hole";
  EXPECT_EQ(norte.outbox_depth, 120);
  EXPECT_EQ(norte.silent_after_s, 60);
  EXPECT_TRUE(norte.silent) << "its own threshold: 60 s";
  const auto& sul = (*health)[2];
  EXPECT_EQ(sul.name, "Loja Sul");
  EXPECT_FALSE(sul.last_seen.has_value());
  EXPECT_FALSE(sul.outbox_depth.has_value());
  EXPECT_TRUE(sul.silent) << "never seen";

  // A profile changes in place.
  ASSERT_TRUE(s.set_store_profile({"centro", "Loja Centro", "sudeste", "shopping", 30}).ok());
  health = hub::network_health(s, t0 + std::chrono::seconds(100), std::chrono::seconds(900));
  ASSERT_TRUE(health.ok());
  EXPECT_EQ((*health)[0].format, "shopping");
  EXPECT_TRUE((*health)[0].silent);
  EXPECT_EQ(hub::health_json((*health)[0])["clock_skew_s"], 7);
  EXPECT_TRUE(hub::health_json((*health)[2])["last_seen"].is_null());
}

// Two hub replicas on one database take one store's batches in any order, at once, some twice
// (a redelivery): every record is stored once and the mark ends at the last sequence.
TYPED_TEST(HubStoreTest, TwoHubsOnOneDatabaseStoreEachRecordOnce) {
  auto second = this->backend.open();
  ASSERT_TRUE(second.ok()) << second.error().message;
  constexpr int kBatches = 60, kSize = 20;
  std::vector<sync::DecodedBatch> batches;
  for (int i = 0; i < kBatches; ++i) {
    const int j = i / 2;  // the store's own j-th batch
    batches.push_back(batch(j * kSize + 1, (j + 1) * kSize, i % 2 == 0 ? "centro" : "norte"));
  }
  std::mt19937 random(7);
  std::vector<int> order_a, order_b;
  for (int i = 0; i < kBatches; ++i) {
    (random() % 2 == 0 ? order_a : order_b).push_back(i);
    if (random() % 5 == 0) (random() % 2 == 0 ? order_a : order_b).push_back(i);  // delivered twice
  }
  std::shuffle(order_a.begin(), order_a.end(), random);
  std::shuffle(order_b.begin(), order_b.end(), random);
  std::atomic<int> failures{0};
  auto feed = [&](HubStore* into, const std::vector<int>& order) {
    for (const int i : order) {
      if (!into->store_batch(batches[static_cast<std::size_t>(i)], at("2026-03-01T12:00:00Z")).ok())
        ++failures;
    }
  };
  std::thread a(feed, this->store.get(), order_a);
  std::thread b(feed, second->get(), order_b);
  a.join();
  b.join();
  EXPECT_EQ(failures, 0);
  // What neither replica got fills the holes (the store sends it again).
  for (int i = 0; i < kBatches; ++i)
    this->put(batches[static_cast<std::size_t>(i)], second->get());
  EXPECT_EQ(*this->store->contiguous("centro"), kBatches / 2 * kSize);
  EXPECT_EQ(*this->store->contiguous("norte"), kBatches / 2 * kSize);
  EXPECT_EQ(this->records_of("centro"), kBatches / 2 * kSize);
  EXPECT_EQ(this->records_of("norte"), kBatches / 2 * kSize);
  auto log = this->store->records("norte", "sale");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->size(), static_cast<std::size_t>(kBatches / 2 * kSize));
}

// Enrolment tokens (branch enrol): the secret's hash is all that matches, a token expires, and it is
// used once; the listing never holds the secret.
TYPED_TEST(HubStoreTest, AnEnrolmentTokenIsUsedOnceAndOnlyBeforeItExpires) {
  const auto now = at("2026-03-01T12:00:00Z");
  const auto unix_now = now.time_since_epoch().count();
  ASSERT_TRUE(
      this->store->add_enrolment_token({"aaaaaaaaaaaa", "hash-a", "centro", unix_now, unix_now + 3600, {}})
          .ok());
  ASSERT_TRUE(
      this->store->add_enrolment_token({"bbbbbbbbbbbb", "hash-b", "norte", unix_now, unix_now + 60, {}})
          .ok());

  auto look = this->store->check_enrolment_token("aaaaaaaaaaaa", "hash-a", now);
  ASSERT_TRUE(look.ok()) << look.error().message;
  EXPECT_EQ(look->state, hub::TokenState::valid);
  EXPECT_EQ(look->store, "centro");
  // Looking spends nothing; a wrong secret or an unknown id is unknown, whatever the row says.
  EXPECT_EQ(this->store->check_enrolment_token("aaaaaaaaaaaa", "hash-a", now)->state, hub::TokenState::valid);
  EXPECT_EQ(this->store->use_enrolment_token("aaaaaaaaaaaa", "hash-b", now)->state, hub::TokenState::unknown);
  EXPECT_EQ(this->store->use_enrolment_token("cccccccccccc", "hash-a", now)->state, hub::TokenState::unknown);

  auto used = this->store->use_enrolment_token("aaaaaaaaaaaa", "hash-a", now);
  ASSERT_TRUE(used.ok()) << used.error().message;
  EXPECT_EQ(used->state, hub::TokenState::valid);
  EXPECT_EQ(used->store, "centro");
  EXPECT_EQ(this->store->use_enrolment_token("aaaaaaaaaaaa", "hash-a", now)->state, hub::TokenState::used);
  EXPECT_EQ(this->store->check_enrolment_token("aaaaaaaaaaaa", "hash-a", now)->state, hub::TokenState::used);

  // Expired at its expiry second, used or not.
  const auto later = now + std::chrono::seconds(60);
  EXPECT_EQ(this->store->check_enrolment_token("bbbbbbbbbbbb", "hash-b", later)->state,
            hub::TokenState::expired);
  EXPECT_EQ(this->store->use_enrolment_token("bbbbbbbbbbbb", "hash-b", later)->state,
            hub::TokenState::expired);
  EXPECT_EQ(this->store->use_enrolment_token("bbbbbbbbbbbb", "hash-b", now + std::chrono::seconds(59))->state,
            hub::TokenState::valid);

  auto listed = this->store->enrolment_tokens();
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "aaaaaaaaaaaa");
  EXPECT_EQ((*listed)[0].store, "centro");
  EXPECT_EQ((*listed)[0].used_at, unix_now);
  EXPECT_EQ((*listed)[1].expires_at, unix_now + 60);
}

// Two hubs (or two requests) on one database use one token at once, many times over: exactly one
// use wins each token, the other is told it was used.
TYPED_TEST(HubStoreTest, TwoHubsUsingOneTokenAtOnceOneWins) {
  auto second = this->backend.open();
  ASSERT_TRUE(second.ok()) << second.error().message;
  const auto now = at("2026-03-01T12:00:00Z");
  const auto unix_now = now.time_since_epoch().count();
  constexpr int kTokens = 40;
  for (int i = 0; i < kTokens; ++i) {
    ASSERT_TRUE(
        this->store
            ->add_enrolment_token(
                {"t" + std::to_string(100000000000 + i), "h", "centro", unix_now, unix_now + 3600, {}})
            .ok());
  }
  std::atomic<int> wins{0}, told_used{0}, failures{0};
  auto race = [&](HubStore* hub, std::atomic<bool>* go) {
    while (!go->load())
      std::this_thread::yield();
    for (int i = 0; i < kTokens; ++i) {
      auto r = hub->use_enrolment_token("t" + std::to_string(100000000000 + i), "h", now);
      if (!r.ok()) {
        ++failures;
      } else if (r->state == hub::TokenState::valid) {
        ++wins;
      } else if (r->state == hub::TokenState::used) {
        ++told_used;
      }
    }
  };
  std::atomic<bool> go{false};
  std::thread a(race, this->store.get(), &go);
  std::thread b(race, second->get(), &go);
  go = true;
  a.join();
  b.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(wins, kTokens);
  EXPECT_EQ(told_used, kTokens);
}

}  // namespace
}  // namespace regua::test
