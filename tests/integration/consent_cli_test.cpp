// Consent through the real agent: an opt-out is honoured when the message is due, also for a
// message planned before it, whichever way it arrives (a POS `customer` event in the followed file,
// the HTTP API, `regua-agent customers consent`); the HTTP API's answers and errors; the command.

#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/integration/rules_support.hpp"
#include "tests/support/agent_http.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/waiting.hpp"

namespace regua {
namespace {

using test::AgentStore;
using test::run_command;

constexpr std::string_view kConsentApiToken = "7c1e0b9a44d2f3e85a6b0c19";

httplib::Headers auth() {
  return {{"Authorization", "Bearer " + std::string(kConsentApiToken)}};
}

// A store whose agent serves HTTP on a free port, with rules (configure_rules: nobody held out).
class ConsentAgent : public ::testing::Test {
 protected:
  void SetUp() override {
    port = test::free_loopback_port();
    ASSERT_GT(port, 0);
    test::enable_agent_http(store, port, kConsentApiToken);
    test::configure_rules(store);
    test::append_file(store.config, "\n[consent]\nwhatsapp = \"opt_in\"\n");
    test::write_file(store.pos_file, "");
  }

  void start() {
    agent = store.start_agent();
    ASSERT_TRUE(test::agent_http_listening(port)) << test::read_file(store.dir / "agent.log");
    // An empty POS file is never "up to date": there is nothing to catch up with then.
    if (!test::read_file(store.pos_file).empty()) {
      ASSERT_TRUE(store.wait_caught_up()) << test::read_file(store.dir / "agent.log");
    }
  }

  httplib::Client client() const { return httplib::Client("127.0.0.1", port); }

  // The customer's final decisions about rating-1h, from `why --json`.
  std::vector<std::string> rating_decisions(const std::string& customer) {
    auto r = run_command(store.command({"why", customer, "--json"}));
    std::vector<std::string> out;
    for (const auto& j : test::json_lines(r.out)) {
      if (j.is_object() && j["rule"] == "rating-1h" && j["decision"] != "deferred") {
        out.push_back(j["decision"].get<std::string>() + " " + j["reason"].get<std::string>());
      }
    }
    return out;
  }

  AgentStore store;
  int port = 0;
  std::unique_ptr<test::ChildProcess> agent;
};

TEST_F(ConsentAgent, AnOptOutIsHonouredAtFiringWhicheverWayItArrives) {
  start();
  // Four sales made almost an hour ago: rating-1h is planned at once for each, due in 35 s.
  const std::time_t sold = test::unix_now() - 3600 + 35;
  std::string lines;
  const char* names[] = {"Ana Souza", "Bia Lima", "Caio Reis", "Duda Melo"};
  for (int i = 1; i <= 4; ++i) {
    lines += test::sale_line("S-" + std::to_string(i), test::iso_utc(sold), "C-" + std::to_string(i),
                             names[i - 1], "(11) 98765-432" + std::to_string(i));
  }
  test::append_file(store.pos_file, lines);
  ASSERT_TRUE(test::eventually(
      [&] {
        return store.ledger_int(
                   "SELECT count(*) FROM jobs WHERE rule_id = 'rating-1h' AND state = 'pending'") == 4;
      },
      std::chrono::seconds(30)))
      << "the four jobs are planned before any opt-out\n"
      << test::read_file(store.dir / "agent.log");

  // Then, before they are due, three opt-outs: in the POS file, over HTTP, on the command line.
  test::append_file(store.pos_file, R"({"type":"customer","customer":{"id":"C-1","opt_out":["sms"]}})"
                                    "\n");
  auto posted = client().Post("/api/v1/customers/C-2/consents", auth(),
                              R"({"sms": false, "source": "balcao"})", "application/json");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;
  auto cli = run_command(store.command({"customers", "consent", "C-3", "--channel", "sms", "--deny"}));
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("Recorded: sms refused (source cli)"), std::string::npos) << cli.out;
  ASSERT_TRUE(test::eventually(
      [&] {
        return store.ledger_int(
                   "SELECT count(*) FROM consents c JOIN customers u ON u.id = c.customer_id "
                   "WHERE u.pos_id = 'C-1' AND c.channel = 'sms' AND c.granted = 0") == 1;
      },
      std::chrono::seconds(30)))
      << test::read_file(store.dir / "agent.log");
  // Checked before the clock: when the opt-outs came in time, nothing can have fired yet.
  const auto pending =
      store.ledger_int("SELECT count(*) FROM jobs WHERE rule_id = 'rating-1h' AND state = 'pending'");
  ASSERT_LT(test::unix_now(), sold + 3600)
      << "the opt-outs must come before the messages are due (slow machine?)";
  EXPECT_EQ(pending, 4) << "nothing has fired yet";

  // C-4's message goes out once due; the others are skipped for their opt-out.
  ASSERT_TRUE(test::eventually(
      [&] {
        for (const auto& j : test::outbox_lines(store.dir / "outbox.jsonl")) {
          if (j.is_object() && j["customer"] == "C-4") return true;
        }
        return false;
      },
      std::chrono::seconds(60)))
      << test::read_file(store.dir / "agent.log");
  for (int i = 1; i <= 3; ++i) {
    const std::string c = "C-" + std::to_string(i);
    ASSERT_TRUE(test::eventually([&] { return !rating_decisions(c).empty(); }, std::chrono::seconds(20)))
        << c;
    EXPECT_EQ(rating_decisions(c), (std::vector<std::string>{"skipped opted_out"})) << c;
  }
  EXPECT_EQ(rating_decisions("C-4"), (std::vector<std::string>{"fired due"}));
  const auto sent = test::outbox_lines(store.dir / "outbox.jsonl");
  ASSERT_EQ(sent.size(), 1U) << test::read_file(store.dir / "outbox.jsonl");
  EXPECT_EQ(sent[0]["customer"], "C-4");

  // Each answer is on file with where it came from.
  auto sources = [&](const std::string& c) {
    auto r = run_command(store.command({"customers", "consent", c, "--json"}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j["consents"][0] : nlohmann::json();
  };
  EXPECT_EQ(sources("C-1")["source"], "pdv");
  EXPECT_EQ(sources("C-2")["source"], "http:balcao");
  EXPECT_EQ(sources("C-3")["source"], "cli");
  EXPECT_EQ(sources("C-4")["state"], "never_answered");
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
}

TEST_F(ConsentAgent, TheHttpApiReadsAndSetsConsentAndSaysWhatIsWrong) {
  test::append_file(store.pos_file, test::sale_line("S-1", "2026-03-01T14:05:00-03:00", "C 77", "Ana Souza",
                                                    "(11) 98765-4321"));
  start();
  auto c = client();
  auto got = c.Get("/api/v1/customers/C%2077/consents", auth());
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200) << got->body;
  auto j = nlohmann::json::parse(got->body);
  EXPECT_EQ(j["customer"]["pos_id"], "C 77");
  EXPECT_EQ(j["customer"]["name"], "Ana Souza");
  ASSERT_EQ(j["consents"].size(), 3U);
  EXPECT_EQ(j["consents"][0], (nlohmann::json{{"channel", "sms"},
                                              {"state", "never_answered"},
                                              {"source", nullptr},
                                              {"at", nullptr},
                                              {"policy", "opt_out"},
                                              {"messages_allowed", true}}));
  EXPECT_EQ(j["consents"][1]["policy"], "opt_in");
  EXPECT_EQ(j["consents"][1]["messages_allowed"], false);
  const std::string number = "%23" + std::to_string(j["customer"]["id"].get<int>());

  auto set = c.Post("/api/v1/customers/" + number + "/consents", auth(),
                    R"({"whatsapp": true, "email": false})", "application/json");
  ASSERT_TRUE(set);
  ASSERT_EQ(set->status, 200) << set->body;
  j = nlohmann::json::parse(set->body);
  EXPECT_EQ(j["changed"], (nlohmann::json{{"whatsapp", true}, {"email", true}}));
  EXPECT_EQ(j["consents"][1]["state"], "granted");
  EXPECT_EQ(j["consents"][1]["source"], "http");
  EXPECT_EQ(j["consents"][1]["messages_allowed"], true);
  EXPECT_EQ(j["consents"][2]["state"], "refused");
  set = c.Post("/api/v1/customers/C%2077/consents", auth(), R"({"whatsapp": true})", "application/json");
  ASSERT_TRUE(set);
  EXPECT_EQ(nlohmann::json::parse(set->body)["changed"]["whatsapp"], false) << "already so";

  const auto status_of = [&](const std::string& path, const std::string& body,
                             const httplib::Headers& headers) {
    auto r = body.empty() ? c.Get(path, headers) : c.Post(path, headers, body, "application/json");
    return r ? std::pair{r->status, r->body} : std::pair{0, std::string("no answer")};
  };
  const std::string path = "/api/v1/customers/C%2077/consents";
  EXPECT_EQ(status_of(path, "", {}).first, 401);
  EXPECT_EQ(status_of(path, "", {{"Authorization", "Bearer wrong"}}).first, 401);
  EXPECT_EQ(status_of("/api/v1/customers/C-404/consents", "", auth()).first, 404);
  auto bad = status_of(path, R"({"fax": false})", auth());
  EXPECT_EQ(bad.first, 400);
  EXPECT_NE(bad.second.find("unknown key \\\"fax\\\""), std::string::npos) << bad.second;
  bad = status_of(path, R"({"sms": "no"})", auth());
  EXPECT_EQ(bad.first, 400);
  EXPECT_NE(bad.second.find("must be true"), std::string::npos) << bad.second;
  EXPECT_EQ(status_of(path, "[1]", auth()).first, 400);
  EXPECT_EQ(status_of(path, R"({"source": "balcao"})", auth()).first, 400) << "no answer given";
  EXPECT_EQ(status_of(path, R"({"sms": false, "source": "Maria Silva"})", auth()).first, 400);

  // Forgotten: nothing is kept, consent included.
  agent->signal(SIGTERM);
  ASSERT_EQ(agent->wait(), 0);
  auto forget = run_command(store.command({"customers", "forget", "C 77"}));
  ASSERT_EQ(forget.exit_code, 0) << forget.err;
  start();
  auto gone = status_of(path, "", auth());
  EXPECT_EQ(gone.first, 410) << gone.second;
  EXPECT_NE(gone.second.find("was forgotten"), std::string::npos) << gone.second;
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
}

TEST(ConsentCli, ShowsAndSetsConsentAndRefusesWhatItCannotDo) {
  AgentStore store;
  test::write_file(store.dir / "h.jsonl", test::sale_line("S-1", "2026-03-01T14:05:00-03:00", "C-77",
                                                          "Ana Souza", "(11) 98765-4321"));
  ASSERT_EQ(run_command(store.command({"import", (store.dir / "h.jsonl").string()})).exit_code, 0);
  auto shown = run_command(store.command({"customers", "consent", "C-77"}));
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("Ana Souza (C-77): consent per channel"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("whatsapp  never answered"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("no automatic messages until granted ([consent] opt_in)"), std::string::npos)
      << shown.out;
  auto granted = run_command(
      store.command({"customers", "consent", "C-77", "--channel", "whatsapp", "--grant", "--json"}));
  ASSERT_EQ(granted.exit_code, 0) << granted.err;
  const auto j = nlohmann::json::parse(granted.out);
  EXPECT_EQ(j["changed"], true);
  EXPECT_EQ(j["consents"][1]["state"], "granted");
  EXPECT_EQ(j["consents"][1]["source"], "cli");
  auto again =
      run_command(store.command({"customers", "consent", "C-77", "--channel", "whatsapp", "--grant"}));
  EXPECT_NE(again.out.find("Unchanged: whatsapp was already granted."), std::string::npos) << again.out;

  EXPECT_EQ(run_command(store.command({"customers", "consent", "C-404"})).exit_code, 2);
  auto fax = run_command(store.command({"customers", "consent", "C-77", "--channel", "fax", "--deny"}));
  EXPECT_EQ(fax.exit_code, 2);
  EXPECT_NE(fax.err.find("\"fax\" is not a channel"), std::string::npos) << fax.err;
  EXPECT_EQ(run_command(store.command({"customers", "consent", "C-77", "--grant"})).exit_code, 2);
  EXPECT_EQ(
      run_command(store.command({"customers", "consent", "C-77", "--channel", "sms", "--grant", "--deny"}))
          .exit_code,
      2);
  EXPECT_EQ(run_command(store.command({"customers", "consent", "C-77", "--channel", "sms"})).exit_code, 2);
}

}  // namespace
}  // namespace regua
