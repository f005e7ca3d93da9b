// The HQ API in process: the real HTTPS server on a loopback port with a throwaway CA, a real
// SQLite hub database fed the records three stores would send, and tokens of every role. Figures
// are checked against values worked out by hand from the records fed in (the comments show the
// arithmetic), never against the functions that compute them.

#include <set>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cloud/api/api_tokens.hpp"
#include "cloud/api/hub_api_server.hpp"
#include "cloud/storage/sqlite_hub_store.hpp"
#include "sync/pii.hpp"
#include "sync/rule_pack.hpp"
#include "sync/signing.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/ledger_fixture.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {
namespace {

using nlohmann::json;

constexpr std::string_view kPiiKey = "network-secret-key-0001";

constexpr const char* kApiGoodPack = R"([[rule]]
id = "volte-20d"
trigger = { kind = "days_without_purchase", days = 20 }
action = { kind = "task", title = "Ligar para {first_name}" }
)";

std::string pack_body(const std::string& rules, const std::string& target, const std::string& note = "") {
  nlohmann::json body{{"rules", rules}, {"target", target}};
  if (!note.empty()) body["note"] = note;
  return body.dump();
}

// Three stores: centro (region sul, format loja), norte (norte, quiosque), praia (sul, quiosque).
// The hub's clock: 2026-04-01 12:00 UTC.
class HubApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pki.ok()) << pki.error();
    auto feed_store = hub::open_sqlite_hub_store(dir / "hub.db");
    ASSERT_TRUE(feed_store.ok()) << feed_store.error().message;
    feed = std::move(*feed_store);
    feed_network();
    admin = token(hub::ApiRole::network_admin, "", "HQ ops");
    analyst = token(hub::ApiRole::analyst, "", "BI");
    manager = token(hub::ApiRole::store_manager, "centro", "Gerente Centro");
    norte_manager = token(hub::ApiRole::store_manager, "norte", "Gerente Norte");

    config.file = dir / "hub.toml";
    config.network = "rede";
    config.database = dir / "hub.db";
    config.api.host = "127.0.0.1";
    config.api.port = free_loopback_port();
    config.api.cert = pki.server_cert();
    config.api.key = pki.server_key();
    config.signing_key = dir / "hq.key";
    ASSERT_EQ(run_command({kOpenssl, "genpkey", "-algorithm", "ED25519", "-out", config.signing_key.string()})
                  .exit_code,
              0);
    auto api_store = hub::open_sqlite_hub_store(dir / "hub.db");
    ASSERT_TRUE(api_store.ok());
    auto started = hub::HubApiServer::start(config, std::move(*api_store), clock, nullptr);
    ASSERT_TRUE(started.ok()) << started.error().message;
    server = std::move(*started);
  }

  std::string token(hub::ApiRole role, const std::string& store, const std::string& name) {
    auto t = hub::make_api_token(role, store, name, clock.now());
    EXPECT_TRUE(t.ok());
    EXPECT_TRUE(feed->add_api_token(t->stored).ok());
    return t->secret;
  }

  void put(const std::string& store, std::vector<std::tuple<std::string, std::string, json>> records) {
    sync::DecodedBatch b;
    b.store = store;
    auto& next = next_seq[store];
    b.first = next + 1;
    for (auto& [kind, key, body] : records) {
      sync::DecodedRecord r;
      r.seq = ++next;
      r.kind = kind;
      r.key = key;
      body["seq"] = r.seq;
      body["kind"] = kind;
      r.body = body;
      b.records.push_back(std::move(r));
    }
    b.last = next;
    auto stored = feed->store_batch(b, clock.now());
    ASSERT_TRUE(stored.ok()) << stored.error().message;
  }

  static std::tuple<std::string, std::string, json> kpi_day(const std::string& day, int sales, int revenue,
                                                            int customers, int fresh, int cancellations) {
    return {"kpi_day",
            "kpi_day:" + day,
            {{"day", day},
             {"sales", sales},
             {"revenue_cents", revenue},
             {"customers", customers},
             {"new_customers", fresh},
             {"cancellations", cancellations}}};
  }

  std::tuple<std::string, std::string, json> segment(int customer, const char* cell, const std::string& day) {
    return {"segment",
            "segment:" + std::to_string(++segment_ids),
            {{"customer", customer},
             {"cell", cell},
             {"previous_cell", nullptr},
             {"day", day},
             {"at", 0},
             {"cause", "sale"}}};
  }

  static std::tuple<std::string, std::string, json> task(int id, const char* state, const std::string& due) {
    return {"task",
            "task:" + std::to_string(id),
            {{"customer", 1},
             {"rule", "call-after-sale"},
             {"title", "Ligar"},
             {"channel", "call"},
             {"state", state},
             {"outcome", nullptr},
             {"created_at", at("2026-03-01T10:00:00Z").time_since_epoch().count()},
             {"due_at", at(due).time_since_epoch().count()},
             {"expires_at", at("2026-06-01T10:00:00Z").time_since_epoch().count()},
             {"closed_at", nullptr},
             {"close_reason", nullptr},
             {"assignee", nullptr}}};
  }

  static std::tuple<std::string, std::string, json> customer(int id, json fields) {
    fields["id"] = id;
    fields["consents"] = json::object();
    return {"customer", "customer:" + std::to_string(id), fields};
  }

  static std::tuple<std::string, std::string, json> sale(int id, json customer_id, int total,
                                                         bool cancelled = false) {
    return {"sale",
            "sale:" + std::to_string(id),
            {{"id", id},
             {"pos_id", "V-" + std::to_string(id)},
             {"customer", customer_id},
             {"sold_at", 1'772'000'000},
             {"total_cents", total},
             {"cancelled_at", cancelled ? json(1'772'000'100) : json(nullptr)},
             {"items", json::array()}}};
  }

  static std::string cpf_hash(const std::string& cpf) { return sync::hmac_sha256_hex(kPiiKey, cpf); }

  void feed_network() {
    ASSERT_TRUE(feed->set_store_profile({"centro", "Loja Centro", "sul", "loja", std::nullopt}).ok());
    ASSERT_TRUE(feed->set_store_profile({"norte", "Quiosque Norte", "norte", "quiosque", std::nullopt}).ok());
    ASSERT_TRUE(feed->set_store_profile({"praia", "Quiosque Praia", "sul", "quiosque", std::nullopt}).ok());
    // centro, March: 2 roll-ups (5 sales, 400.00, 1 new customer); February: 1 roll-up.
    // Its customers: c1 new_active since Jan 10, promising_active from Mar 2; c2 new_active from
    // Feb 20; c3 inactive since Jan 1; c4 slipping from Feb 1, inactive from Mar 15; c5 new from Mar 2.
    put("centro", {kpi_day("2026-02-20", 5, 99'900, 3, 2, 0), kpi_day("2026-03-02", 3, 30'000, 2, 1, 0),
                   kpi_day("2026-03-10", 2, 10'000, 2, 0, 1), segment(3, "new_active", "2025-10-01"),
                   segment(3, "new_inactive", "2026-01-01"), segment(1, "new_active", "2026-01-10"),
                   segment(4, "new_slipping", "2026-02-01"), segment(2, "new_active", "2026-02-20"),
                   segment(1, "promising_active", "2026-03-02"), segment(5, "new_active", "2026-03-02"),
                   segment(4, "new_inactive", "2026-03-15")});
    // norte: 4 sales, 200.00, 2 new customers on Mar 5; n3 loyal and active since December.
    put("norte", {kpi_day("2026-03-05", 4, 20'000, 3, 2, 0), segment(3, "loyal_active", "2025-12-01"),
                  segment(1, "new_active", "2026-03-05"), segment(2, "new_active", "2026-03-05")});
    // praia: its first customer on Mar 20.
    put("praia", {kpi_day("2026-03-20", 1, 5'000, 1, 1, 0), segment(1, "new_active", "2026-03-20")});

    // Tasks (hub clock 2026-04-01): centro 2 open, 1 overdue; norte 2 open, both overdue.
    put("centro", {task(1, "open", "2026-03-20T10:00:00Z"), task(2, "open", "2026-05-01T10:00:00Z"),
                   task(3, "done", "2026-03-02T10:00:00Z")});
    put("norte", {task(7, "open", "2026-03-10T10:00:00Z"), task(8, "open", "2026-03-31T10:00:00Z"),
                  task(9, "cancelled", "2026-03-02T10:00:00Z")});

    // Customers under the hashed policy in centro and norte (the same network key), none in praia.
    // Person A: CPF 529.982.247-25 in centro (1) and norte (11); person B: one mobile in centro (3)
    // and norte (12). centro 2 and norte 13 are only in one store each.
    const auto a = cpf_hash("52998224725");
    const auto mobile_b = sync::hmac_sha256_hex(kPiiKey, "+5511987654321");
    put("centro",
        {customer(
             1, {{"pos_id_hash", "p1"}, {"cpf_hash", a}, {"mobile_hash", nullptr}, {"email_hash", nullptr}}),
         customer(2,
                  {{"pos_id_hash", "p2"}, {"cpf_hash", cpf_hash("11144477735")}, {"mobile_hash", nullptr}}),
         customer(3, {{"pos_id_hash", "p3"}, {"cpf_hash", nullptr}, {"mobile_hash", mobile_b}}),
         sale(1, 1, 10'000), sale(2, 2, 5'000), sale(3, 3, 3'000), sale(4, nullptr, 2'000),
         sale(5, 1, 9'999, true)});
    put("norte",
        {customer(11, {{"pos_id_hash", "q1"}, {"cpf_hash", a}, {"mobile_hash", nullptr}}),
         customer(12, {{"pos_id_hash", "q2"}, {"cpf_hash", nullptr}, {"mobile_hash", mobile_b}}),
         customer(13,
                  {{"pos_id_hash", "q3"}, {"cpf_hash", cpf_hash("39053344705")}, {"mobile_hash", nullptr}}),
         sale(1, 11, 7'000), sale(2, 12, 1'000), sale(3, 13, 4'000)});
    put("praia", {customer(21, json::object()), sale(1, 21, 500)});
  }

  struct Answer {
    int status = 0;
    json body;
    std::string text;
    httplib::Headers headers;
  };

  Answer call(const std::string& method, const std::string& path, const std::string& bearer,
              const std::string& body = "", httplib::Headers headers = {}) {
    httplib::Client client("https://127.0.0.1:" + std::to_string(config.api.port));
    client.set_ca_cert_path(pki.ca_cert().string());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(10, 0);
    client.set_read_timeout(30, 0);
    if (!bearer.empty()) headers.emplace("Authorization", "Bearer " + bearer);
    auto r = method == "POST"      ? client.Post(path, headers, body, "application/json")
             : method == "OPTIONS" ? client.Options(path, headers)
                                   : client.Get(path, headers);
    Answer a;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": " << httplib::to_string(r.error());
      return a;
    }
    a.status = r->status;
    a.text = r->body;
    a.headers = r->headers;
    a.body = json::parse(r->body, nullptr, false);
    return a;
  }

  Answer get(const std::string& path, const std::string& bearer) { return call("GET", path, bearer); }

  TempDir dir;
  TestPki pki{dir / "pki"};
  ManualClock clock{at("2026-04-01T12:00:00Z")};
  std::unique_ptr<hub::HubStore> feed;
  std::map<std::string, std::int64_t> next_seq;
  int segment_ids = 0;
  hub::HubConfig config;
  std::unique_ptr<hub::HubApiServer> server;
  std::string admin, analyst, manager, norte_manager;
};

const json& group_named(const json& answer, const std::string& name) {
  for (const auto& g : answer["groups"]) {
    if (g["group"] == name) return g;
  }
  static const json none;
  ADD_FAILURE() << "no group " << name << " in " << answer.dump();
  return none;
}

TEST_F(HubApiTest, EveryEndpointAnswersEachRoleAsDocumented) {
  struct Case {
    std::string method, path, body;
    int admin, analyst, manager;
  };
  const std::vector<Case> cases{
      {"GET", "/api/v1/stores", "", 200, 200, 200},
      {"GET", "/api/v1/stores/centro", "", 200, 200, 200},
      {"GET", "/api/v1/stores/norte", "", 200, 200, 403},
      {"GET", "/api/v1/stores/nosuch", "", 404, 404, 403},
      {"GET", "/api/v1/kpis?from=2026-03-01&to=2026-03-31", "", 200, 200, 200},
      {"GET", "/api/v1/kpis?from=2026-03-01&to=2026-03-31&group=region", "", 200, 200, 403},
      {"GET", "/api/v1/kpis?store=norte", "", 200, 200, 403},
      {"GET", "/api/v1/matrix?day=2026-03-31", "", 200, 200, 200},
      {"GET", "/api/v1/matrix?day=2026-03-31&group=network", "", 200, 200, 403},
      {"GET", "/api/v1/rankings?from=2026-03-01&to=2026-03-31", "", 200, 200, 403},
      {"GET", "/api/v1/tasks", "", 200, 200, 200},
      {"GET", "/api/v1/stores/centro/tasks", "", 200, 200, 200},
      {"GET", "/api/v1/stores/norte/tasks?state=all", "", 200, 200, 403},
      {"POST", "/api/v1/stores/centro/tasks/1/close", R"({"reason":"resolved by phone"})", 202, 403, 202},
      {"POST", "/api/v1/stores/norte/tasks/7/reassign", R"({"to":"Ana"})", 202, 403, 403},
      {"GET", "/api/v1/customers/cross-store", "", 200, 200, 403},
      {"GET", "/api/v1/customers/cross-store/list", "", 200, 403, 403},
      {"GET", "/metrics", "", 200, 200, 200},
      {"GET", "/api/v1/rule-packs", "", 200, 200, 200},
      {"GET", "/api/v1/rule-packs/adoption", "", 200, 200, 200},
      {"POST", "/api/v1/rule-packs/validate", pack_body(kApiGoodPack, "all"), 200, 200, 403},
      {"POST", "/api/v1/rule-packs", pack_body(kApiGoodPack, "all"), 201, 403, 403},
      {"GET", "/api/v1/rule-packs/1", "", 200, 200, 200},
  };
  for (const auto& c : cases) {
    for (const auto& [who, bearer, expected] :
         {std::tuple{"network_admin", admin, c.admin}, std::tuple{"analyst", analyst, c.analyst},
          std::tuple{"store_manager", manager, c.manager}}) {
      const auto a = call(c.method, c.path, bearer, c.body);
      EXPECT_EQ(a.status, expected) << who << " " << c.method << " " << c.path << ": " << a.text;
      if (a.status >= 400) {
        EXPECT_TRUE(a.body.is_object() && a.body["error"].is_string() && a.body["what_to_do"].is_string())
            << who << " " << c.path << ": errors are {error, what_to_do}: " << a.text;
      }
      // A store manager never sees another store's data, whatever it asks.
      if (std::string(who) == "store_manager" && a.status < 300) {
        EXPECT_EQ(a.text.find("norte"), std::string::npos) << c.path << ": " << a.text;
        EXPECT_EQ(a.text.find("praia"), std::string::npos) << c.path << ": " << a.text;
      }
      EXPECT_FALSE(a.headers.count("Access-Control-Allow-Origin")) << "no CORS: " << c.path;
    }
    // Without a token, with a wrong one, with a revoked one: 401 (every endpoint needs one).
    for (const auto& bearer : {std::string{}, std::string("rgh_") + std::string(64, '0')}) {
      const auto a = call(c.method, c.path, bearer, c.body);
      EXPECT_EQ(a.status, 401) << c.path << " with " << (bearer.empty() ? "no token" : "a wrong token");
      EXPECT_TRUE(a.body.is_object() && a.body["what_to_do"].is_string()) << a.text;
      EXPECT_EQ(a.headers.count("WWW-Authenticate"), 1U);
    }
  }
}

TEST_F(HubApiTest, ARevokedTokenIsRefusedFromItsNextRequest) {
  EXPECT_EQ(get("/api/v1/stores", norte_manager).status, 200);
  auto tokens = feed->api_tokens();
  ASSERT_TRUE(tokens.ok());
  for (const auto& t : *tokens) {
    EXPECT_NE(t.hash, norte_manager) << "the database keeps no token";
    EXPECT_EQ(t.hash.size(), 64U);
    if (t.store == "norte") {
      ASSERT_TRUE(feed->revoke_api_token(t.id, clock.now()).ok());
    }
  }
  const auto refused = get("/api/v1/stores", norte_manager);
  EXPECT_EQ(refused.status, 401) << refused.text;
  EXPECT_EQ(get("/api/v1/stores", admin).status, 200) << "the others still work";
}

TEST_F(HubApiTest, StoresCarryTheirGroupsAndAManagerSeesOnlyItsOwn) {
  const auto all = get("/api/v1/stores", analyst);
  ASSERT_EQ(all.status, 200) << all.text;
  ASSERT_EQ(all.body["stores"].size(), 3U);
  EXPECT_EQ(all.body["stores"][0]["store"], "centro");
  EXPECT_EQ(all.body["stores"][0]["region"], "sul");
  EXPECT_EQ(all.body["stores"][1]["format"], "quiosque");
  const auto own = get("/api/v1/stores", manager);
  ASSERT_EQ(own.body["stores"].size(), 1U);
  EXPECT_EQ(own.body["stores"][0]["store"], "centro");
  const auto one = get("/api/v1/stores/norte", admin);
  EXPECT_EQ(one.body["store"], "norte");
  EXPECT_EQ(one.body["name"], "Quiosque Norte");
}

TEST_F(HubApiTest, NetworkKpisAddUpTheStoresFiguresPerGroup) {
  const auto a = get("/api/v1/kpis?from=2026-03-01&to=2026-03-31&group=network", analyst);
  ASSERT_EQ(a.status, 200) << a.text;
  const auto& net = group_named(a.body, "network")["total"];
  // Orders 5 + 4 + 1; revenue 400.00 + 200.00 + 50.00; ticket 650.00 / 10.
  EXPECT_EQ(net["orders"], 10);
  EXPECT_EQ(net["revenue_cents"], 65'000);
  EXPECT_EQ(net["average_ticket_cents"], 6'500);
  EXPECT_EQ(net["cancellations"], 1);
  EXPECT_EQ(net["days_reported"], 4);
  // Active at the end of Feb 28: centro c1, c2, c4 (slipping); norte n3. At the end of Mar 31:
  // centro c1, c2, c5; norte n1, n2, n3; praia p1. New in March: 1 + 2 + 1.
  EXPECT_EQ(net["customers_at_start"], 4);
  EXPECT_EQ(net["customers_at_end"], 7);
  EXPECT_EQ(net["new_customers"], 4);
  EXPECT_EQ(net["retained_customers"], 3);                          // c1, c2, n3
  EXPECT_EQ(net["lost_customers"], 1);                              // c4
  EXPECT_EQ(net["customers_total"], 9);                             // c1..c5, n1..n3, p1
  EXPECT_DOUBLE_EQ(net["retention_rate"].get<double>(), 75.0);      // (7 - 4) / 4
  EXPECT_DOUBLE_EQ(net["churn_rate"].get<double>(), 25.0);          // 1 / 4
  EXPECT_DOUBLE_EQ(net["active_base_share"].get<double>(), 77.78);  // 7 / 9

  const auto regions = get("/api/v1/kpis?from=2026-03-01&to=2026-03-31&group=region", admin);
  ASSERT_EQ(regions.body["groups"].size(), 2U);
  const auto& sul = group_named(regions.body, "sul");
  EXPECT_EQ(sul["stores"], json({"centro", "praia"}));
  EXPECT_EQ(sul["total"]["orders"], 6);
  EXPECT_EQ(sul["total"]["average_ticket_cents"], 7'500);                    // 450.00 / 6
  EXPECT_DOUBLE_EQ(sul["total"]["retention_rate"].get<double>(), 66.67);     // (4 - 2) / 3
  EXPECT_DOUBLE_EQ(sul["total"]["active_base_share"].get<double>(), 66.67);  // 4 / 6
  const auto formats = get("/api/v1/kpis?from=2026-03-01&to=2026-03-31&group=format", admin);
  const auto& quiosque = group_named(formats.body, "quiosque");
  EXPECT_DOUBLE_EQ(quiosque["total"]["retention_rate"].get<double>(), 100.0);  // (4 - 3) / 1

  // One store: praia had no active customer on Feb 28, so no retention rate.
  const auto praia = get("/api/v1/kpis?from=2026-03-01&to=2026-03-31&store=praia", admin);
  const auto& p = group_named(praia.body, "praia")["total"];
  EXPECT_TRUE(p["retention_rate"].is_null());
  EXPECT_DOUBLE_EQ(p["active_base_share"].get<double>(), 100.0);

  // By month: centro's February is its own period.
  const auto months = get("/api/v1/kpis?from=2026-02-01&to=2026-03-31&by=month", manager);
  ASSERT_EQ(months.status, 200) << months.text;
  const auto& periods = group_named(months.body, "centro")["periods"];
  ASSERT_EQ(periods.size(), 2U);
  EXPECT_EQ(periods[0]["label"], "2026-02");
  EXPECT_EQ(periods[0]["orders"], 5);
  EXPECT_EQ(periods[0]["customers_at_start"], 1);                       // Jan 31: c1 only (c3 inactive)
  EXPECT_EQ(periods[0]["customers_at_end"], 3);                         // Feb 28: c1, c2, c4
  EXPECT_DOUBLE_EQ(periods[0]["retention_rate"].get<double>(), 100.0);  // (3 - 2) / 1
  EXPECT_EQ(periods[1]["label"], "2026-03");
  EXPECT_DOUBLE_EQ(periods[1]["retention_rate"].get<double>(), 66.67);  // (3 - 1) / 3
  EXPECT_EQ(group_named(months.body, "centro")["total"]["orders"], 10);

  const auto bad = get("/api/v1/kpis?from=2026-13-01", admin);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body["error"].get<std::string>().find("from"), std::string::npos) << bad.text;
  EXPECT_EQ(get("/api/v1/kpis?by=fortnight", admin).status, 400);
  EXPECT_EQ(get("/api/v1/kpis?from=2020-01-01&to=2026-01-01&by=day", admin).status, 400);
}

TEST_F(HubApiTest, TheLifecycleMatrixCountsEachStoresCustomersByCell) {
  const auto a = get("/api/v1/matrix?day=2026-03-31&group=network", analyst);
  ASSERT_EQ(a.status, 200) << a.text;
  const auto& net = group_named(a.body, "network");
  EXPECT_EQ(net["customers"], 9);
  EXPECT_EQ(net["active"], 7);
  EXPECT_EQ(net["cells"]["new_active"], 5);  // c2, c5, n1, n2, p1
  EXPECT_EQ(net["cells"]["promising_active"], 1);
  EXPECT_EQ(net["cells"]["loyal_active"], 1);
  EXPECT_EQ(net["cells"]["new_inactive"], 2);  // c3, c4
  EXPECT_EQ(net["cells"]["new_slipping"], 0);
  EXPECT_EQ(net["healthy"], true);
  // On Feb 28, c4 was still slipping and c5 not a customer yet.
  const auto feb = get("/api/v1/matrix?day=2026-02-28", manager);
  const auto& centro = group_named(feb.body, "centro");
  EXPECT_EQ(centro["cells"]["new_slipping"], 1);
  EXPECT_EQ(centro["cells"]["new_active"], 2);
  EXPECT_EQ(centro["customers"], 4);
}

TEST_F(HubApiTest, RankingsPutTheBestFirstAndTheBacklogsZeroFirst) {
  const auto by_retention = get("/api/v1/rankings?from=2026-03-01&to=2026-03-31", admin);
  ASSERT_EQ(by_retention.status, 200) << by_retention.text;
  const auto& r = by_retention.body["stores"];
  ASSERT_EQ(r.size(), 3U);
  EXPECT_EQ(r[0]["store"], "norte");  // 100.0
  EXPECT_EQ(r[0]["rank"], 1);
  EXPECT_EQ(r[1]["store"], "centro");  // 66.67
  EXPECT_EQ(r[2]["store"], "praia");   // no rate: unranked
  EXPECT_TRUE(r[2]["rank"].is_null());
  const auto by_overdue = get("/api/v1/rankings?from=2026-03-01&to=2026-03-31&sort=overdue_tasks", analyst);
  const auto& o = by_overdue.body["stores"];
  EXPECT_EQ(o[0]["store"], "praia");
  EXPECT_EQ(o[0]["overdue_tasks"], 0);
  EXPECT_EQ(o[1]["store"], "centro");
  EXPECT_EQ(o[1]["overdue_tasks"], 1);
  EXPECT_EQ(o[2]["store"], "norte");
  EXPECT_EQ(o[2]["overdue_tasks"], 2);
  const auto by_open = get("/api/v1/rankings?sort=open_tasks", analyst);
  const auto& open = by_open.body["stores"];
  EXPECT_EQ(open[1]["rank"], 2);
  EXPECT_EQ(open[2]["rank"], 2) << "centro and norte both have 2 open tasks: one rank";
  EXPECT_EQ(get("/api/v1/rankings?sort=size", admin).status, 400);
}

TEST_F(HubApiTest, TaskBacklogsAndClosingATaskBecomesAnOrderToItsStore) {
  const auto backlog = get("/api/v1/tasks", analyst);
  ASSERT_EQ(backlog.status, 200) << backlog.text;
  EXPECT_EQ(backlog.body["open"], 4);
  EXPECT_EQ(backlog.body["overdue"], 3);
  const auto mine = get("/api/v1/tasks", manager);
  ASSERT_EQ(mine.body["stores"].size(), 1U);
  EXPECT_EQ(mine.body["stores"][0]["open"], 2);
  EXPECT_EQ(mine.body["stores"][0]["overdue"], 1);
  const auto list = get("/api/v1/stores/centro/tasks", manager);
  ASSERT_EQ(list.body["tasks"].size(), 2U);
  EXPECT_EQ(list.body["tasks"][0]["id"], 1);
  EXPECT_EQ(list.body["tasks"][0]["overdue"], true);
  EXPECT_EQ(list.body["tasks"][1]["overdue"], false);
  EXPECT_EQ(get("/api/v1/stores/centro/tasks?state=all", manager).body["tasks"].size(), 3U);

  const auto closed =
      call("POST", "/api/v1/stores/centro/tasks/1/close", manager, R"({"reason":"resolvido"})");
  ASSERT_EQ(closed.status, 202) << closed.text;
  const auto reassigned = call("POST", "/api/v1/stores/norte/tasks/8/reassign", admin, R"({"to":"Bia"})");
  ASSERT_EQ(reassigned.status, 202) << reassigned.text;
  auto orders = feed->orders_to_send(clock.now() + std::chrono::seconds(1), std::nullopt);
  ASSERT_TRUE(orders.ok());
  ASSERT_EQ(orders->size(), 2U);
  std::map<std::string, hub::PendingOrder> by_store;
  for (const auto& o : *orders)
    by_store[o.store] = o;
  EXPECT_EQ(by_store["centro"].order_id, closed.body["order"]);
  EXPECT_EQ(by_store["centro"].body, json({{"order", "task_close"}, {"task", 1}, {"reason", "resolvido"}}));
  EXPECT_EQ(by_store["norte"].body, json({{"order", "task_reassign"}, {"task", 8}, {"to", "Bia"}}));

  EXPECT_EQ(call("POST", "/api/v1/stores/centro/tasks/3/close", admin).status, 409) << "task 3 is done";
  EXPECT_EQ(call("POST", "/api/v1/stores/centro/tasks/99/close", admin).status, 404);
  EXPECT_EQ(call("POST", "/api/v1/stores/centro/tasks/2/reassign", admin, "{}").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/stores/centro/tasks/2/close", admin, "not json").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/stores/centro/tasks/2/close", norte_manager).status, 403);
}

TEST_F(HubApiTest, ACustomerOfTwoStoresIsRecognisedByTheHashedCpfOrMobile) {
  const auto a = get("/api/v1/customers/cross-store", analyst);
  ASSERT_EQ(a.status, 200) << a.text;
  EXPECT_EQ(a.body["customer_records"], 7);
  EXPECT_EQ(a.body["unique_customers"], 5);  // 7 records, persons A and B each in two
  EXPECT_EQ(a.body["shared_customers"], 2);
  // Sales not cancelled: 100 + 50 + 30 + 20 (anonymous) + 70 + 10 + 40 + 5 = 325.00. Person A:
  // 100 + 70; person B: 30 + 10: 210.00, 64.62 %.
  EXPECT_EQ(a.body["revenue_cents"], 32'500);
  EXPECT_EQ(a.body["identified_revenue_cents"], 30'500);
  EXPECT_EQ(a.body["shared_revenue_cents"], 21'000);
  EXPECT_DOUBLE_EQ(a.body["shared_revenue_share"].get<double>(), 64.62);
  EXPECT_EQ(a.body["not_recognised"], json({"praia"}));
  EXPECT_FALSE(a.body.contains("customers")) << "the list is for an admin";
  const auto list = get("/api/v1/customers/cross-store/list", admin);
  ASSERT_EQ(list.status, 200) << list.text;
  const auto& people = list.body["customers"];
  ASSERT_EQ(people.size(), 2U);
  EXPECT_EQ(people[0]["matched_by"], "cpf");
  EXPECT_EQ(people[0]["revenue_cents"], 17'000);
  EXPECT_EQ(people[0]["members"][0],
            json({{"store", "centro"}, {"customer", 1}, {"purchases", 1}, {"revenue_cents", 10'000}}));
  EXPECT_EQ(people[0]["members"][1]["customer"], 11);
  EXPECT_EQ(people[1]["matched_by"], "mobile");
  EXPECT_EQ(people[1]["stores"], json({"centro", "norte"}));
  EXPECT_EQ(list.text.find(cpf_hash("52998224725")), std::string::npos) << "no personal data in the list";
}

TEST_F(HubApiTest, MetricsNeedATokenAndHealthzDoesNot) {
  EXPECT_EQ(get("/metrics", "").status, 401);
  EXPECT_EQ(get("/api/v1/stores/norte", manager).status, 403);
  const auto m = get("/metrics", analyst);
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.text.find("regua_hub_stores 3\n"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("regua_hub_stores_silent 0\n"), std::string::npos) << "all sent just now: " << m.text;
  EXPECT_NE(m.text.find("regua_hub_parked_messages 0\n"), std::string::npos) << m.text;
  // Batches of 11, 4, 2, 3, 3, 8, 6 and 2 records were fed: 39.
  EXPECT_NE(m.text.find("regua_hub_records 39\n"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("regua_hub_api_requests_total{code=\"401\"} 1\n"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("regua_hub_api_requests_total{code=\"403\"} 1\n"), std::string::npos) << m.text;
  EXPECT_EQ(m.text.find("regua_hub_store_sync_lag_seconds{"), std::string::npos) << "no heartbeat yet";

  // Norte's heartbeat: 7 records wait, the oldest since 10 minutes before the heartbeat.
  const auto beat_clock = clock.now().time_since_epoch().count();
  put("norte", {{"heartbeat",
                 "heartbeat",
                 {{"agent", "0.1.0"},
                  {"clock", beat_clock},
                  {"outbox_waiting", 7},
                  {"acked", 0},
                  {"last_sale_at", nullptr},
                  {"oldest_waiting_at", beat_clock - 600}}}});
  const auto beat = get("/metrics", analyst);
  EXPECT_NE(beat.text.find("regua_hub_store_sync_lag_seconds{store=\"norte\"} 600\n"), std::string::npos)
      << beat.text;
  EXPECT_NE(beat.text.find("regua_hub_store_outbox_records{store=\"norte\"} 7\n"), std::string::npos)
      << beat.text;
  EXPECT_EQ(beat.text.find("regua_hub_store_sync_lag_seconds{store=\"centro\"}"), std::string::npos)
      << "centro sent no heartbeat";

  clock.advance(std::chrono::hours(1));  // past the default 900 s of silence
  const auto later = get("/metrics", admin);
  EXPECT_NE(later.text.find("regua_hub_stores_silent 3\n"), std::string::npos) << later.text;
  EXPECT_NE(later.text.find("regua_hub_api_requests_total{code=\"200\"} 2\n"), std::string::npos)
      << later.text;
  const auto h = get("/healthz", "");
  EXPECT_EQ(h.status, 200) << h.text;
  EXPECT_EQ(h.body["status"], "ok");
  const auto unknown = get("/api/v1/nothing", admin);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(unknown.body["what_to_do"].is_string()) << unknown.text;
  const auto preflight = call("OPTIONS", "/api/v1/stores", "");
  EXPECT_FALSE(preflight.headers.count("Access-Control-Allow-Origin")) << "no CORS preflight answer";
}

TEST_F(HubApiTest, RulePacksAreValidatedPublishedByAnAdminOnlyAndTheirAdoptionShown) {
  const auto packs = [&] { return get("/api/v1/rule-packs", admin).body["packs"]; };
  // A mistake: 422 with the checker's message naming the line and the key; nothing stored.
  const std::string bad =
      std::string(kApiGoodPack) +
      "\n[[rule]]\nid = \"aniversario\"\ntrigger = { kind = \"birthday\", days_before = 90 }\n"
      "action = { kind = \"task\", title = \"Parabéns\" }\n";
  for (const auto* path : {"/api/v1/rule-packs/validate", "/api/v1/rule-packs"}) {
    const auto a = call("POST", path, admin, pack_body(bad, "all"));
    EXPECT_EQ(a.status, 422) << path << ": " << a.text;
    ASSERT_TRUE(a.body["problems"].is_array() && !a.body["problems"].empty()) << a.text;
    const auto problem = a.body["problems"][0].get<std::string>();
    EXPECT_NE(problem.find("pack.toml:8"), std::string::npos) << problem;
    EXPECT_NE(problem.find("trigger.days_before"), std::string::npos) << problem;
  }
  EXPECT_EQ(
      call("POST", "/api/v1/rule-packs/validate", analyst, pack_body(kApiGoodPack, "all")).body["valid"],
      true);
  EXPECT_TRUE(packs().empty());
  // Only a network admin publishes.
  EXPECT_EQ(call("POST", "/api/v1/rule-packs", analyst, pack_body(kApiGoodPack, "all")).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/rule-packs", manager, pack_body(kApiGoodPack, "centro")).status, 403);
  EXPECT_TRUE(packs().empty());
  for (const auto& [body, why] :
       {std::pair{pack_body(kApiGoodPack, "não é loja"), "a bad target"},
        std::pair{pack_body("", "all"), "no rules"}, std::pair{std::string("[1]"), "not an object"},
        std::pair{pack_body(kApiGoodPack, "region:"), "no region"}}) {
    EXPECT_EQ(call("POST", "/api/v1/rule-packs", admin, body).status, 400) << why;
  }

  // Published to region sul: centro and praia take it; signed so that the stores' key verifies it.
  const auto published =
      call("POST", "/api/v1/rule-packs", admin, pack_body(kApiGoodPack, "region:sul", "inverno"));
  ASSERT_EQ(published.status, 201) << published.text;
  EXPECT_EQ(published.body["version"], 1) << "the first version, without one asked";
  EXPECT_EQ(published.body["stores"], json({"centro", "praia"}));
  EXPECT_EQ(published.body["author"], "HQ ops") << "the token's name";
  ASSERT_EQ(run_command({kOpenssl, "pkey", "-in", config.signing_key.string(), "-pubout", "-out",
                         (dir / "hq.pub").string()})
                .exit_code,
            0);
  auto whole = feed->rule_pack("region:sul", 1);
  ASSERT_TRUE(whole.ok() && whole->has_value());
  EXPECT_TRUE(sync::verify_rule_pack({"rede", 1, (*whole)->rules, (*whole)->signature}, dir / "hq.pub").ok());

  const auto list = packs();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["target"], "region:sul");
  EXPECT_EQ(list[0]["aimed_at"], "region sul");
  EXPECT_EQ(list[0]["note"], "inverno");
  EXPECT_EQ(list[0]["sha256"], sync::sha256_hex(kApiGoodPack));
  EXPECT_EQ(get("/api/v1/rule-packs/1", admin).body["rules"], kApiGoodPack);
  EXPECT_EQ(get("/api/v1/rule-packs/9", admin).status, 404);
  // A store manager sees the packs aimed at its store only.
  EXPECT_EQ(get("/api/v1/rule-packs", manager).body["packs"].size(), 1u);
  EXPECT_TRUE(get("/api/v1/rule-packs", norte_manager).body["packs"].empty());
  EXPECT_EQ(get("/api/v1/rule-packs/1", norte_manager).status, 404);
  // Versions only go up: an explicit version at or below the newest is a conflict.
  auto again = json::parse(pack_body(kApiGoodPack, "norte"));
  again["version"] = 1;
  EXPECT_EQ(call("POST", "/api/v1/rule-packs", admin, again.dump()).status, 409);

  // Adoption, from the stores' heartbeats: centro runs it, praia refused it, norte has none aimed.
  put("centro", {{"heartbeat", "heartbeat", {{"rules_version", 1}}}});
  put("praia", {{"heartbeat",
                 "heartbeat",
                 {{"rules_version", 0},
                  {"rules_refused", {{"version", 1}, {"reason", "bad signature"}, {"at", 5}}}}}});
  const auto adoption = get("/api/v1/rule-packs/adoption", admin);
  ASSERT_EQ(adoption.status, 200) << adoption.text;
  std::map<std::string, json> by_store;
  for (const auto& s : adoption.body["stores"])
    by_store[s["store"]] = s;
  EXPECT_EQ(by_store["centro"]["state"], "adopted");
  EXPECT_EQ(by_store["centro"]["running"], 1);
  EXPECT_EQ(by_store["praia"]["state"], "refused");
  EXPECT_EQ(by_store["praia"]["refused"]["reason"], "bad signature");
  EXPECT_EQ(by_store["norte"]["state"], "none");
  const auto own = get("/api/v1/rule-packs/adoption", manager).body["stores"];
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0]["store"], "centro");
}

TEST_F(HubApiTest, TheDashboardsPagesAreServedWithAStrictPolicyToThisHostOnly) {
  for (const auto* path : {"/", "/signin", "/kpis", "/tasks", "/matrix", "/rules"}) {
    const auto a = call("GET", path, "");
    EXPECT_EQ(a.status, 200) << path;
    EXPECT_EQ(a.headers.find("Content-Type")->second, "text/html; charset=utf-8") << path;
    EXPECT_NE(a.text.find("Régua HQ"), std::string::npos) << path;
    EXPECT_EQ(a.text.find("<script>"), std::string::npos) << path << ": no inline script";
    EXPECT_EQ(a.text.find("style="), std::string::npos) << path << ": no inline style";
    const auto csp = a.headers.find("Content-Security-Policy");
    ASSERT_NE(csp, a.headers.end()) << path;
    EXPECT_NE(csp->second.find("script-src 'self'"), std::string::npos);
    EXPECT_NE(csp->second.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(a.headers.find("X-Frame-Options")->second, "DENY");
    EXPECT_FALSE(a.headers.count("Access-Control-Allow-Origin"));
    EXPECT_FALSE(a.headers.count("Set-Cookie")) << "no cookie: the token lives in the tab";
  }
  // The publish button is for network admins only; the frame marks the page's own link.
  const auto rules = call("GET", "/rules", "");
  EXPECT_NE(rules.text.find(R"(id="publish" class="button primary" data-roles="network_admin")"),
            std::string::npos);
  EXPECT_NE(rules.text.find(R"(<a href="/rules" aria-current="page")"), std::string::npos);
  const auto script = call("GET", "/assets/api.js", "");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.headers.find("Content-Type")->second, "text/javascript; charset=utf-8");
  const auto etag = script.headers.find("ETag")->second;
  EXPECT_EQ(call("GET", "/assets/api.js", "", "", {{"If-None-Match", etag}}).status, 304);
  for (const auto* catalogue : {"/assets/i18n/pt-BR.json", "/assets/i18n/en.json"})
    EXPECT_TRUE(call("GET", catalogue, "").body.is_object()) << catalogue;
  for (const auto* path : {"/index.html", "/_layout.html", "/nosuch", "/assets/nosuch.js"})
    EXPECT_EQ(call("GET", path, "").status, 404) << path;

  // DNS rebinding: a page asked by another name is refused; so is a page from another origin.
  const auto port = std::to_string(config.api.port);
  EXPECT_EQ(call("GET", "/", "", "", {{"Host", "evil.example:" + port}}).status, 403);
  EXPECT_EQ(call("GET", "/assets/api.js", "", "", {{"Host", "hq.rede.com.br:" + port}}).status, 403);
  EXPECT_EQ(call("GET", "/", "", "", {{"Origin", "https://evil.example"}}).status, 403);
  EXPECT_EQ(call("GET", "/", "", "", {{"Host", "localhost:" + port}}).status, 200);
  // The API itself is for any client by any name: the token is what it checks.
  EXPECT_EQ(call("GET", "/api/v1/stores", admin, "", {{"Host", "hub.internal:" + port}}).status, 200);

  // Who is signed in, as the pages show it.
  const auto me = get("/api/v1/me", manager);
  EXPECT_EQ(me.body["role"], "store_manager");
  EXPECT_EQ(me.body["store"], "centro");
  EXPECT_EQ(me.body["name"], "Gerente Centro");
  EXPECT_EQ(get("/api/v1/me", analyst).body["role"], "analyst");
  EXPECT_EQ(get("/api/v1/me", "").status, 401);
}

TEST(HubApiDashboard, ANameListedInHostNamesIsAccepted) {
  TempDir dir;
  TestPki pki{dir / "pki"};
  ASSERT_TRUE(pki.ok()) << pki.error();
  ManualClock clock{at("2026-04-01T12:00:00Z")};
  hub::HubConfig config;
  config.file = dir / "hub.toml";
  config.network = "rede";
  config.api.host = "127.0.0.1";
  config.api.port = free_loopback_port();
  config.api.cert = pki.server_cert();
  config.api.key = pki.server_key();
  config.api.host_names = {"hq.rede.com.br"};
  auto store = hub::open_sqlite_hub_store(dir / "hub.db");
  ASSERT_TRUE(store.ok());
  auto server = hub::HubApiServer::start(config, std::move(*store), clock, nullptr);
  ASSERT_TRUE(server.ok()) << server.error().message;
  httplib::Client client("https://127.0.0.1:" + std::to_string(config.api.port));
  client.set_ca_cert_path(pki.ca_cert().string());
  client.enable_server_certificate_verification(false);  // the certificate names localhost only
  const auto port = std::to_string(config.api.port);
  auto listed = client.Get("/", {{"Host", "hq.rede.com.br:" + port}});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  auto other = client.Get("/", {{"Host", "hq.other.com.br:" + port}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
}

TEST(HubApiStart, ABadCertificateOrATakenPortIsAClearError) {
  TempDir dir;
  TestPki pki{dir / "pki"};
  ASSERT_TRUE(pki.ok());
  ManualClock clock{at("2026-04-01T12:00:00Z")};
  hub::HubConfig config;
  config.file = dir / "hub.toml";
  config.api.host = "127.0.0.1";
  config.api.port = free_loopback_port();
  config.api.cert = dir / "missing.crt";
  config.api.key = pki.server_key();
  auto store = hub::open_sqlite_hub_store(dir / "hub.db");
  ASSERT_TRUE(store.ok());
  auto missing = hub::HubApiServer::start(config, std::move(*store), clock, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("[api] cert = " + (dir / "missing.crt").string()), std::string::npos)
      << missing.error().message;
  config.api.cert = pki.ca_cert();  // not the key's certificate
  store = hub::open_sqlite_hub_store(dir / "hub.db");
  auto mismatched = hub::HubApiServer::start(config, std::move(*store), clock, nullptr);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.error().message.find("key must match"), std::string::npos)
      << mismatched.error().message;
  config.api.cert = pki.server_cert();
  store = hub::open_sqlite_hub_store(dir / "hub.db");
  auto first = hub::HubApiServer::start(config, std::move(*store), clock, nullptr);
  ASSERT_TRUE(first.ok()) << first.error().message;
  store = hub::open_sqlite_hub_store(dir / "hub.db");
  auto second = hub::HubApiServer::start(config, std::move(*store), clock, nullptr);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("listen = 127.0.0.1:" + std::to_string(config.api.port)),
            std::string::npos)
      << second.error().message;
}

TEST(HubApiTokens, TokensAreRandomRolesAreCheckedAndOnlyLiveOnesMatch) {
  const Seconds now = at("2026-04-01T12:00:00Z");
  auto a = hub::make_api_token(hub::ApiRole::analyst, "", "BI", now);
  auto b = hub::make_api_token(hub::ApiRole::analyst, "", "BI", now);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->secret, b->secret);
  EXPECT_EQ(a->secret.size(), 4U + 64U) << "rgh_ and 256 bits in hex";
  EXPECT_EQ(a->stored.hash, hub::api_token_hash(a->secret));
  EXPECT_EQ(a->stored.hash.find(a->secret.substr(4)), std::string::npos);
  EXPECT_FALSE(hub::make_api_token(hub::ApiRole::store_manager, "", "x", now).ok()) << "needs its store";
  EXPECT_FALSE(hub::make_api_token(hub::ApiRole::analyst, "centro", "x", now).ok()) << "sees every store";
  EXPECT_FALSE(hub::make_api_token(hub::ApiRole::analyst, "", "", now).ok()) << "needs a name";
  std::vector<hub::ApiToken> tokens{a->stored, b->stored};
  auto found = hub::find_api_caller(tokens, a->secret);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->token_id, a->stored.id);
  tokens[0].revoked_at = 1;
  EXPECT_FALSE(hub::find_api_caller(tokens, a->secret).has_value());
  EXPECT_FALSE(hub::find_api_caller(tokens, a->stored.hash).has_value()) << "the hash is not a token";
  EXPECT_EQ(hub::bearer_of("Bearer abc"), "abc");
  EXPECT_EQ(hub::bearer_of("bearer  abc "), "abc");
  EXPECT_EQ(hub::bearer_of("Basic abc"), "");
  EXPECT_EQ(hub::bearer_of("Bearer"), "");
}

}  // namespace
}  // namespace regua::test
