// The store's web app over real HTTP (the agent's LocalServer on a loopback port, a real ledger):
// every refusal as a browser would meet it, embedded pages with their headers and ETags, and the
// tasks inbox read and closed through the API.

#include <map>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "agent/cli/analysis_commands.hpp"
#include "agent/config/config.hpp"
#include "agent/http/local_server.hpp"
#include "agent/http/svg_chart.hpp"
#include "agent/http/web_api.hpp"
#include "local/tasks/tasks.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

constexpr const char* kWebToken = "web-test-token-0123456789";

class WebAppTest : public test::LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    // Sunday 2026-03-01 12:00 UTC = 09:00 in São Paulo.
    port = test::free_loopback_port();
    auto parsed = parse_config(
        "[store]\nid = \"centro\"\n[ledger]\npath = \"ledger.db\"\n[[source]]\nkind = "
        "\"jsonl\"\npath = \"x\"\n[http]\nport = " +
            std::to_string(port) + "\ntoken = \"" + kWebToken + "\"\n",
        dir / "agent.toml");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    config = std::move(*parsed);
    auto& db = ledger->db();
    ASSERT_TRUE(
        db.exec("INSERT INTO customers (id, pos_id, name, phone, phone_e164, info_at, created_at) VALUES "
                "(1, 'C-1', 'Ana Souza', '(11) 98765-4321', '+5511987654321', 0, 0), "
                "(2, 'C-2', 'Bia Lima', NULL, NULL, 0, 0)")
            .ok());
    overdue_task = add_task(1, test::at("2026-02-27T15:00:00-03:00"));
    today_task = add_task(2, test::at("2026-03-01T18:00:00-03:00"));
    tomorrow_task = add_task(1, test::at("2026-03-02T10:00:00-03:00"));
    auto started = LocalServer::start(config, clock);
    ASSERT_TRUE(started.ok()) << started.error().message;
    server = std::move(*started);
  }

  std::int64_t add_task(std::int64_t customer, Seconds due) {
    const auto job = ++jobs;
    auto s = ledger->db().exec(
        "INSERT INTO jobs (id, rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, priority, "
        "action, channel, state, created_at) VALUES (" +
        std::to_string(job) + ", 'vip-quiet', " + std::to_string(customer) +
        ", 'since:" + std::to_string(job) + "', 0, 0, 0, 50, 'task', 'whatsapp', 'fired', 0)");
    EXPECT_TRUE(s.ok()) << s.error().message;
    NewTask t;
    t.job_id = job;
    t.customer_id = customer;
    t.rule_id = "vip-quiet";
    t.title = "Cliente fiel sumiu";
    t.instructions = "Chame pelo WhatsApp";
    t.channel = "whatsapp";
    t.text = "Oi! Sentimos sua falta & temos novidades.";
    t.due_at = due;
    t.expires_at = due + std::chrono::days(30);
    auto id = create_task(ledger->db(), t, test::at("2026-02-20T12:00:00Z"));
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : -1;
  }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(10);
    c.set_read_timeout(30);
    return c;
  }

  // Signs in and returns the Cookie header and the CSRF token.
  std::pair<std::string, std::string> sign_in() {
    auto c = client();
    auto res = c.Post("/signin", nlohmann::json{{"token", kWebToken}}.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    const auto set_cookie = res->get_header_value("Set-Cookie");
    const auto cookie = set_cookie.substr(0, set_cookie.find(';'));
    return {cookie, nlohmann::json::parse(res->body)["csrf"].get<std::string>()};
  }

  std::string task_state(std::int64_t id) {
    auto stmt = ledger->db().prepare("SELECT state || '/' || coalesce(outcome, '-') FROM tasks WHERE id = ?");
    if (!stmt) return stmt.error().message;
    stmt->bind(1, id);
    auto row = stmt->step();
    if (!row) return row.error().message;
    return *row ? std::string(stmt->text(0)) : "no such task";
  }

  int port = 0;
  int jobs = 0;
  AgentConfig config;
  std::int64_t overdue_task = 0, today_task = 0, tomorrow_task = 0;
  std::unique_ptr<LocalServer> server;
};

TEST_F(WebAppTest, PagesAreEmbeddedWithSecurityHeadersAndEtags) {
  auto c = client();
  auto res = c.Get("/signin");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("signin.js"), std::string::npos);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-cache");
  const auto etag = res->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());

  auto again = c.Get("/signin", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());

  auto script = c.Get("/inbox.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(script->get_header_value("ETag"), etag);

  for (const auto* lang : {"/i18n/pt-BR.json", "/i18n/en.json"}) {
    auto catalogue = c.Get(lang);
    ASSERT_TRUE(catalogue);
    EXPECT_EQ(catalogue->status, 200) << lang;
    EXPECT_TRUE(nlohmann::json::parse(catalogue->body).contains("inbox_title")) << lang;
  }
  auto missing = c.Get("/nothing.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto api = c.Get("/api/v1/nothing");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404) << "the machine APIs' paths are not pages (no sign-in redirect)";
}

TEST_F(WebAppTest, TheInboxNeedsASignIn) {
  auto c = client();
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 303);
  EXPECT_EQ(page->get_header_value("Location"), "/signin");
  auto api = c.Get("/app/api/tasks");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
  EXPECT_EQ(api->get_header_value("Cache-Control"), "no-store");
  auto forged = c.Get("/app/api/tasks", {{"Cookie", "regua_session=" + std::string(64, '0')}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
}

TEST_F(WebAppTest, SignInRefusesNoTokenAndAWrongOne) {
  auto c = client();
  auto none = c.Post("/signin", "{}", "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_FALSE(none->has_header("Set-Cookie"));
  auto wrong = c.Post("/signin", R"({"token":"web-test-token-0123456780"})", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_FALSE(wrong->has_header("Set-Cookie"));

  const auto [cookie, csrf] = sign_in();
  EXPECT_FALSE(cookie.empty());
  EXPECT_FALSE(csrf.empty());
  auto page = c.Get("/", {{"Cookie", cookie}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("inbox.js"), std::string::npos);
}

TEST_F(WebAppTest, RefusesAForeignHostAndAForeignOriginWithoutCors) {
  auto c = client();
  auto rebinding = c.Get("/signin", {{"Host", "evil.example:" + std::to_string(port)}});
  ASSERT_TRUE(rebinding);
  EXPECT_EQ(rebinding->status, 403);
  auto foreign = c.Post("/signin", {{"Origin", "http://evil.example"}},
                        nlohmann::json{{"token", kWebToken}}.dump(), "application/json");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403);
  EXPECT_FALSE(foreign->has_header("Set-Cookie")) << "even with the right token";
  EXPECT_FALSE(foreign->has_header("Access-Control-Allow-Origin"));

  const auto [cookie, csrf] = sign_in();
  auto read = c.Get("/app/api/tasks", {{"Cookie", cookie}, {"Origin", "http://evil.example"}});
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 403);
  EXPECT_FALSE(read->has_header("Access-Control-Allow-Origin"));
  auto same =
      c.Get("/app/api/tasks", {{"Cookie", cookie}, {"Origin", "http://127.0.0.1:" + std::to_string(port)}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200);
}

TEST_F(WebAppTest, ListsTodaysAndOverdueTasksWithTheirLinks) {
  const auto [cookie, csrf] = sign_in();
  auto c = client();
  auto res = c.Get("/app/api/tasks", {{"Cookie", cookie}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto j = nlohmann::json::parse(res->body);
  EXPECT_EQ(j["overdue"], 1);
  EXPECT_EQ(j["today"], 1);
  EXPECT_EQ(j["later"], 1) << "tomorrow's task waits";
  ASSERT_EQ(j["tasks"].size(), 2U);
  const auto& first = j["tasks"][0];
  EXPECT_EQ(first["id"], overdue_task);
  EXPECT_EQ(first["overdue"], true);
  EXPECT_EQ(first["name"], "Ana Souza");
  EXPECT_EQ(first["title"], "Cliente fiel sumiu");
  EXPECT_EQ(first["text"], "Oi! Sentimos sua falta & temos novidades.");
  EXPECT_EQ(first["whatsapp"],
            "https://wa.me/5511987654321?text=Oi%21%20Sentimos%20sua%20falta%20%26%20temos%20novidades.");
  EXPECT_EQ(first["tel"], "tel:+5511987654321");
  const auto& second = j["tasks"][1];
  EXPECT_EQ(second["id"], today_task);
  EXPECT_EQ(second["overdue"], false);
  EXPECT_TRUE(second["whatsapp"].is_null()) << "no phone, no link";
}

TEST_F(WebAppTest, ClosingATaskNeedsTheCsrfTokenAndReachesTheLedger) {
  const auto [cookie, csrf] = sign_in();
  auto c = client();
  const auto path = "/app/api/tasks/" + std::to_string(overdue_task) + "/done";
  const std::string body = R"({"outcome":"sold"})";
  auto missing = c.Post(path, {{"Cookie", cookie}}, body, "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  EXPECT_NE(missing->body.find("X-CSRF-Token"), std::string::npos);
  auto wrong =
      c.Post(path, {{"Cookie", cookie}, {"X-CSRF-Token", std::string(64, 'f')}}, body, "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  auto no_cookie = c.Post(path, {{"X-CSRF-Token", csrf}}, body, "application/json");
  ASSERT_TRUE(no_cookie);
  EXPECT_EQ(no_cookie->status, 401);
  EXPECT_EQ(task_state(overdue_task), "open/-") << "nothing refused may change the ledger";

  auto done = c.Post(path, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, body, "application/json");
  ASSERT_TRUE(done);
  ASSERT_EQ(done->status, 200) << done->body;
  EXPECT_EQ(nlohmann::json::parse(done->body)["state"], "done");
  EXPECT_EQ(task_state(overdue_task), "done/sold");

  auto twice = c.Post(path, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, body, "application/json");
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 409) << "already closed";
  auto bad =
      c.Post("/app/api/tasks/" + std::to_string(today_task) + "/done",
             {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, R"({"outcome":"maybe"})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 404);
  EXPECT_NE(bad->body.find("contacted"), std::string::npos) << bad->body;
  auto unknown = c.Post("/app/api/tasks/999/archive", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, "{}",
                        "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);

  auto archived = c.Post("/app/api/tasks/" + std::to_string(today_task) + "/archive",
                         {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, "{}", "application/json");
  ASSERT_TRUE(archived);
  EXPECT_EQ(archived->status, 200) << archived->body;
  EXPECT_EQ(task_state(today_task), "archived/-");
}

TEST_F(WebAppTest, SignOutEndsTheSession) {
  const auto [cookie, csrf] = sign_in();
  auto c = client();
  auto out =
      c.Post("/app/api/signout", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, "{}", "application/json");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200);
  auto after = c.Get("/app/api/tasks", {{"Cookie", cookie}});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
}

TEST_F(WebAppTest, SegmentsAndTheirCsvExportNeedASession) {
  auto c = client();
  auto anonymous = c.Get("/app/api/segment.csv?name=new_active");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  const auto [cookie, csrf] = sign_in();
  auto matrix = c.Get("/app/api/segments", {{"Cookie", cookie}});
  ASSERT_TRUE(matrix);
  ASSERT_EQ(matrix->status, 200) << matrix->body;
  const auto j = nlohmann::json::parse(matrix->body);
  EXPECT_EQ(j["cells"].size(), 9U);
  EXPECT_TRUE(j["segments"].is_array()) << "the named segments too (segments --all)";
  auto csv = c.Get("/app/api/segment.csv?name=new_active", {{"Cookie", cookie}});
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->get_header_value("Content-Disposition"),
            "attachment; filename=\"segment-new_active-2026-03-01.csv\"");
  EXPECT_EQ(csv->body.substr(0, csv->body.find('\n')),
            "customer_id,pos_id,name,mobile,email,last_purchase,purchases,"
            "total_spent,average_ticket,cell,cell_name,consent_sms,"
            "consent_whatsapp,consent_email");
  auto unknown = c.Get("/app/api/segment?name=nobody", {{"Cookie", cookie}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(unknown->body.find("new_active"), std::string::npos) << "names the segments there are";
}

TEST_F(WebAppTest, CustomerSearchByCpfPhoneAndNameNeedsASession) {
  ASSERT_TRUE(ledger->db().exec("UPDATE customers SET cpf = '52998224725', cpf_valid = 1 WHERE id = 1").ok());
  auto c = client();
  auto anonymous = c.Get("/app/api/customers?q=Ana");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  const auto [cookie, csrf] = sign_in();
  const auto search = [&, cookie = cookie](const std::string& q) {
    auto res = c.Get("/app/api/customers?q=" + httplib::detail::encode_query_param(q), {{"Cookie", cookie}});
    EXPECT_TRUE(res);
    return res ? std::pair{res->status, nlohmann::json::parse(res->body)} : std::pair{0, nlohmann::json()};
  };
  const auto ids = [](const nlohmann::json& j) {
    std::vector<std::int64_t> out;
    for (const auto& customer : j["customers"])
      out.push_back(customer["id"].get<std::int64_t>());
    return out;
  };
  auto [status, cpf] = search("529.982.247-25");
  ASSERT_EQ(status, 200) << cpf.dump();
  EXPECT_EQ(cpf["kind"], "cpf");
  EXPECT_EQ(ids(cpf), std::vector<std::int64_t>{1});
  auto phone = search("(11) 98765-4321").second;
  EXPECT_EQ(phone["kind"], "phone");
  EXPECT_EQ(ids(phone), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids(search("BIA").second), std::vector<std::int64_t>{2}) << "names in any case";
  EXPECT_EQ(ids(search("lim").second), std::vector<std::int64_t>{2}) << "part of a name";
  EXPECT_EQ(ids(search("C-2").second), std::vector<std::int64_t>{2}) << "the POS id";
  auto [typo_status, typo] = search("529.982.247-26");
  EXPECT_EQ(typo_status, 400) << "a CPF with a wrong check digit is neither a CPF nor a phone";
  EXPECT_NE(typo["error"].get<std::string>().find("529.982.247-26"), std::string::npos);
  auto [short_status, short_body] = search("a");
  EXPECT_EQ(short_status, 400);
  EXPECT_NE(short_body["error"].get<std::string>().find("two letters"), std::string::npos);
}

TEST_F(WebAppTest, ACustomersPageHasTheTimelineWithDecisionsAndConsents) {
  auto& db = ledger->db();
  ASSERT_TRUE(
      db.exec("INSERT INTO sales (pos_id, customer_id, sold_at, total_cents, source, ingested_at) VALUES "
              "('S-1', 1, " +
              std::to_string(to_unix(test::at("2026-02-10T10:00:00-03:00"))) + ", 12990, 'pos', 0)")
          .ok());
  ASSERT_TRUE(
      db.exec("INSERT INTO decisions (job_id, customer_id, rule_id, action, channel, at, decision, reason, "
              "detail) VALUES (1, 1, 'vip-quiet', 'task', 'whatsapp', " +
              std::to_string(to_unix(test::at("2026-02-20T12:00:00Z"))) +
              ", 'skipped', 'opted_out', 'refused whatsapp')")
          .ok());
  const auto [cookie, csrf] = sign_in();
  auto c = client();
  auto res = c.Get("/app/api/customers/1", {{"Cookie", cookie}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto j = nlohmann::json::parse(res->body);
  EXPECT_EQ(j["customer"]["name"], "Ana Souza");
  EXPECT_EQ(j["customer"]["sales"], 1);
  EXPECT_EQ(j["customer"]["erased"], false);
  EXPECT_EQ(j["consents"].size(), 3U);
  std::map<std::string, int> kinds;
  for (const auto& e : j["timeline"])
    ++kinds[e["kind"].get<std::string>()];
  EXPECT_EQ(kinds["sale"], 1);
  EXPECT_EQ(kinds["task"], 2);
  ASSERT_EQ(kinds["decision"], 1);
  for (const auto& e : j["timeline"]) {
    if (e["kind"] == "decision") {
      EXPECT_EQ(e["reason"], "opted_out");
      EXPECT_EQ(e["detail"], "refused whatsapp");
    }
  }
  EXPECT_EQ(j["timeline"].back()["kind"], "sale") << "newest first: the sale is the oldest";
  auto unknown = c.Get("/app/api/customers/99", {{"Cookie", cookie}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(WebAppTest, AConsentAnswerNeedsTheCsrfTokenAndIsRecordedAsTheWebApps) {
  const auto [cookie, csrf] = sign_in();
  auto c = client();
  const auto consent_rows = [&] {
    auto n = ledger->db().query_int("SELECT count(*) FROM consents");
    return n ? *n : -1;
  };
  auto missing =
      c.Post("/app/api/customers/1/consents", {{"Cookie", cookie}}, R"({"sms":false})", "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  EXPECT_EQ(consent_rows(), 0);
  auto bad = c.Post("/app/api/customers/1/consents", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}},
                    R"({"fax":false})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("\\\"sms\\\""), std::string::npos) << bad->body;

  auto ok = c.Post("/app/api/customers/1/consents", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}},
                   R"({"sms":false})", "application/json");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(nlohmann::json::parse(ok->body)["changed"]["sms"], true);
  auto row = ledger->db().prepare(
      "SELECT channel || '/' || granted || '/' || source FROM consents WHERE customer_id = 1");
  ASSERT_TRUE(row);
  auto stepped = row->step();
  ASSERT_TRUE(stepped.ok() && *stepped);
  EXPECT_EQ(row->text(0), "sms/0/web");
  row->reset();

  // A forgotten customer shows as such, and nothing about them can be set.
  ASSERT_TRUE(ledger->db().exec("UPDATE customers SET erased_at = 100, name = NULL WHERE id = 2").ok());
  auto page = c.Get("/app/api/customers/2", {{"Cookie", cookie}});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  const auto erased = nlohmann::json::parse(page->body);
  EXPECT_EQ(erased["customer"]["erased"], true);
  EXPECT_TRUE(erased["consents"].empty());
  auto refused = c.Post("/app/api/customers/2/consents", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}},
                        R"({"sms":true})", "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409);
  EXPECT_NE(refused->body.find("forgotten"), std::string::npos);
  EXPECT_EQ(consent_rows(), 1);
}

TEST_F(WebAppTest, DuplicatesMergeOnlyAfterTheDryRunIsConfirmed) {
  auto& db = ledger->db();
  ASSERT_TRUE(
      db.exec("INSERT INTO customers (id, pos_id, name, email, email_valid, info_at, created_at) VALUES "
              "(3, 'D-1', 'Diego Alves', 'diego@example.com', 1, 0, 0), "
              "(4, 'D-2', 'Diego Alves', 'diego@example.com', 1, 0, 0);"
              "INSERT INTO sales (pos_id, customer_id, sold_at, total_cents, source, ingested_at) VALUES "
              "('S-3', 3, 1000, 100, 'pos', 0), ('S-4', 4, 2000, 200, 'pos', 0)")
          .ok());
  const auto [cookie, csrf] = sign_in();
  auto c = client();
  auto dups = c.Get("/app/api/duplicates", {{"Cookie", cookie}});
  ASSERT_TRUE(dups);
  ASSERT_EQ(dups->status, 200) << dups->body;
  const auto groups = nlohmann::json::parse(dups->body)["groups"];
  ASSERT_EQ(groups.size(), 1U);
  EXPECT_EQ(groups[0]["customers"].size(), 2U);
  const auto customers = [&] {
    auto n = db.query_int("SELECT count(*) FROM customers WHERE id IN (3, 4)");
    return n ? *n : -1;
  };
  const std::string dry = R"({"keep":3,"merge":[4],"dry_run":true})";
  auto no_csrf = c.Post("/app/api/customers/merge", {{"Cookie", cookie}}, dry, "application/json");
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  auto preview = c.Post("/app/api/customers/merge", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, dry,
                        "application/json");
  ASSERT_TRUE(preview);
  ASSERT_EQ(preview->status, 200) << preview->body;
  EXPECT_EQ(nlohmann::json::parse(preview->body)["written"], false);
  EXPECT_EQ(nlohmann::json::parse(preview->body)["survivor_sales"], 2);
  EXPECT_EQ(customers(), 2) << "a dry run writes nothing";
  auto bad = c.Post("/app/api/customers/merge", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}},
                    R"({"keep":3,"merge":[3],"dry_run":false})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 409) << bad->body;
  auto merged = c.Post("/app/api/customers/merge", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}},
                       R"({"keep":3,"merge":[4],"dry_run":false})", "application/json");
  ASSERT_TRUE(merged);
  ASSERT_EQ(merged->status, 200) << merged->body;
  EXPECT_EQ(nlohmann::json::parse(merged->body)["written"], true);
  EXPECT_EQ(customers(), 1);
  auto moved = db.query_int("SELECT count(*) FROM sales WHERE customer_id = 3");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 2) << "both histories on the one kept";
}

TEST_F(WebAppTest, KpisAreTheCommandsAndChartsAreSvg) {
  auto& db = ledger->db();
  ASSERT_TRUE(
      db.exec("INSERT INTO sales (pos_id, customer_id, sold_at, total_cents, source, ingested_at) VALUES "
              "('S-1', 1, " +
              std::to_string(to_unix(test::at("2026-02-10T10:00:00-03:00"))) +
              ", 12990, 'pos', 0), ('S-2', 2, " +
              std::to_string(to_unix(test::at("2026-02-20T10:00:00-03:00"))) + ", 5000, 'pos', 0)")
          .ok());
  auto c = client();
  auto anonymous = c.Get("/app/api/kpis");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  const auto [cookie, csrf] = sign_in();
  auto res = c.Get("/app/api/kpis?from=2026-01-01&to=2026-03-01&by=month", {{"Cookie", cookie}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto policy = analysis_policy(config);
  ASSERT_TRUE(policy.ok());
  auto report = compute_kpis(db, *policy, 20454, 20513, KpiGrouping::month);  // 2026-01-01 .. 03-01
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(nlohmann::ordered_json::parse(res->body), kpis_json(config, *report))
      << "what `kpis --json` prints";
  EXPECT_EQ(nlohmann::json::parse(res->body)["total"]["revenue_cents"], 17990);

  auto defaults = c.Get("/app/api/kpis", {{"Cookie", cookie}});
  ASSERT_TRUE(defaults);
  ASSERT_EQ(defaults->status, 200);
  const auto d = nlohmann::json::parse(defaults->body);
  EXPECT_EQ(d["to"], "2026-03-01") << "to today, in the store's zone";
  EXPECT_EQ(d["from"], "2025-03-02");
  EXPECT_EQ(d["by"], "month");
  auto bad = c.Get("/app/api/kpis?from=2026-13-01", {{"Cookie", cookie}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);

  for (const char* chart : {"retention", "active_base", "new_returning", "revenue_per_action"}) {
    auto svg = c.Get(
        std::string("/app/api/kpis/chart.svg?chart=") + chart + "&from=2026-01-01&to=2026-03-01&lang=en",
        {{"Cookie", cookie}});
    ASSERT_TRUE(svg);
    ASSERT_EQ(svg->status, 200) << chart << ": " << svg->body;
    EXPECT_EQ(svg->get_header_value("Content-Type"), "image/svg+xml; charset=utf-8");
    EXPECT_TRUE(svg->body.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"")) << svg->body;
    EXPECT_NE(svg->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  }
  auto bars = c.Get("/app/api/kpis/chart.svg?chart=new_returning&from=2026-01-01&to=2026-03-01&lang=en",
                    {{"Cookie", cookie}});
  ASSERT_TRUE(bars);
  EXPECT_NE(bars->body.find("<title>New, 2026-02: 2</title>"), std::string::npos) << bars->body;
  auto unknown = c.Get("/app/api/kpis/chart.svg?chart=pie", {{"Cookie", cookie}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("retention"), std::string::npos);
}

TEST_F(WebAppTest, StatusHasTheQualityAndSyncBlocksOfTheCommand) {
  const auto [cookie, csrf] = sign_in();
  auto c = client();
  auto res = c.Get("/app/api/status", {{"Cookie", cookie}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto j = nlohmann::json::parse(res->body);
  EXPECT_EQ(j["quality"]["customers"], 2);
  EXPECT_EQ(j["sync"]["configured"], false);
  EXPECT_DOUBLE_EQ(j["thresholds"]["valid_mobile_share"].get<double>(), 0.8);
}

TEST_F(WebAppTest, AutomationsListTheRulesAndARuleIsTurnedOffOnlyWithTheCsrfToken) {
  const auto [cookie, csrf] = sign_in();
  auto c = client();
  auto list = c.Get("/app/api/automations", {{"Cookie", cookie}});
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  const auto j = nlohmann::json::parse(list->body);
  EXPECT_EQ(j["to"], "2026-03-01");
  EXPECT_EQ(j["from"], "2025-12-02") << "the 90 days to today";
  std::string id;  // a default rule that runs
  for (const auto& r : j["rules"])
    if (id.empty() && r["running"].get<bool>()) id = r["id"].get<std::string>();
  ASSERT_FALSE(id.empty()) << "the default pack runs: " << list->body;
  const std::string path = "/app/api/rules/" + id;

  const auto off = [&] {
    auto stmt = ledger->db().prepare("SELECT value FROM ledger_info WHERE key = 'web.rules_off'");
    if (!stmt) return stmt.error().message;
    auto row = stmt->step();
    return row.ok() && *row ? std::string(stmt->text(0)) : std::string("none");
  };
  auto missing =
      c.Post("/app/api/rules/rating-1h", {{"Cookie", cookie}}, R"({"running":false})", "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  EXPECT_EQ(off(), "none");
  auto unknown = c.Post("/app/api/rules/nope", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}},
                        R"({"running":false})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto turned =
      c.Post(path, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, R"({"running":false})", "application/json");
  ASSERT_TRUE(turned);
  ASSERT_EQ(turned->status, 200) << turned->body;
  EXPECT_EQ(nlohmann::json::parse(turned->body)["changed"], true);
  EXPECT_EQ(off(), "[\"" + id + "\"]");
  auto after = c.Get("/app/api/automations", {{"Cookie", cookie}});
  ASSERT_TRUE(after);
  const auto rules_after = nlohmann::json::parse(after->body);
  for (const auto& r : rules_after["rules"]) {
    if (r["id"] != id) continue;
    EXPECT_EQ(r["running"], false);
    EXPECT_EQ(r["switched_off"], true);
  }
  auto again =
      c.Post(path, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, R"({"running":true})", "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(off(), "[]");
}

TEST(SvgChart, FormatsFiguresPerLanguageAndDrawsEveryValue) {
  EXPECT_EQ(chart_value_text(123456, ChartUnit::cents, "pt-BR"), "R$ 1.234,56");
  EXPECT_EQ(chart_value_text(123456, ChartUnit::cents, "en"), "R$1,234.56");
  EXPECT_EQ(chart_value_text(-5000, ChartUnit::cents, "pt-BR"), "-R$ 50,00");
  EXPECT_EQ(chart_value_text(12.5, ChartUnit::percent, "pt-BR"), "12,5%");
  EXPECT_EQ(chart_value_text(12.5, ChartUnit::percent, "en"), "12.5%");
  EXPECT_EQ(chart_value_text(1234567, ChartUnit::count, "pt-BR"), "1.234.567");
  ChartSpec spec;
  spec.title = "A & B";
  spec.labels = {"01/2026", "02/2026", "03/2026"};
  spec.kind = ChartKind::bars;
  spec.series = {{"Novos", {3.0, std::nullopt, 1.0}}, {"Recorrentes", {0.0, 2.0, 5.0}}};
  const auto svg = render_svg_chart(spec);
  EXPECT_NE(svg.find("aria-label=\"A &amp; B\""), std::string::npos);
  std::size_t bars = 0;
  for (auto at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1))
    ++bars;
  EXPECT_EQ(bars, 5U) << "one bar per value; none for a period without a figure";
  EXPECT_NE(svg.find("<title>Recorrentes, 03/2026: 5</title>"), std::string::npos) << svg;
  spec.series = {{"Novos", {std::nullopt, std::nullopt, std::nullopt}}};
  spec.no_data = "Sem números";
  EXPECT_NE(render_svg_chart(spec).find(">Sem números</text>"), std::string::npos);
}

TEST(WebLinks, WhatsappNeedsAnInternationalNumber) {
  EXPECT_EQ(inbox_whatsapp_link("+55 11 98765-4321", ""), "https://wa.me/5511987654321");
  EXPECT_EQ(inbox_whatsapp_link("(11) 98765-4321", "oi"), "") << "no country code: wa.me cannot place it";
  EXPECT_EQ(tel_link("(11) 98765-4321"), "tel:11987654321");
  EXPECT_EQ(tel_link(""), "");
  EXPECT_EQ(inbox_whatsapp_link("+5511987654321", "Olá"), "https://wa.me/5511987654321?text=Ol%C3%A1");
}

}  // namespace
}  // namespace regua
