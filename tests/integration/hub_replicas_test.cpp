// Two real `regua-hub run` replicas on one PostgreSQL share the stores' streams through the MQTT v5
// shared subscription (the real Mosquitto over TLS); one is SIGKILLed mid-stream, the other goes
// on alone, and the reconciliation checker shows every sale of every store at the hub once.

#include <cstdlib>

#include "cloud/storage/postgres_hub_store.hpp"
#include "tests/integration/sync_support.hpp"
#include "tests/support/postgres_server.hpp"

namespace regua::test {
namespace {

void write_store_sales(AgentStore& store, int from, int to) {
  std::string text;
  for (int n = from; n < to; ++n) {
    const int minute = n % 600;
    const std::string when = "2026-03-02T" + std::string(minute / 60 + 9 < 10 ? "0" : "") +
                             std::to_string(minute / 60 + 9) + ":" + (minute % 60 < 10 ? "0" : "") +
                             std::to_string(minute % 60) + ":00-03:00";
    text += pos_sale(n, when);
    if (n % 41 == 0) text += pos_cancel(n, when);
  }
  append_file(store.pos_file, text);
}

// The log's summary lines ("hub: N batch(es), M new record(s), ...") add up to this many new records.
std::int64_t new_records_logged(const std::filesystem::path& log) {
  const auto text = read_file(log);
  std::int64_t total = 0;
  for (std::size_t at = text.find(" batch(es), "); at != std::string::npos;
       at = text.find(" batch(es), ", at + 1)) {
    total += std::stoll(text.substr(at + 12));
  }
  return total;
}

TEST(HubReplicasTest, TwoReplicasOnPostgresqlOneKilledMidStreamLoseAndDoubleNothing) {
  auto& pg = shared_postgres();
  ASSERT_TRUE(pg.ok()) << pg.failure();
  const auto conninfo = pg.fresh_database();
  ASSERT_FALSE(conninfo.empty()) << pg.failure();

  const std::vector<std::string> ids{"centro", "norte", "sul"};
  SyncNetwork net(ids);
  net.hub_keys = "storage = \"postgresql\"\npostgresql = \"" + conninfo + "\"\nstats_every_s = 1\n";
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  std::vector<std::unique_ptr<AgentStore>> stores;
  std::vector<std::unique_ptr<ChildProcess>> agents;
  for (const auto& id : ids) {
    stores.push_back(std::make_unique<AgentStore>(id));
    net.join(*stores.back(), id);
  }
  auto hub_a = net.start_hub("hub-a.log");
  auto hub_b = net.start_hub("hub-b.log");
  for (auto& store : stores)
    agents.push_back(store->start_agent());

  // Both replicas take a share of the streams before one dies.
  int written = 0;
  auto write_more = [&](int n) {
    for (auto& store : stores)
      write_store_sales(*store, written, written + n);
    written += n;
  };
  write_more(300);
  int looks = 0;
  ASSERT_TRUE(wait_until([&] {
    if (new_records_logged(net.dir / "hub-a.log") > 0 && new_records_logged(net.dir / "hub-b.log") > 0)
      return true;
    if (++looks % 20 == 0) write_more(20);  // a trickle of sales, a second apart, until both have some
    return false;
  })) << "replica a:\n"
      << read_file(net.dir / "hub-a.log") << "\nreplica b:\n"
      << read_file(net.dir / "hub-b.log");

  auto hub = hub::open_postgres_hub_store(conninfo);
  ASSERT_TRUE(hub.ok()) << hub.error().message;
  auto records_at_hub = [&] {
    std::int64_t total = 0;
    auto rows = (*hub)->stores();
    if (rows.ok()) {
      for (const auto& row : *rows)
        total += row.records;
    }
    return total;
  };

  // Mid-stream: a burst of sales, and replica a is killed while the hub is storing it (between a
  // commit and its ack, or holding batches the broker gave it and it never stored).
  const auto before_burst = records_at_hub();
  write_more(1500);
  ASSERT_TRUE(wait_until([&] { return records_at_hub() >= before_burst + 300; })) << records_at_hub();
  hub_a->signal(SIGKILL);
  hub_a->wait();
  const auto at_kill = records_at_hub();
  const auto b_before = new_records_logged(net.dir / "hub-b.log");
  write_more(300);

  auto all_reconcile = [&] {
    for (std::size_t i = 0; i < stores.size(); ++i) {
      if (!reconcile_sync({stores[i]->pos_file}, stores[i]->ledger, **hub, ids[i], false).ok()) return false;
    }
    return true;
  };
  EXPECT_TRUE(wait_until(all_reconcile, std::chrono::seconds(120)))
      << reconcile_sync({stores[0]->pos_file}, stores[0]->ledger, **hub, ids[0], false).text()
      << "\nreplica b:\n"
      << read_file(net.dir / "hub-b.log");

  EXPECT_TRUE(wait_until([&] { return new_records_logged(net.dir / "hub-b.log") > b_before; }))
      << "replica b went on alone";

  // The network model from the agents' real heartbeats: each store seen, with its agent, outbox
  // depth and a clock skew of about zero (all on this machine).
  EXPECT_TRUE(wait_until([&] {
    const auto r = net.hub_command({"stores", "--json"});
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (r.exit_code != 0 || !j.is_object() || j["stores"].size() != ids.size()) return false;
    for (const auto& h : j["stores"]) {
      if (h["silent"] != false || h["agent"] != "0.1.0" || !h["outbox_depth"].is_number() ||
          !h["clock_skew_s"].is_number() || std::abs(h["clock_skew_s"].get<std::int64_t>()) > 5)
        return false;
    }
    return true;
  })) << net.hub_command({"stores", "--json"}).out;

  for (auto& agent : agents) {
    agent->signal(SIGTERM);
    EXPECT_EQ(agent->wait(), 0);
  }
  hub_b->signal(SIGTERM);
  EXPECT_EQ(hub_b->wait(), 0);
  EXPECT_LT(at_kill, records_at_hub()) << "the replica died mid-stream: the rest came after";
  for (std::size_t i = 0; i < stores.size(); ++i) {
    const auto r = reconcile_sync({stores[i]->pos_file}, stores[i]->ledger, **hub, ids[i], false);
    EXPECT_TRUE(r.ok()) << ids[i] << ": " << r.text();
    EXPECT_EQ(r.pos_sales, written) << ids[i];
    EXPECT_GE(r.hub_contiguous, r.ledger_acked)
        << ids[i] << ": the store deletes only what the hub committed";
  }
}

}  // namespace
}  // namespace regua::test
