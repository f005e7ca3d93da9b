// At most once, the hard way: `regua-agent run` sends hundreds of SMS through the Twilio stand-in and
// is killed with SIGKILL at random moments, again and again, and restarted each time. The stand-in
// counts every request it receives. At the end no customer was sent the same message twice, every
// message is sent, failed or unknown, and the unknown ones are only those a kill interrupted.

#include <algorithm>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "tests/integration/channels_support.hpp"

namespace regua {
namespace {

using test::ChannelStore;
using test::eventually;
using test::ProviderStandin;

struct MessageRow {
  std::string recipient, state;
  std::int64_t sending_at = 0, sent_at = 0;
};

std::vector<MessageRow> read_messages(const test::AgentStore& store) {
  ManualClock clock(Seconds{});
  auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", true, false}, clock);
  EXPECT_TRUE(ledger.ok()) << ledger.error().message;
  std::vector<MessageRow> out;
  auto stmt = ledger->db().prepare(
      "SELECT recipient, state, coalesce(sending_at, 0), coalesce(sent_at, 0) FROM messages ORDER BY id");
  while (*stmt->step()) {
    out.push_back({std::string(stmt->text(0)), std::string(stmt->text(1)), stmt->int64(2), stmt->int64(3)});
  }
  return out;
}

TEST(ChannelsCrashTest, KillNineWhileSendingNeverSendsAMessageTwice) {
  const auto seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  ::setenv("REGUA_TWILIO_AUTH_TOKEN", ProviderStandin::kAuthToken, 1);
  ChannelStore s;
  test::configure_rules(s.store);
  s.configure("[channels.sms]\nprovider = \"twilio\"\n");

  // Enough messages that sending takes seconds: the kills land while requests are in flight.
  constexpr int kCustomers = 400;
  std::set<std::string> refused;
  std::string sales;
  for (int i = 0; i < kCustomers; ++i) {
    char phone[32];
    std::snprintf(phone, sizeof phone, "(11) 98%03d-%04d", i / 10, 1000 + i);
    char e164[32];
    std::snprintf(e164, sizeof e164, "+551198%03d%04d", i / 10, 1000 + i);
    sales += test::sale_due_now("S-" + std::to_string(i), "C-" + std::to_string(i),
                                "Cliente " + std::to_string(i), phone);
    if (i % 40 == 7) {
      refused.insert(e164);
      s.standin.refuse_recipient(e164,
                                 ProviderStandin::twilio_error(400, 21211, "The 'To' number is not valid."));
    }
  }
  test::append_file(s.store.pos_file, sales);
  s.standin.set_latency(std::chrono::milliseconds(60));
  s.standin.fail_next(6, ProviderStandin::twilio_error(429, 20429, "Too Many Requests"));

  struct Run {
    std::int64_t start = 0, killed = 0;
  };
  std::vector<Run> kills;
  std::uniform_int_distribution<int> pause(150, 1200);
  for (int i = 0; i < 24; ++i) {
    Run run;
    run.start = test::unix_now();
    auto agent = s.store.start_agent();
    ASSERT_TRUE(agent->started());
    std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng)));
    agent->signal(SIGKILL);
    EXPECT_EQ(agent->wait(), 128 + SIGKILL);
    run.killed = test::unix_now();
    kills.push_back(run);
  }

  // The last run is left to finish: everything is decided, nothing is sent twice.
  const auto log_before = s.log().size();
  auto agent = s.store.start_agent();
  // Up before it is asked to stop: a SIGTERM that beats the process to main() kills it outright.
  ASSERT_TRUE(eventually([&] { return s.log().find("running for store", log_before) != std::string::npos; },
                         std::chrono::seconds(60)));
  ASSERT_TRUE(eventually(
      [&] {
        const auto rows = read_messages(s.store);
        return rows.size() == kCustomers && std::none_of(rows.begin(), rows.end(), [](const MessageRow& m) {
                 return m.state == "intent" || m.state == "sending";
               });
      },
      std::chrono::seconds(180)))
      << test::ledger_value(s.store,
                            "SELECT group_concat(state || ' ' || n) FROM (SELECT state, count(*) AS n FROM "
                            "messages GROUP BY state)")
      << "\n"
      << s.log().substr(s.log().size() > 20000 ? s.log().size() - 20000 : 0);
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);

  // Per recipient: requests the stand-in accepted (201), and refused for good (400).
  std::map<std::string, int> taken, refusals;
  for (const auto& r : s.standin.requests()) {
    if (r.status == 201) ++taken[r.to];
    if (r.status == 400) ++refusals[r.to];
  }
  const auto rows = read_messages(s.store);
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kCustomers));
  std::map<std::string, int> states;
  int windows_with_sends = 0;
  for (const auto& run : kills) {
    if (std::any_of(rows.begin(), rows.end(), [&](const MessageRow& m) {
          return m.sending_at >= run.start - 1 && m.sending_at <= run.killed + 1;
        }))
      ++windows_with_sends;
  }
  for (const auto& m : rows) {
    ++states[m.state];
    EXPECT_LE(taken[m.recipient], 1) << m.recipient << " received the message " << taken[m.recipient]
                                     << " times";
    if (m.state == "sent") {
      EXPECT_EQ(taken[m.recipient], 1) << m.recipient;
    } else if (m.state == "failed") {
      EXPECT_EQ(taken[m.recipient], 0) << m.recipient;
      EXPECT_EQ(refusals[m.recipient], 1) << m.recipient << ": refused once, not retried";
      EXPECT_TRUE(refused.contains(m.recipient)) << m.recipient << " failed without a permanent refusal";
    } else {
      ASSERT_EQ(m.state, "unknown") << m.recipient;
      // Only an attempt a kill interrupted: it started in a run that ended with SIGKILL.
      const bool interrupted = std::any_of(kills.begin(), kills.end(), [&](const Run& run) {
        return m.sending_at >= run.start - 1 && m.sending_at <= run.killed + 1;
      });
      EXPECT_TRUE(interrupted) << m.recipient << " is unknown but its attempt (at " << m.sending_at
                               << ") was in no killed run";
    }
  }
  for (const auto& to : refused)
    EXPECT_LE(refusals[to], 1) << "a permanent refusal is not retried: " << to;
  EXPECT_LE(states["unknown"], static_cast<int>(kills.size()) * 4)
      << "at most the calls in flight at each kill";
  EXPECT_GE(windows_with_sends, 3) << "the kills must land while messages are being sent";
  std::string summary;
  for (const auto& [state, n] : states)
    summary += state + " " + std::to_string(n) + ", ";
  std::cout << "[ channels crash ] seed " << seed << ": " << summary << s.standin.count() << " requests, "
            << windows_with_sends << " of " << kills.size() << " kills while sending\n";
  ::unsetenv("REGUA_TWILIO_AUTH_TOKEN");
}

}  // namespace
}  // namespace regua
