// regua-bench-hub-load: the stores' side of bench/hub. Simulates a network of stores, each with what
// a real store runs: its own SQLite ledger written by the real Ingestor (a sale and its customer per
// transaction, as the POS sends them), and its own sync thread (sync::SyncService, the agent's:
// outbox publisher, batches, MQTT over TLS with its own client certificate, issued here by the
// enrolment code from the network CA). Stores run in worker processes of --stores-per-process
// each: paho's C library serialises every client of a process on one mutex and one send thread,
// and a thousand busy clients in one process starve its receive thread of the hub's acks.
//
// Each store's day of sales (agent/demo's SaleGenerator) is committed at random instants spread
// over --day-seconds. A worker records each record's store commit instant and reads the hub's
// commit instant of the same (store, seq) from PostgreSQL (pg_xact_commit_timestamp, with the
// server's track_commit_timestamp on). With --kill-pid, the parent SIGKILLs that hub replica when
// half the sales are acknowledged. At the end each worker reconciles its stores' ledgers against
// the hub's rows with count queries on both sides; the parent adds them up, prints
// "lost: N, doubled: M" and exits 1 unless both are 0 and every record reached the hub. It asserts
// no time (docs/benchmarks.md).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <date/tz.h>
#include <libpq-fe.h>
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/config/config.hpp"
#include "agent/connectors/jsonl_decoder.hpp"
#include "agent/demo/sale_generator.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "local/ledger/ingest.hpp"
#include "local/ledger/ledger.hpp"
#include "local/ledger/outbox.hpp"
#include "local/rules/store_zone.hpp"
#include "sync/enrolment_x509.hpp"
#include "sync/sync_service.hpp"

namespace fs = std::filesystem;

namespace {

using Steady = std::chrono::steady_clock;

struct LoadOptions {
  int stores = 1000;
  int sales_per_store = 450;  // the mean; each store gets 2/3 to 4/3 of it (300-600 by default)
  int customers_per_store = 1000;
  double day_seconds = 120;  // the day's sales are committed over this long (0: as fast as possible)
  int stores_per_process = 100;
  int writers = 1;
  int connect_spread_ms = 5000;
  int drain_timeout_s = 300;
  std::string broker, network = "bench", pki, postgresql, dir, summary;
  int kill_pid = 0;
};

// A record the store committed: its outbox sequence and when its transaction committed.
struct WrittenRecord {
  std::int64_t seq = 0;
  bool sale = false;
  std::int64_t commit_us = 0;  // system clock, microseconds since the epoch
};

struct LoadStore {
  std::string id;
  fs::path ledger_path;
  std::string lines;                         // the day's POS lines, '\n'-separated (padding readable)
  std::vector<std::string_view> sale_lines;  // views into `lines`
  std::optional<regua::Ledger> ledger;       // the writer's connection (the sync opens its own)
  std::optional<regua::Ingestor> ingestor;
  std::unique_ptr<regua::sync::SyncService> sync;
  std::int64_t last_seq = 0;  // the newest sequence this store's writer saw given
  regua::StoreConfig config;  // what its POS lines are checked against (the store id)
  std::unique_ptr<regua::JsonlDecoder> decoder;

  std::mutex mutex;  // guards `written` and `acked_index` (writer thread vs the monitor)
  std::vector<WrittenRecord> written;
  std::size_t acked_index = 0;  // entries of `written` the hub has acknowledged
  std::int64_t acked_sales = 0;
};

struct SaleSlot {
  double at = 0;     // seconds after the start
  double order = 0;  // position within its store's day: interleaves stores when `at` ties
  int store = 0;
  int sale = 0;
};

std::int64_t hub_load_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool write_private_file(const fs::path& path, const std::string& text, bool secret) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (secret) ::chmod(path.c_str(), 0600);
  return out.good();
}

std::string hub_load_read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The store's key and client certificate (CN "NETWORK/STORE", what the broker's ACL expects),
// made and signed as the hub's enrolment endpoint does it.
regua::Status issue_store_identity(const LoadOptions& o, const regua::sync::Issuer& issuer,
                                   const std::string& store, const fs::path& key, const fs::path& cert) {
  const auto cn = o.network + "/" + store;
  auto made = regua::sync::make_key_and_csr(cn);
  if (!made) return made.error();
  auto issued = regua::sync::issue_client_certificate(
      issuer, made->csr_pem, cn, 30,
      std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
  if (!issued) return issued.error();
  if (!write_private_file(key, made->key_pem, true) || !write_private_file(cert, *issued, false))
    return regua::make_error(regua::ErrorKind::io, "cannot write " + key.string() + " or " + cert.string());
  return {};
}

double percentile_ms(const std::vector<std::int64_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  const auto at = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted_us.size()))) - 1;
  return static_cast<double>(sorted_us[std::min(at, sorted_us.size() - 1)]) / 1000.0;
}

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

PgResult hub_load_query(PGconn* pg, const char* sql, const std::string& store) {
  const char* values[] = {store.c_str()};
  return PgResult(PQexecParams(pg, sql, 1, nullptr, values, nullptr, nullptr, 0), &PQclear);
}

struct LoadTally {
  std::int64_t ledger_sales = 0, hub_sale_keys = 0, written = 0, written_at_hub = 0;
  std::int64_t hub_records = 0, lost = 0, doubled = 0;
  int stores_with_problems = 0;
  std::vector<std::int64_t> latency_us;
  std::int64_t first_commit_us = 0, last_commit_us = 0, last_hub_us = 0;
  bool commit_times = true;
};

// Store by store: the ledger's sales and the records its writer saw given, against the hub's rows.
regua::Status reconcile_store(LoadStore& s, PGconn* pg, LoadTally& t) {
  auto db = regua::sqlite::Db::open(s.ledger_path, regua::sqlite::OpenMode::read_only);
  if (!db) return db.error();
  std::set<std::int64_t> ledger_sales;
  {
    auto stmt = db->prepare("SELECT id FROM sales");
    if (!stmt) return stmt.error();
    for (auto row = stmt->step(); row && *row; row = stmt->step())
      ledger_sales.insert(stmt->int64(0));
  }
  auto counted = db->query_int("SELECT count(*) FROM sales");
  if (!counted) return counted.error();

  // Doubles: a (store, seq) stored twice, or one sale in two records (no sale is ever cancelled
  // or changed here, so each has exactly one record).
  auto counts =
      hub_load_query(pg,
                     "SELECT count(*), count(DISTINCT seq), count(*) FILTER (WHERE kind = 'sale'), "
                     "count(DISTINCT key) FILTER (WHERE kind = 'sale') FROM records WHERE store = $1",
                     s.id);
  if (PQresultStatus(counts.get()) != PGRES_TUPLES_OK)
    return regua::make_error(regua::ErrorKind::io,
                             "PostgreSQL: counting store " + s.id + "'s records: " + PQerrorMessage(pg));
  const auto hub_records = std::stoll(PQgetvalue(counts.get(), 0, 0));
  const auto hub_seqs = std::stoll(PQgetvalue(counts.get(), 0, 1));
  const auto hub_sale_records = std::stoll(PQgetvalue(counts.get(), 0, 2));
  const auto hub_sale_keys = std::stoll(PQgetvalue(counts.get(), 0, 3));

  auto rows = hub_load_query(
      pg,
      "SELECT seq, key, (extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000000)::bigint FROM records "
      "WHERE store = $1",
      s.id);
  if (PQresultStatus(rows.get()) != PGRES_TUPLES_OK)
    return regua::make_error(regua::ErrorKind::io,
                             "PostgreSQL: reading store " + s.id + "'s records: " + PQerrorMessage(pg));
  std::map<std::int64_t, std::int64_t> hub_commit;  // seq -> commit instant (0: unknown)
  std::set<std::int64_t> hub_sales;
  for (int r = 0; r < PQntuples(rows.get()); ++r) {
    const auto seq = std::stoll(PQgetvalue(rows.get(), r, 0));
    const std::string_view key = PQgetvalue(rows.get(), r, 1);
    hub_commit[seq] = PQgetisnull(rows.get(), r, 2) ? 0 : std::stoll(PQgetvalue(rows.get(), r, 2));
    if (key.starts_with("sale:")) hub_sales.insert(std::stoll(std::string(key.substr(5))));
  }

  std::int64_t lost = 0, doubled = (hub_records - hub_seqs) + (hub_sale_records - hub_sale_keys);
  for (const auto id : ledger_sales)
    lost += hub_sales.contains(id) ? 0 : 1;
  for (const auto id : hub_sales)
    doubled += ledger_sales.contains(id) ? 0 : 1;  // a sale the store never had
  std::lock_guard lock(s.mutex);
  for (const auto& w : s.written) {
    auto it = hub_commit.find(w.seq);
    if (it == hub_commit.end()) {
      if (!w.sale) ++lost;  // a lost sale is counted above, by its id
      continue;
    }
    ++t.written_at_hub;
    if (it->second == 0) {
      t.commit_times = false;
    } else {
      t.latency_us.push_back(it->second - w.commit_us);
      t.last_hub_us = std::max(t.last_hub_us, it->second);
    }
    t.first_commit_us = t.first_commit_us == 0 ? w.commit_us : std::min(t.first_commit_us, w.commit_us);
    t.last_commit_us = std::max(t.last_commit_us, w.commit_us);
  }
  t.written += static_cast<std::int64_t>(s.written.size());
  t.ledger_sales += *counted;
  t.hub_sale_keys += hub_sale_keys;
  t.hub_records += hub_records;
  t.lost += lost;
  t.doubled += doubled;
  if (lost > 0 || doubled > 0 || *counted != static_cast<std::int64_t>(ledger_sales.size())) {
    ++t.stores_with_problems;
    if (t.stores_with_problems <= 10) {
      std::printf(
          "   store %s: ledger %lld sales, hub %lld sale records (%lld distinct); lost %lld, doubled %lld\n",
          s.id.c_str(), static_cast<long long>(*counted), static_cast<long long>(hub_sale_records),
          static_cast<long long>(hub_sale_keys), static_cast<long long>(lost),
          static_cast<long long>(doubled));
    }
  }
  return {};
}

int hub_load_fail(const std::string& what) {
  std::fprintf(stderr, "regua-bench-hub-load: %s\n", what.c_str());
  return 1;
}

// What a worker process tells the parent, in memory they share: live counters while the day runs,
// then its reconciliation (read after the worker exited).
struct WorkerShared {
  std::atomic<int> state{0};  // WorkerState
  std::atomic<std::int64_t> planned_sales{0}, committed{0}, acked_sales{0}, acked_records{0},
      written_records{0};
  std::int64_t ledger_sales = 0, hub_sale_keys = 0, hub_records = 0, written = 0, written_at_hub = 0;
  std::int64_t lost = 0, doubled = 0, first_commit_us = 0, last_commit_us = 0, last_hub_us = 0;
  std::int64_t sent_records = 0, sent_bytes = 0, sent_batches = 0;
  int stores_with_problems = 0;
  bool commit_times = true;
};
enum WorkerState { kSettingUp = 0, kConnected = 1, kReconciled = 2, kFailed = 3 };

struct SharedBlock {
  std::atomic<int> go{0};    // the parent: start the day
  std::atomic<int> stop{0};  // the parent: give up (another worker failed)
};

fs::path latency_file(const LoadOptions& o, int worker) {
  return fs::path(o.dir) / ("latency-" + std::to_string(worker) + ".bin");
}

// One worker process: stores [first, first + count), each with its ledger, writer and sync thread.
int run_worker(const LoadOptions& o, int first, int count, SharedBlock& shared, WorkerShared& me,
               int worker) {
  auto failed = [&](const std::string& what) {
    me.state = kFailed;
    return hub_load_fail("worker " + std::to_string(worker) + ": " + what);
  };
  // The sync threads' warnings go to stderr (bench/hub counts the ack timeouts there), and a
  // thousand "connected" lines say nothing.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("worker-" + std::to_string(worker)));
  spdlog::set_level(spdlog::level::warn);
  regua::sqlite::configure_process();
  regua::SystemClock clock;
  const regua::FixedStoreZone zone(std::chrono::hours(-3));
  const auto* sao_paulo = date::locate_zone("America/Sao_Paulo");
  const fs::path dir = o.dir;
  const fs::path pki = o.pki;

  // 1. The stores: identity, ledger, the day's sales.
  const regua::sync::Issuer issuer{hub_load_read_file(pki / "ca.crt"), hub_load_read_file(pki / "ca.key")};
  if (issuer.ca_cert_pem.empty() || issuer.ca_key_pem.empty())
    return failed("no CA in " + pki.string() + " (ca.crt, ca.key): run installer/pki.sh ca " + pki.string());
  std::vector<std::unique_ptr<regua::LibphonenumberNormaliser>> phones;
  for (int w = 0; w < o.writers; ++w) {
    auto p = regua::LibphonenumberNormaliser::create("BR");
    if (!p) return failed(p.error().message);
    phones.push_back(std::make_unique<regua::LibphonenumberNormaliser>(std::move(*p)));
  }
  std::vector<std::unique_ptr<LoadStore>> stores;
  std::vector<SaleSlot> slots;
  const auto day_start = clock.now() - std::chrono::hours(12);
  std::int64_t planned_sales = 0;
  for (int i = first; i < first + count; ++i) {
    auto s = std::make_unique<LoadStore>();
    std::mt19937_64 rng(static_cast<std::uint64_t>(i) + 18);  // the same day whatever the split
    char id[16];
    std::snprintf(id, sizeof id, "s%04d", i + 1);
    s->id = id;
    const auto home = dir / s->id;
    fs::create_directories(home);
    s->ledger_path = home / "ledger.db";
    s->config.id = s->id;
    s->config.zone = sao_paulo;
    s->decoder = std::make_unique<regua::JsonlDecoder>(s->config, clock);
    if (auto st = issue_store_identity(o, issuer, s->id, home / "store.key", home / "store.crt"); !st)
      return failed("store " + s->id + ": " + st.error().message);
    auto ledger = regua::Ledger::open(regua::LedgerOptions{s->ledger_path, s->id, false, false}, clock);
    if (!ledger) return failed(ledger.error().message);
    s->ledger.emplace(std::move(*ledger));
    const auto local = static_cast<std::size_t>(i - first);
    auto ingestor = regua::Ingestor::create(*s->ledger, *phones[local % static_cast<std::size_t>(o.writers)]);
    if (!ingestor) return failed(ingestor.error().message);
    s->ingestor.emplace(std::move(*ingestor));

    const auto low = std::max(1, o.sales_per_store * 2 / 3);
    const auto high = std::max(low, o.sales_per_store * 4 / 3);
    const int sales = low + static_cast<int>(rng() % static_cast<std::uint64_t>(high - low + 1));
    regua::GeneratorOptions g;
    g.seed = static_cast<std::uint64_t>(i) + 1;
    g.store_id = s->id;
    g.customers = o.customers_per_store;
    g.start = day_start;
    g.mean_gap = std::chrono::seconds(std::max<std::int64_t>(1, 12 * 3600 / sales));
    g.cancel_share = 0;
    g.customer_event_share = 0;
    regua::SaleGenerator generator(g);
    std::vector<std::size_t> starts;
    for (int n = 0; n < sales; ++n) {
      starts.push_back(s->lines.size());
      s->lines += generator.next().text;
      s->lines += '\n';
    }
    s->lines.append(regua::kLinePadding, ' ');
    for (int n = 0; n < sales; ++n) {
      const auto from = starts[static_cast<std::size_t>(n)];
      s->sale_lines.emplace_back(s->lines.data() + from, s->lines.find('\n', from) - from);
    }
    std::uniform_real_distribution<double> at(0, o.day_seconds);
    std::vector<double> times(static_cast<std::size_t>(sales));
    for (auto& t : times)
      t = at(rng);
    std::sort(times.begin(), times.end());
    for (int n = 0; n < sales; ++n)
      slots.push_back(SaleSlot{times[static_cast<std::size_t>(n)], static_cast<double>(n) / sales,
                               static_cast<int>(local), n});
    planned_sales += sales;
    stores.push_back(std::move(s));
  }
  std::sort(slots.begin(), slots.end(), [](const SaleSlot& a, const SaleSlot& b) {
    return a.at != b.at ? a.at < b.at : a.order != b.order ? a.order < b.order : a.store < b.store;
  });
  me.planned_sales = planned_sales;

  // 2. Every store's sync thread, as `regua-agent run` starts it; wait until all are connected.
  const auto connect_start = Steady::now();
  for (auto& s : stores) {
    regua::sync::SyncSettings settings;
    settings.url = o.broker;
    settings.network = o.network;
    settings.store = s->id;
    settings.tls =
        regua::sync::TlsFiles{pki / "ca.crt", dir / s->id / "store.crt", dir / s->id / "store.key"};
    settings.pii = regua::sync::PiiSettings{regua::sync::PiiPolicy::hashed, "bench-network-key"};
    settings.initial_spread = std::chrono::milliseconds(o.connect_spread_ms);
    auto started = regua::sync::SyncService::start(std::move(settings),
                                                   regua::LedgerOptions{s->ledger_path, s->id}, clock, zone);
    if (!started) return failed("store " + s->id + ": " + started.error().message);
    s->sync = std::move(*started);
  }
  for (;;) {
    const auto connected =
        std::count_if(stores.begin(), stores.end(), [](auto& s) { return s->sync->connected(); });
    if (connected == static_cast<long>(stores.size())) break;
    if (shared.stop) return 1;
    if (Steady::now() - connect_start > std::chrono::seconds(180))
      return failed(std::to_string(connected) + " of " + std::to_string(stores.size()) +
                    " stores connected after 180 s: see the broker's log");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  me.state = kConnected;
  while (!shared.go) {
    if (shared.stop) return 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  // 3. The day: writers commit each sale at its instant, one transaction each.
  std::atomic<bool> writer_failed{false};
  const auto day_begin = Steady::now();
  std::vector<std::thread> writers;
  for (int w = 0; w < o.writers; ++w) {
    writers.emplace_back([&, w] {
      for (const auto& slot : slots) {
        if (slot.store % o.writers != w) continue;
        std::this_thread::sleep_until(
            day_begin + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(slot.at)));
        if (shared.stop) return;
        auto& s = *stores[static_cast<std::size_t>(slot.store)];
        auto event = s.decoder->decode(s.sale_lines[static_cast<std::size_t>(slot.sale)]);
        auto& ing = *s.ingestor;
        std::vector<WrittenRecord> fresh;
        auto st = event ? (*event ? ing.begin() : regua::Status{}) : regua::Status{event.error()};
        if (st && *event) st = ing.apply(**event, "bench");
        if (st && *event) {
          // What this transaction gave the outbox (the sync thread adds heartbeats and KPI days).
          auto rows = s.ledger->db().prepare(
              "SELECT seq, kind FROM outbox WHERE seq > ?1 AND kind NOT IN ('heartbeat', 'kpi_day')");
          if (!rows) {
            st = rows.error();
          } else {
            rows->bind(1, s.last_seq);
            for (auto row = rows->step(); row && *row; row = rows->step())
              fresh.push_back(WrittenRecord{rows->int64(0), rows->text(1) == "sale", 0});
          }
        }
        if (st && *event) st = ing.commit();
        if (!st) {
          std::fprintf(stderr, "store %s: %s\n", s.id.c_str(), st.error().message.c_str());
          writer_failed = true;
          return;
        }
        const auto at = hub_load_now_us();
        std::lock_guard lock(s.mutex);
        for (auto& f : fresh) {
          f.commit_us = at;
          s.last_seq = std::max(s.last_seq, f.seq);
          s.written.push_back(f);
        }
        ++me.committed;
      }
    });
  }

  // 4. Count what the hub acknowledged until every record written is acked.
  std::optional<Steady::time_point> writers_done;
  for (;;) {
    std::int64_t acked_records = 0, acked_sales = 0, written_records = 0;
    bool all_acked = true;
    for (auto& s : stores) {
      const auto acked = s->sync->acked();
      std::lock_guard lock(s->mutex);
      while (s->acked_index < s->written.size() && s->written[s->acked_index].seq <= acked) {
        if (s->written[s->acked_index].sale) ++s->acked_sales;
        ++s->acked_index;
      }
      acked_records += static_cast<std::int64_t>(s->acked_index);
      acked_sales += s->acked_sales;
      written_records += static_cast<std::int64_t>(s->written.size());
      all_acked = all_acked && s->acked_index == s->written.size();
    }
    me.acked_records = acked_records;
    me.acked_sales = acked_sales;
    me.written_records = written_records;
    if (writer_failed || shared.stop) break;
    if (!writers_done && me.committed.load() == planned_sales) writers_done = Steady::now();
    if (writers_done && all_acked) break;
    if (writers_done && Steady::now() - *writers_done > std::chrono::seconds(o.drain_timeout_s)) {
      std::fprintf(stderr,
                   "worker %d: the hub did not ack everything within %d s of the last sale: %lld of %lld\n",
                   worker, o.drain_timeout_s, static_cast<long long>(acked_records),
                   static_cast<long long>(written_records));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& t : writers)
    t.join();
  if (writer_failed) return failed("a store's writer failed (above)");
  for (auto& s : stores) {
    s->sync->stop();
    const auto t = s->sync->sent_totals();
    me.sent_records += t.records;
    me.sent_bytes += t.bytes;
    me.sent_batches += t.batches;
    s->ingestor.reset();
    s->ledger.reset();
  }

  // 5. Reconcile this worker's stores: each ledger against the hub's rows, by count queries on both sides.
  std::unique_ptr<PGconn, decltype(&PQfinish)> pg(PQconnectdb(o.postgresql.c_str()), &PQfinish);
  if (PQstatus(pg.get()) != CONNECTION_OK)
    return failed(std::string("PostgreSQL: ") + PQerrorMessage(pg.get()));
  LoadTally t;
  for (auto& s : stores) {
    if (auto st = reconcile_store(*s, pg.get(), t); !st)
      return failed("store " + s->id + ": " + st.error().message);
  }
  std::ofstream out(latency_file(o, worker), std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(t.latency_us.data()),
            static_cast<std::streamsize>(t.latency_us.size() * sizeof(std::int64_t)));
  if (!out.good()) return failed("cannot write " + latency_file(o, worker).string());
  me.ledger_sales = t.ledger_sales;
  me.hub_sale_keys = t.hub_sale_keys;
  me.hub_records = t.hub_records;
  me.written = t.written;
  me.written_at_hub = t.written_at_hub;
  me.lost = t.lost;
  me.doubled = t.doubled;
  me.first_commit_us = t.first_commit_us;
  me.last_commit_us = t.last_commit_us;
  me.last_hub_us = t.last_hub_us;
  me.stores_with_problems = t.stores_with_problems;
  me.commit_times = t.commit_times;
  me.state = kReconciled;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench/hub's stores: a network of stores with real ledgers and sync threads"};
  LoadOptions o;
  app.add_option("--stores", o.stores, "how many stores")->check(CLI::Range(1, 100000));
  app.add_option("--sales-per-store", o.sales_per_store,
                 "mean sales of a store's day (each: 2/3 to 4/3 of it)")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--customers-per-store", o.customers_per_store, "a store's pool of customers")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--day-seconds", o.day_seconds, "the day's sales are committed over this long (0: at once)")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--stores-per-process", o.stores_per_process,
                 "stores per worker process (paho's C library serialises all its clients in a process on one "
                 "mutex and one send thread)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--writers", o.writers, "threads committing the sales, per worker process")
      ->check(CLI::Range(1, 64));
  app.add_option("--connect-spread-ms", o.connect_spread_ms, "each store's first connection waits up to this")
      ->check(CLI::Range(0, 600000));
  app.add_option("--drain-timeout-s", o.drain_timeout_s,
                 "give up when the hub has not acked everything by then")
      ->check(CLI::Range(1, 86400));
  app.add_option("--broker", o.broker, "ssl://HOST:PORT")->required();
  app.add_option("--network", o.network, "the network id");
  app.add_option("--pki", o.pki, "folder with ca.crt and ca.key (installer/pki.sh ca)")->required();
  app.add_option("--postgresql", o.postgresql, "the hub's PostgreSQL (libpq connection string)")->required();
  app.add_option("--dir", o.dir, "where the stores' ledgers and keys go")->required();
  app.add_option("--kill-pid", o.kill_pid,
                 "SIGKILL this process (a hub replica) when half the sales are acked");
  app.add_option("--summary", o.summary, "also write the figures here as shell assignments");
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // bench/hub shows the progress as it comes

  // Worker processes, forked before any thread exists, share this block with the parent.
  const int processes = (o.stores + o.stores_per_process - 1) / o.stores_per_process;
  constexpr auto kWorkersAt = (sizeof(SharedBlock) + 63) / 64 * 64;
  const auto bytes = kWorkersAt + static_cast<std::size_t>(processes) * sizeof(WorkerShared);
  void* mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return hub_load_fail("cannot map memory shared with the workers");
  auto* shared = new (mem) SharedBlock;
  auto* slots = new (static_cast<char*>(mem) + kWorkersAt) WorkerShared[static_cast<std::size_t>(processes)];
  fs::create_directories(o.dir);
  const auto setup_start = Steady::now();
  std::vector<pid_t> children;
  for (int w = 0; w < processes; ++w) {
    const int first = w * o.stores_per_process;
    const int count = std::min(o.stores_per_process, o.stores - first);
    const pid_t pid = ::fork();
    if (pid < 0) return hub_load_fail("fork failed");
    if (pid == 0) {
      const int code = run_worker(o, first, count, *shared, slots[w], w);
      std::fflush(stdout);
      std::fflush(stderr);
      ::_exit(code);
    }
    children.push_back(pid);
  }
  auto workers = [&] { return std::span<WorkerShared>(slots, static_cast<std::size_t>(processes)); };
  auto sum = [&](auto field) {
    std::int64_t total = 0;
    for (auto& w : workers())
      total += (w.*field).load();
    return total;
  };
  std::vector<int> exit_codes(static_cast<std::size_t>(processes), -1);
  auto reap = [&] {  // true when every worker has exited
    bool all = true;
    for (std::size_t w = 0; w < children.size(); ++w) {
      if (exit_codes[w] >= 0) continue;
      int raw = 0;
      if (::waitpid(children[w], &raw, WNOHANG) == children[w]) {
        exit_codes[w] = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
      } else {
        all = false;
      }
    }
    return all;
  };
  auto any_failed = [&] {
    for (std::size_t w = 0; w < children.size(); ++w) {
      if (workers()[w].state == kFailed || (exit_codes[w] >= 0 && workers()[w].state != kReconciled))
        return true;
    }
    return false;
  };
  auto give_up = [&](const std::string& why) {
    shared->stop = 1;
    while (!reap())
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return hub_load_fail(why);
  };

  // Every store connected before the day starts, so that the day measures the flow, not the connects.
  for (;;) {
    reap();
    if (any_failed()) return give_up("a worker failed (above)");
    if (std::all_of(workers().begin(), workers().end(), [](auto& w) { return w.state == kConnected; })) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto planned_sales = sum(&WorkerShared::planned_sales);
  std::printf(
      "== %d stores in %d processes (%d each at most) ready and connected to %s in %.1f s: %lld sales "
      "planned (%d to %d a store), each store with its own certificate, ledger and sync thread\n",
      o.stores, processes, o.stores_per_process, o.broker.c_str(),
      std::chrono::duration<double>(Steady::now() - setup_start).count(),
      static_cast<long long>(planned_sales), std::max(1, o.sales_per_store * 2 / 3),
      std::max(1, o.sales_per_store * 4 / 3));
  shared->go = 1;
  const auto day_begin = Steady::now();

  bool killed = false;
  auto next_line = Steady::now() + std::chrono::seconds(10);
  while (!reap()) {
    if (any_failed()) return give_up("a worker failed (above)");
    const auto acked_sales = sum(&WorkerShared::acked_sales);
    const auto elapsed = std::chrono::duration<double>(Steady::now() - day_begin).count();
    if (!killed && o.kill_pid > 0 && acked_sales * 2 >= planned_sales) {
      ::kill(o.kill_pid, SIGKILL);
      killed = true;
      std::printf("== %.1f s: SIGKILL to hub replica %d with %lld of %lld sales acked (%lld records)\n",
                  elapsed, o.kill_pid, static_cast<long long>(acked_sales),
                  static_cast<long long>(planned_sales),
                  static_cast<long long>(sum(&WorkerShared::acked_records)));
    }
    if (Steady::now() >= next_line) {
      std::printf("   %.0f s: %lld of %lld sales committed; %lld of %lld records written acked\n", elapsed,
                  static_cast<long long>(sum(&WorkerShared::committed)),
                  static_cast<long long>(planned_sales),
                  static_cast<long long>(sum(&WorkerShared::acked_records)),
                  static_cast<long long>(sum(&WorkerShared::written_records)));
      next_line += std::chrono::seconds(10);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto run_s = std::chrono::duration<double>(Steady::now() - day_begin).count();
  if (any_failed()) return hub_load_fail("a worker failed (above)");

  // Everything the workers reconciled, added up.
  WorkerShared total;
  std::vector<std::int64_t> latency;
  for (int w = 0; w < processes; ++w) {
    const auto& r = workers()[static_cast<std::size_t>(w)];
    total.ledger_sales += r.ledger_sales;
    total.hub_sale_keys += r.hub_sale_keys;
    total.hub_records += r.hub_records;
    total.written += r.written;
    total.written_at_hub += r.written_at_hub;
    total.lost += r.lost;
    total.doubled += r.doubled;
    total.stores_with_problems += r.stores_with_problems;
    total.commit_times = total.commit_times && r.commit_times;
    total.sent_records += r.sent_records;
    total.sent_bytes += r.sent_bytes;
    total.sent_batches += r.sent_batches;
    if (r.first_commit_us > 0)
      total.first_commit_us =
          total.first_commit_us == 0 ? r.first_commit_us : std::min(total.first_commit_us, r.first_commit_us);
    total.last_commit_us = std::max(total.last_commit_us, r.last_commit_us);
    total.last_hub_us = std::max(total.last_hub_us, r.last_hub_us);
    const auto file = latency_file(o, w);
    const auto n = fs::file_size(file) / sizeof(std::int64_t);
    const auto at = latency.size();
    latency.resize(at + n);
    std::ifstream in(file, std::ios::binary);
    in.read(reinterpret_cast<char*>(latency.data() + at),
            static_cast<std::streamsize>(n * sizeof(std::int64_t)));
  }
  std::sort(latency.begin(), latency.end());
  const double window_s = static_cast<double>(total.last_hub_us - total.first_commit_us) / 1e6;
  const double offered_s = static_cast<double>(total.last_commit_us - total.first_commit_us) / 1e6;
  const double rate = window_s > 0 ? static_cast<double>(total.written_at_hub) / window_s : 0;
  const double batch_bytes =
      total.sent_batches > 0 ? static_cast<double>(total.sent_bytes) / static_cast<double>(total.sent_batches)
                             : 0;
  std::printf("== reconciliation: each store's ledger and outbox against the hub's rows in PostgreSQL\n");
  std::printf(
      "   ledgers: %lld sales; hub: %lld distinct sales, %lld records in all (with heartbeats and KPI "
      "days)\n",
      static_cast<long long>(total.ledger_sales), static_cast<long long>(total.hub_sale_keys),
      static_cast<long long>(total.hub_records));
  std::printf("   records the stores' transactions wrote: %lld; at the hub: %lld\n",
              static_cast<long long>(total.written), static_cast<long long>(total.written_at_hub));
  std::printf("lost: %lld, doubled: %lld (stores with a difference: %d of %d)\n",
              static_cast<long long>(total.lost), static_cast<long long>(total.doubled),
              total.stores_with_problems, o.stores);
  std::printf("== figures\n");
  std::printf(
      "through the hub: %lld records in %.1f s = %.0f records/s (first store commit to the hub's last "
      "commit; the stores committed them over %.1f s)\n",
      static_cast<long long>(total.written_at_hub), window_s, rate, offered_s);
  if (total.commit_times && !latency.empty()) {
    std::printf("latency, store commit -> hub commit: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%zu records)\n",
                percentile_ms(latency, 0.50), percentile_ms(latency, 0.99), percentile_ms(latency, 1.0),
                latency.size());
  } else {
    std::printf("latency: unknown (PostgreSQL's track_commit_timestamp is off)\n");
  }
  std::printf(
      "stores sent %lld records in %lld batches, %.0f bytes a batch on average (%.1f records a batch; "
      "resends included)\n",
      static_cast<long long>(total.sent_records), static_cast<long long>(total.sent_batches), batch_bytes,
      total.sent_batches > 0
          ? static_cast<double>(total.sent_records) / static_cast<double>(total.sent_batches)
          : 0.0);
  std::printf("the day and the drain took %.1f s\n", run_s);
  if (!o.summary.empty()) {
    std::ofstream out(o.summary);
    out << "hub_rate=" << static_cast<long long>(rate)
        << "\nbatch_bytes=" << static_cast<long long>(batch_bytes) << "\nbatches=" << total.sent_batches
        << "\nwindow_s=" << window_s << "\nlost=" << total.lost << "\ndoubled=" << total.doubled << "\n";
  }
  const bool drained = total.written_at_hub == total.written;
  if (!drained)
    std::printf("not drained: %lld records written never reached the hub\n",
                static_cast<long long>(total.written - total.written_at_hub));
  return total.lost == 0 && total.doubled == 0 && drained ? 0 : 1;
}
