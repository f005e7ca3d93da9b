// The rules' commands as users and scripts rely on them: a mistake in a rule named with its file,
// line, rule and field; `tasks list/done/archive`; `status`'s task counts; `simulate`, which is
// deterministic, leaves the ledger alone and prints the documented JSON Lines.

#include <regex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/rules_support.hpp"

namespace regua {
namespace {

using test::AgentStore;
using test::run_command;

TEST(RulesCli, AnInvalidRuleStopsRunAndSimulateNamingFileLineRuleAndField) {
  AgentStore good;
  const auto rules = good.dir / "regras.toml";
  test::configure_rules(good);
  test::append_file(good.config, "[channels.file]\npath = \"saida/outbox.jsonl\"\n");
  {
    std::string config = test::read_file(good.config);
    config.replace(config.find("[rules]\n"), 8, "[rules]\nfile = \"regras.toml\"\n");
    test::write_file(good.config, config);
  }
  test::write_file(rules,
                   "[[rule]]\n"
                   "id = \"inactive-20d\"\n"
                   "trigger = { kind = \"days_without_purchase\", days = 0 }\n"
                   "[rule.action]\n"
                   "kind = \"message\"\n"
                   "channel = \"pigeon\"\n"
                   "template = \"Oi{?, {first_name}}!\"\n");
  for (const auto& args :
       {std::vector<std::string>{"run"},
        std::vector<std::string>{"simulate", "--from", "2026-01-01", "--to", "2026-01-31"}}) {
    auto failed = run_command(good.command(args));
    EXPECT_EQ(failed.exit_code, 2) << args[0] << ": " << failed.err;
    EXPECT_NE(failed.err.find(rules.string() + ":3: rule \"inactive-20d\" trigger.days: 0 is out of range "
                                               "(allowed: 1 to 3650)"),
              std::string::npos)
        << failed.err;
    EXPECT_NE(failed.err.find(rules.string() + ":6: rule \"inactive-20d\" action.channel: \"pigeon\" is not "
                                               "allowed (allowed: \"sms\", \"whatsapp\", \"email\")"),
              std::string::npos)
        << failed.err;
  }
  EXPECT_FALSE(std::filesystem::exists(good.ledger)) << "run stopped before touching the ledger";
  auto status = run_command(good.command({"status"}));
  EXPECT_EQ(status.exit_code, 1) << "status still runs (and says there is no ledger yet): " << status.err;
  EXPECT_EQ(status.err.find("inactive-20d"), std::string::npos) << status.err;
  auto doctor = run_command(good.command({"doctor"}));
  EXPECT_EQ(doctor.exit_code, 1);
  EXPECT_NE(doctor.out.find("the rules cannot be read, so `regua-agent run` will not start: " +
                            rules.string() + ":3: rule \"inactive-20d\" trigger.days"),
            std::string::npos)
      << doctor.out;

  // Unknown keys of the new tables are configuration errors with their line.
  AgentStore typo;
  test::append_file(typo.config,
                    "\n[rules]\ndefault_pak = false\n[rules.cap]\nmax = 3\n[links]\nrating = \"x\"\n");
  auto bad = run_command(typo.command({"status"}));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(typo.config.string() + ":18: [rules] has an unknown key \"default_pak\""),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find(typo.config.string() + ":20: [rules.cap] has an unknown key \"max\""),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find(typo.config.string() + ":22: [links] has an unknown key \"rating\""),
            std::string::npos)
      << bad.err;
}

TEST(RulesCli, TasksListDoneArchiveRoundTripAndStatusCountsThem) {
  AgentStore store;
  test::write_file(store.dir / "rules.toml", test::kCallAfterSaleRule);
  test::configure_rules(store);
  {
    std::string config = test::read_file(store.config);
    config.replace(config.find("[rules]\n"), 8, "[rules]\nfile = \"rules.toml\"\n");
    test::write_file(store.config, config);
  }
  auto agent = store.start_agent();
  ASSERT_TRUE(agent->started());
  const auto now = test::unix_now();
  test::append_file(
      store.pos_file,
      test::sale_line("S-1", test::iso_utc(now - 60), "C-1", "Ana Souza", "(11) 98765-4321") +
          test::sale_line("S-2", test::iso_utc(now - 30), "C-2", "Bruno Lima", "(21) 99876-5432"));
  // Due the moment they are created ("0"): overdue from the next second on.
  nlohmann::json list;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(40);
  while (std::chrono::steady_clock::now() < end) {
    auto r = run_command(store.command({"tasks", "list", "--json"}));
    if (r.exit_code == 0) {
      list = nlohmann::json::parse(r.out, nullptr, false);
      if (list.is_object() && list["tasks"].size() == 2 && list["overdue"] == 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  ASSERT_TRUE(list.is_object()) << test::read_file(store.dir / "agent.log");
  ASSERT_EQ(list["tasks"].size(), 2U) << list.dump(2) << test::read_file(store.dir / "agent.log");
  EXPECT_EQ(list["open"], 2);
  EXPECT_EQ(list["overdue"], 2);
  std::set<std::string> customers;
  for (const auto& t : list["tasks"]) {
    EXPECT_EQ(t["state"], "open");
    EXPECT_EQ(t["overdue"], true) << "overdue is a flag of an open task";
    EXPECT_EQ(t["rule"], "call-after-sale");
    EXPECT_EQ(t["channel"], "call");
    EXPECT_TRUE(t["id"].is_number_integer());
    customers.insert(t["customer"].get<std::string>());
  }
  EXPECT_EQ(customers, (std::set<std::string>{"C-1", "C-2"}));
  const auto& ana = list["tasks"][0]["customer"] == "C-1" ? list["tasks"][0] : list["tasks"][1];
  const auto& bruno = list["tasks"][0]["customer"] == "C-1" ? list["tasks"][1] : list["tasks"][0];
  EXPECT_EQ(ana["title"], "Ligar para Ana Souza");
  EXPECT_EQ(ana["phone"], "+5511987654321");
  const std::string ana_id = std::to_string(ana["id"].get<std::int64_t>());
  const std::string bruno_id = std::to_string(bruno["id"].get<std::int64_t>());

  auto status = store.status();
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["tasks"]["open"], 2);
  EXPECT_EQ(status["tasks"]["overdue"], 2);
  auto text = run_command(store.command({"status"}));
  EXPECT_NE(text.out.find("tasks       2 open, 2 overdue"), std::string::npos) << text.out;
  auto doctor_overdue = run_command(store.command({"doctor"}));
  EXPECT_NE(doctor_overdue.out.find("2 of 2 open task(s) are overdue"), std::string::npos)
      << doctor_overdue.out;
  auto listed = run_command(store.command({"tasks", "list"}));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("2 open task(s), 2 overdue"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("#" + ana_id + "  open OVERDUE"), std::string::npos) << listed.out;

  // Mistakes: an unknown outcome, overdue as a state, an unknown task.
  auto r = run_command(store.command({"tasks", "done", ana_id, "--outcome", "maybe"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("contacted, no_answer, sold, wrong_number"), std::string::npos) << r.err;
  r = run_command(store.command({"tasks", "list", "--state", "overdue"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("overdue is not a state"), std::string::npos) << r.err;
  r = run_command(store.command({"tasks", "archive", "999"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;

  r = run_command(
      store.command({"tasks", "done", ana_id, "--outcome", "sold", "--note", "levou a jaqueta", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto done = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(done["state"], "done");
  EXPECT_EQ(done["outcome"], "sold");
  EXPECT_EQ(done["note"], "levou a jaqueta");
  EXPECT_EQ(done["overdue"], false);
  r = run_command(store.command({"tasks", "done", ana_id, "--outcome", "contacted"}));
  EXPECT_EQ(r.exit_code, 1) << "a closed task cannot be closed again";
  EXPECT_FALSE(r.err.empty());

  r = run_command(store.command({"tasks", "archive", bruno_id}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("task #" + bruno_id + " is archived"), std::string::npos) << r.out;

  for (const auto& [state, count] : std::vector<std::pair<std::string, std::size_t>>{
           {"open", 0}, {"done", 1}, {"archived", 1}, {"cancelled", 0}}) {
    r = run_command(store.command({"tasks", "list", "--json", "--state", state}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.out;
    EXPECT_EQ(j["tasks"].size(), count) << state << ": " << r.out;
    for (const auto& t : j["tasks"])
      EXPECT_EQ(t["state"], state);
  }
  auto doctor = run_command(store.command({"doctor"}));
  EXPECT_NE(
      doctor.out.find(
          "advice  default rule survey-3rd is off: its text needs {survey_url}; set [links] survey_url"),
      std::string::npos)
      << doctor.out;
  status = store.status();
  EXPECT_EQ(status["tasks"]["open"], 0);
  EXPECT_EQ(status["tasks"]["overdue"], 0);
}

// Two years of a small store: customers with mobiles buying now and then, some going quiet.
std::string rules_history() {
  std::string out;
  const std::time_t start = 1'735'732'800;  // 2025-01-01T12:00:00Z
  std::uint64_t state = 42;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  };
  int sale = 0;
  for (int c = 1; c <= 24; ++c) {
    std::time_t t = start + static_cast<std::time_t>(next() % (60 * 86400));
    const int purchases = 1 + static_cast<int>(next() % 8);
    for (int p = 0; p < purchases; ++p) {
      char phone[32];
      std::snprintf(phone, sizeof phone, "(11) 9%04d-%04d", 8000 + c, 1000 + c);
      out += test::sale_line("H-" + std::to_string(++sale), test::iso_utc(t), "C-" + std::to_string(c),
                             (c % 3 == 0 ? "Maria" : "João") + std::string(" Cliente ") + std::to_string(c),
                             phone);
      t += static_cast<std::time_t>(3600 * 4 + next() % (50 * 86400));
    }
  }
  out += R"({"type":"cancel","id":"H-3","ts":"2025-03-01T10:00:00-03:00"})"
         "\n";
  return out;
}

TEST(RulesCli, SimulateIsByteIdenticalLeavesTheLedgerAloneAndPrintsTheDocumentedLines) {
  AgentStore store;
  test::configure_rules(store);
  test::write_file(store.dir / "history.jsonl", rules_history());
  auto imported = run_command(store.command({"import", (store.dir / "history.jsonl").string()}));
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const std::string ledger_before = test::read_file(store.ledger);
  ASSERT_FALSE(ledger_before.empty());

  const auto args =
      std::vector<std::string>{"simulate", "--from", "2025-02-01", "--to", "2025-09-30", "--json"};
  auto first = run_command(store.command(args));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = run_command(store.command(args));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(first.out, second.out) << "byte-identical on re-run";
  EXPECT_TRUE(test::read_file(store.ledger) == ledger_before) << "the ledger file is unchanged";
  EXPECT_FALSE(std::filesystem::exists(store.dir / "outbox.jsonl")) << "nothing is sent";

  const auto lines = test::json_lines(first.out);
  ASSERT_GE(lines.size(), 2U) << first.out;
  const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d)");
  const std::set<std::string> decisions{"fired", "deferred", "skipped", "cancelled"};
  std::map<std::string, std::map<std::string, int>> counted;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    const auto& j = lines[i];
    ASSERT_TRUE(j.is_object()) << "line " << i + 1;
    for (const char* key : {"at", "rule", "customer", "decision", "action", "channel", "reason"}) {
      ASSERT_TRUE(j.contains(key) && j[key].is_string()) << key << " in line " << i + 1 << ": " << j.dump();
    }
    EXPECT_TRUE(std::regex_match(j["at"].get<std::string>(), iso)) << j["at"];
    EXPECT_EQ(decisions.count(j["decision"]), 1U) << j.dump();
    EXPECT_TRUE(j["action"] == "message" || j["action"] == "task") << j.dump();
    EXPECT_EQ(j["customer"].get<std::string>().rfind("C-", 0), 0U) << j.dump();
    ++counted[j["rule"]][j["decision"]];
  }
  const auto& last = lines.back();
  ASSERT_TRUE(last.is_object() && last.contains("totals")) << last.dump();
  EXPECT_EQ(last.size(), 1U);
  EXPECT_GT(counted["rating-1h"]["fired"], 0) << first.out.substr(0, 2000);
  for (const auto& [rule, by_decision] : counted) {
    ASSERT_TRUE(last["totals"].contains(rule)) << rule;
    for (const auto& [decision, n] : by_decision)
      EXPECT_EQ(last["totals"][rule][decision], n) << rule << " " << decision;
  }
  for (const char* rule : {"rating-1h", "review-3d", "inactive-15d", "inactive-180d", "loyal-quiet-30d"})
    EXPECT_TRUE(last["totals"].contains(rule)) << "every running rule has its totals: " << rule;
  EXPECT_FALSE(last["totals"].contains("welcome")) << "turned off in [rules] disable";

  // The readable form is deterministic too.
  auto text1 = run_command(store.command({"simulate", "--from", "2025-02-01", "--to", "2025-09-30"}));
  auto text2 = run_command(store.command({"simulate", "--from", "2025-02-01", "--to", "2025-09-30"}));
  ASSERT_EQ(text1.exit_code, 0) << text1.err;
  EXPECT_EQ(text1.out, text2.out);
  EXPECT_NE(text1.out.find("nothing was sent and the ledger was not changed"), std::string::npos);
  EXPECT_TRUE(test::read_file(store.ledger) == ledger_before);

  auto backwards = run_command(store.command({"simulate", "--from", "2025-09-30", "--to", "2025-02-01"}));
  EXPECT_EQ(backwards.exit_code, 2);
  EXPECT_NE(backwards.err.find("is before --from"), std::string::npos) << backwards.err;
}

}  // namespace
}  // namespace regua
