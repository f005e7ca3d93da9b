// `regua-agent run` with rules: a sale in the POS file plans "rating-1h", whose message reaches the
// `file` channel's outbox once it is due, and never twice: not across SIGKILL and restarts, not
// after a crash between the outbox append and the ledger's mark.

#include <thread>

#include <gtest/gtest.h>

#include "local/ledger/ledger.hpp"
#include "tests/integration/rules_support.hpp"
#include "tests/support/waiting.hpp"

namespace regua {
namespace {

using test::AgentStore;
using test::run_command;

std::vector<nlohmann::json> rating_lines(const std::filesystem::path& outbox) {
  std::vector<nlohmann::json> out;
  for (auto& j : test::outbox_lines(outbox)) {
    if (j.is_object() && j["rule"] == "rating-1h") out.push_back(std::move(j));
  }
  return out;
}

std::string message_state(const AgentStore& store) {
  ManualClock clock(Seconds{});
  auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", true, false}, clock);
  if (!ledger) return "cannot open: " + ledger.error().message;
  auto stmt = ledger->db().prepare("SELECT group_concat(state) FROM messages WHERE rule_id = 'rating-1h'");
  if (!stmt || !*stmt->step()) return "cannot read";
  return stmt->is_null(0) ? "" : std::string(stmt->text(0));
}

TEST(RulesRun, RatingMessageReachesTheOutboxWhenDueAndNeverTwice) {
  AgentStore store;
  test::configure_rules(store);
  const auto outbox = store.dir / "outbox.jsonl";
  test::write_file(store.pos_file, "");

  auto agent = store.start_agent();
  ASSERT_TRUE(agent->started());
  ASSERT_TRUE(test::eventually(
      [&] { return test::read_file(store.dir / "agent.log").find("following") != std::string::npos; },
      std::chrono::seconds(30)))
      << test::read_file(store.dir / "agent.log");

  // A sale made almost an hour ago: rating-1h ("1 hour after a purchase") is due 8 s from now. The
  // agent's timer would look again only within a minute: a due moment this close is met only if
  // the sale re-arms the timer at once.
  const std::time_t sold = test::unix_now() - 3600 + 8;
  const std::time_t due = sold + 3600;
  test::append_file(store.pos_file,
                    test::sale_line("S-1", test::iso_utc(sold), "C-77", "Ana Souza", "(11) 98765-4321"));
  ASSERT_TRUE(store.wait_caught_up()) << test::read_file(store.dir / "agent.log");
  if (test::unix_now() < due - 1) {
    EXPECT_TRUE(rating_lines(outbox).empty()) << "nothing before it is due";
  }
  ASSERT_TRUE(test::eventually([&] { return !rating_lines(outbox).empty(); }, std::chrono::seconds(40)))
      << test::read_file(store.dir / "agent.log");
  EXPECT_GE(test::unix_now(), due) << "not written before its due moment";
  auto lines = rating_lines(outbox);
  ASSERT_EQ(lines.size(), 1U);
  const auto line = lines[0];
  EXPECT_TRUE(line["id"].is_number_integer());
  EXPECT_EQ(line["customer"], "C-77");
  EXPECT_EQ(line["channel"], "sms");
  EXPECT_EQ(line["recipient"], "+5511987654321");
  EXPECT_TRUE(line["subject"].is_null());
  const std::string body = line["body"];
  EXPECT_NE(body.find("Oi, Ana!"), std::string::npos) << body;
  EXPECT_NE(body.find("Loja de Teste"), std::string::npos) << body;
  EXPECT_NE(body.find("https://loja.example/avaliar"), std::string::npos) << body;
  const std::string at = line["at"];
  ASSERT_EQ(at.size(), 25U) << at;  // 2026-03-01T14:05:00-03:00
  EXPECT_EQ(at.substr(19), "-03:00") << "store-local time with its offset";
  std::tm local{};
  ASSERT_EQ(std::sscanf(at.c_str(), "%d-%d-%dT%d:%d:%d", &local.tm_year, &local.tm_mon, &local.tm_mday,
                        &local.tm_hour, &local.tm_min, &local.tm_sec),
            6);
  local.tm_year -= 1900;
  local.tm_mon -= 1;
  EXPECT_GE(::timegm(&local) + 3 * 3600, due) << "written at " << at << ", not before its due moment";
  EXPECT_TRUE(test::eventually([&] { return message_state(store) == "sent"; }, std::chrono::seconds(10)));

  // Killed and restarted, again and again: the message is never written again.
  for (int i = 0; i < 3; ++i) {
    agent->signal(SIGKILL);
    EXPECT_EQ(agent->wait(), 128 + SIGKILL);
    agent = store.start_agent();
    ASSERT_TRUE(store.wait_caught_up()) << test::read_file(store.dir / "agent.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(300 * i));
  }
  agent->signal(SIGKILL);
  agent->wait();
  EXPECT_EQ(rating_lines(outbox).size(), 1U);

  // A crash after the line was appended but before the ledger recorded it as sent: the message is
  // still an intent at the restart, and the outbox's tail tells the channel it is already there.
  {
    SystemClock clock;
    auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", false, false}, clock);
    ASSERT_TRUE(ledger.ok()) << ledger.error().message;
    ASSERT_TRUE(
        ledger->db().exec("UPDATE messages SET state = 'intent', sent_at = NULL, sender = NULL").ok());
  }
  ASSERT_EQ(message_state(store), "intent");
  agent = store.start_agent();
  ASSERT_TRUE(test::eventually([&] { return message_state(store) == "sent"; }, std::chrono::seconds(30)))
      << test::read_file(store.dir / "agent.log");
  EXPECT_EQ(rating_lines(outbox).size(), 1U) << test::read_file(outbox);

  // A line cut short by a crash in the middle of the append is not a delivery: it is cut off and
  // the message written whole, once.
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  {
    SystemClock clock;
    auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", false, false}, clock);
    ASSERT_TRUE(ledger.ok()) << ledger.error().message;
    ASSERT_TRUE(
        ledger->db().exec("UPDATE messages SET state = 'intent', sent_at = NULL, sender = NULL").ok());
  }
  std::string text = test::read_file(outbox);
  const auto keep =
      text.rfind('\n', text.size() - 2) == std::string::npos ? 0 : text.rfind('\n', text.size() - 2) + 1;
  const std::string whole = text.substr(keep);
  test::write_file(outbox, text.substr(0, keep) + whole.substr(0, whole.size() / 2));
  agent = store.start_agent();
  ASSERT_TRUE(test::eventually([&] { return message_state(store) == "sent"; }, std::chrono::seconds(30)))
      << test::read_file(store.dir / "agent.log");
  lines = rating_lines(outbox);
  ASSERT_EQ(lines.size(), 1U) << test::read_file(outbox);
  EXPECT_EQ(lines[0]["id"], line["id"]);
  EXPECT_EQ(lines[0]["body"], line["body"]);
  EXPECT_EQ(test::read_file(outbox).substr(0, keep), text.substr(0, keep)) << "the lines before it are kept";
  EXPECT_EQ(test::read_file(outbox).back(), '\n');
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);

  // `why` tells the customer's story; status has nothing waiting.
  auto why = run_command(store.command({"why", "C-77"}));
  ASSERT_EQ(why.exit_code, 0) << why.err;
  EXPECT_NE(why.out.find("Ana Souza (C-77)"), std::string::npos) << why.out;
  EXPECT_NE(why.out.find("rating-1h"), std::string::npos) << why.out;
  EXPECT_NE(why.out.find("fired (due)"), std::string::npos) << why.out;
  EXPECT_NE(why.out.find("sms to +5511987654321"), std::string::npos) << why.out;
  EXPECT_NE(why.out.find("    Oi, Ana! Obrigado pela visita"), std::string::npos) << why.out;
  auto why_json = run_command(store.command({"why", "C-77", "--json"}));
  ASSERT_EQ(why_json.exit_code, 0) << why_json.err;
  bool fired = false;
  for (const auto& j : test::json_lines(why_json.out)) {
    ASSERT_TRUE(j.is_object()) << why_json.out;
    if (j["rule"] == "rating-1h" && j["decision"] == "fired") {
      fired = true;
      EXPECT_EQ(j["reason"], "due");
      EXPECT_EQ(j["customer"], "C-77");
    }
  }
  EXPECT_TRUE(fired) << why_json.out;
  auto unknown = run_command(store.command({"why", "C-404"}));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no customer \"C-404\""), std::string::npos) << unknown.err;

  const auto status = store.status();
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["messages_waiting"], 0);
}

}  // namespace
}  // namespace regua
