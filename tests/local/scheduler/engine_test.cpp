// The rule engine on a real ledger file, fed through the real Ingestor with the Engine as its
// listener, on a clock the test moves: when each trigger fires, what cancels it, and every guard.

#include "local/scheduler/engine.hpp"

#include <gtest/gtest.h>

#include "local/identity/merge.hpp"
#include "local/scheduler/messages.hpp"
#include "local/tasks/tasks.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua {
namespace {

using namespace std::chrono_literals;
using test::at;
using test::default_rule;
using test::make_rule;
using test::Seen;

class EngineBehaviour : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    clock.set(at("2026-03-02T09:00:00-03:00"));
  }

  // Writes `events` as another writer does (`regua-agent import`, the HTTP API): its own Ingestor,
  // which the Engine does not listen to; the agent's next round (catch_up) must find them.
  void write_as_another_writer(const std::vector<Event>& events) {
    auto other = Ingestor::create(*ledger, phones);
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(other->begin().ok());
    for (const Event& e : events) {
      auto s = other->apply(e, "import");
      ASSERT_TRUE(s.ok()) << s.error().message;
    }
    ASSERT_TRUE(other->commit().ok());
  }

  std::string body_of_last_message() {
    return text("SELECT body FROM messages ORDER BY id DESC LIMIT 1").value_or("");
  }
};

TEST_F(EngineBehaviour, RatingFiresOneHourAfterThePurchase) {
  start({default_rule("rating-1h")});
  buy("S-1", customer("C-1", "Ana Souza"), "2026-03-02T14:00:00-03:00");
  auto wake = engine->next_wake();
  ASSERT_TRUE(wake.ok());
  EXPECT_EQ(*wake, at("2026-03-02T15:00:00-03:00"));
  run_until("2026-03-02T14:59:59-03:00");
  EXPECT_TRUE(seen().empty());
  run_until("2026-03-02T18:00:00-03:00");
  EXPECT_EQ(seen(), (std::vector<Seen>{{"2026-03-02 15:00 -03:00", "rating-1h", "C-1", "fired", "due"}}));
  EXPECT_EQ(
      body_of_last_message(),
      "Oi, Ana! Obrigado pela visita à Loja Centro. Como foi o seu atendimento? Sua opinião leva 1 minuto: "
      "https://r.example/rate");
  EXPECT_EQ(text("SELECT recipient || ' ' || state || ' ' || channel FROM messages"),
            "+5511987654321 intent sms");
  // A replayed sale plans nothing again.
  buy("S-1", customer("C-1", "Ana Souza"), "2026-03-02T14:00:00-03:00");
  run_until("2026-03-05T18:00:00-03:00");
  EXPECT_EQ(count("SELECT count(*) FROM jobs"), 1);
}

TEST_F(EngineBehaviour, InactivityIsCancelledWhenTheCustomerBought) {
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  buy("S-2", "C-1", "2026-03-10T14:00:00-03:00");
  run_until("2026-04-30T12:00:00-03:00");
  EXPECT_EQ(seen(),
            (std::vector<Seen>{{"2026-03-10 14:00 -03:00", "inactive-15d", "C-1", "cancelled", "bought"},
                               {"2026-03-25 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, InactivityIsCancelledWhenThePurchaseCameThroughCatchUp) {
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  run_until("2026-03-16T18:00:00-03:00");
  // Another writer (an import, the HTTP API) stores a sale the engine does not hear about.
  auto other = Ingestor::create(*ledger, phones);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->begin().ok());
  ASSERT_TRUE(other->apply(sale("S-2", 5'000, customer("C-1"), "2026-03-16T17:00:00-03:00"), "import").ok());
  ASSERT_TRUE(other->commit().ok());
  // Even if the job is fired before any catch-up, the stale "we miss you" is impossible.
  clock.set(at("2026-03-17T10:00:00-03:00"));
  in_txn([&] { ASSERT_TRUE(engine->fire_due().ok()); });
  tick();  // the agent's next round plans from the new purchase
  run_until("2026-04-30T12:00:00-03:00");
  EXPECT_EQ(seen(),
            (std::vector<Seen>{{"2026-03-17 10:00 -03:00", "inactive-15d", "C-1", "cancelled", "bought"},
                               {"2026-03-31 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, CatchUpCancelsBeforeTheJobIsDue) {
  start({default_rule("inactive-15d"), default_rule("loyal-quiet-30d")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  run_until("2026-03-05T12:00:00-03:00");
  auto other = Ingestor::create(*ledger, phones);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->begin().ok());
  ASSERT_TRUE(other->apply(sale("S-2", 5'000, customer("C-1"), "2026-03-05T11:00:00-03:00"), "import").ok());
  ASSERT_TRUE(other->commit().ok());
  tick();
  EXPECT_EQ(
      count("SELECT count(*) FROM jobs WHERE state = 'cancelled' AND reason = 'bought' AND occurrence LIKE "
            "'since:%'"),
      2);
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE state = 'pending'"), 2);  // both rules, from S-2
}

TEST_F(EngineBehaviour, OneInactivityMessagePerEpisode) {
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  // Every day of the next three months the customer is still "15 days without buying".
  for (int d = 0; d < 90; ++d)
    run_until(at("2026-03-03T12:00:00-03:00") + std::chrono::days{d});
  EXPECT_EQ(final_seen().size(), 1u);
  buy("S-2", "C-1", "2026-06-05T16:00:00-03:00");
  run_until("2026-08-31T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-17 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"},
                               {"2026-06-20 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, CancelledLastPurchaseBringsBackThePreviousEpisode) {
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  buy("S-2", "C-1", "2026-03-10T14:00:00-03:00");
  run_until("2026-03-11T12:00:00-03:00");
  apply_all({Cancel{"S-2", clock.now()}});
  run_until("2026-04-30T12:00:00-03:00");
  // S-2 never happened: the customer has not bought since S-1, so S-1's episode (cancelled when S-2
  // came) is on again and fires at its moment, once.
  EXPECT_EQ(
      final_seen(),
      (std::vector<Seen>{{"2026-03-10 14:00 -03:00", "inactive-15d", "C-1", "cancelled", "bought"},
                         {"2026-03-11 12:00 -03:00", "inactive-15d", "C-1", "cancelled", "sale_cancelled"},
                         {"2026-03-17 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, ARatingFoundTwoDaysLateIsSkipped) {
  start({default_rule("rating-1h")});
  buy("S-1", customer("C-1", "Ana Souza"), "2026-03-02T14:00:00-03:00");
  // The agent was down from 14:30 to two days after the rating was due.
  clock.set(at("2026-03-04T15:00:00-03:00"));
  tick();
  const auto d = decisions();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].decision, "skipped");
  EXPECT_EQ(d[0].reason, "late");
  EXPECT_EQ(d[0].detail,
            "found 2 d after its planned moment, more than its maximum lateness of 18 h (the agent was not "
            "running, or the clock jumped)");
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
}

TEST_F(EngineBehaviour, QuietHoursDeferToTheirEndNeverDrop) {
  start({default_rule("rating-1h")});
  buy("S-1", customer("C-1", "Ana"), "2026-03-02T20:30:00-03:00");
  buy("S-2", customer("C-2", "Bia", "(11) 91234-5678"), "2026-03-02T23:40:00-03:00");
  run_until("2026-03-03T12:00:00-03:00");
  EXPECT_EQ(seen(),
            (std::vector<Seen>{{"2026-03-02 21:30 -03:00", "rating-1h", "C-1", "deferred", "quiet_hours"},
                               {"2026-03-03 00:40 -03:00", "rating-1h", "C-2", "deferred", "quiet_hours"},
                               {"2026-03-03 09:00 -03:00", "rating-1h", "C-1", "fired", "due"},
                               {"2026-03-03 09:00 -03:00", "rating-1h", "C-2", "fired", "due"}}));
  EXPECT_EQ(decisions()[0].until, at("2026-03-03T09:00:00-03:00"));
}

TEST_F(EngineBehaviour, QuietHoursOfANightShopDeferToTheirEnd) {
  settings.quiet = QuietHours{std::chrono::minutes{8 * 60}, std::chrono::minutes{20 * 60}};  // a night shop
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  run_until("2026-03-30T12:00:00-03:00");
  EXPECT_EQ(seen(),
            (std::vector<Seen>{{"2026-03-17 10:00 -03:00", "inactive-15d", "C-1", "deferred", "quiet_hours"},
                               {"2026-03-17 20:00 -03:00", "inactive-15d", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, QuietHoursPastTheLatenessSkipWithThatReason) {
  const Rule prompt = make_rule({{"id", "prompt-1h"},
                                 {"trigger.kind", "after_purchase"},
                                 {"trigger.delay", "1h"},
                                 {"guards.max_lateness", "2h"},
                                 {"action.kind", "message"},
                                 {"action.channel", "sms"},
                                 {"action.template", "Oi"}});
  start({prompt});
  buy("S-1", "C-1", "2026-03-02T20:30:00-03:00");
  run_until("2026-03-03T12:00:00-03:00");
  const auto d = decisions();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(seen()[0], (Seen{"2026-03-02 21:30 -03:00", "prompt-1h", "C-1", "skipped", "quiet_hours"}));
  EXPECT_EQ(d[0].detail,
            "quiet hours (21:00-09:00) end at 2026-03-03 09:00 -03:00, past its maximum lateness of 2 h");
}

TEST_F(EngineBehaviour, CapMakesTheLowerPriorityRuleYield) {
  settings.cap = FrequencyCap{2, std::chrono::days{7}};
  const Rule promo = make_rule({{"id", "promo-2d"},
                                {"priority", std::int64_t{45}},
                                {"trigger.kind", "after_purchase"},
                                {"trigger.delay", "2d"},
                                {"trigger.at", "10:00"},
                                {"action.kind", "message"},
                                {"action.channel", "sms"},
                                {"action.template", "Promo da {store}"}});
  start({default_rule("rating-1h"), default_rule("review-3d"), promo});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  run_until("2026-03-20T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-02 15:00 -03:00", "rating-1h", "C-1", "fired", "due"},
                               {"2026-03-04 10:00 -03:00", "promo-2d", "C-1", "fired", "due"},
                               {"2026-03-05 10:00 -03:00", "review-3d", "C-1", "skipped", "cap"}}));
}

TEST_F(EngineBehaviour, ALowerPriorityRuleDueFirstLeavesRoomForAHigherOne) {
  settings.cap = FrequencyCap{1, std::chrono::days{7}};
  const auto rule = [](std::string id, std::int64_t priority, std::string delay) {
    return make_rule({{"id", std::move(id)},
                      {"priority", priority},
                      {"trigger.kind", "after_purchase"},
                      {"trigger.delay", std::move(delay)},
                      {"trigger.at", "10:00"},
                      {"action.kind", "message"},
                      {"action.channel", "sms"},
                      {"action.template", "Oi"}});
  };
  start({rule("low-1d", 30, "1d"), rule("high-3d", 90, "3d")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  run_until("2026-03-20T12:00:00-03:00");
  EXPECT_EQ(final_seen(), (std::vector<Seen>{{"2026-03-03 10:00 -03:00", "low-1d", "C-1", "skipped", "cap"},
                                             {"2026-03-05 10:00 -03:00", "high-3d", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, ConsentIsPerChannelAndReadWhenFiring) {
  const Rule whatsapp = make_rule({{"id", "wa-1h"},
                                   {"trigger.kind", "after_purchase"},
                                   {"trigger.delay", "1h"},
                                   {"action.kind", "message"},
                                   {"action.channel", "whatsapp"},
                                   {"action.template", "Oi"}});
  settings.cap = FrequencyCap{0, std::chrono::days{7}};
  start({default_rule("rating-1h"), whatsapp});
  CustomerInfo ana = customer("C-1", "Ana");
  ana.consent = {ConsentChange{Channel::whatsapp, true}};  // WhatsApp needs a grant ([consent] default)
  buy("S-1", ana, "2026-03-02T14:00:00-03:00");
  // The opt-out comes after the jobs were planned: it is honoured at the moment of sending.
  ana.consent = {ConsentChange{Channel::sms, false}};
  apply_all({CustomerUpdate{ana, at("2026-03-02T14:10:00-03:00")}});
  run_until("2026-03-02T18:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-02 15:00 -03:00", "rating-1h", "C-1", "skipped", "opted_out"},
                               {"2026-03-02 15:00 -03:00", "wa-1h", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, NoValidMobileSkipsSmsAndWhatsApp) {
  start({default_rule("rating-1h"), default_rule("loyal-quiet-30d")});
  buy("S-1", customer("C-1", "Ana", "(11) 3456-7890"), "2026-03-02T14:00:00-03:00");  // a landline
  buy("S-2", customer("C-2", "Bia", std::nullopt), "2026-03-02T14:00:00-03:00");
  run_until("2026-03-02T18:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-02 15:00 -03:00", "rating-1h", "C-1", "skipped", "no_mobile"},
                               {"2026-03-02 15:00 -03:00", "rating-1h", "C-2", "skipped", "no_mobile"}}));
}

TEST_F(EngineBehaviour, SurveyAfterTheThirdPurchaseOnce) {
  start({default_rule("survey-3rd")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  buy("S-2", "C-1", "2026-03-09T14:00:00-03:00");
  buy("S-3", "C-1", "2026-03-16T14:00:00-03:00");
  buy("S-4", "C-1", "2026-03-17T14:00:00-03:00");
  run_until("2026-05-01T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-18 10:00 -03:00", "survey-3rd", "C-1", "fired", "due"}}));
  EXPECT_NE(body_of_last_message().find("https://r.example/survey"), std::string::npos);
}

TEST_F(EngineBehaviour, SurveyLapsesWhenTheThirdPurchaseIsCancelled) {
  start({default_rule("survey-3rd")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  buy("S-2", "C-1", "2026-03-09T14:00:00-03:00");
  buy("S-3", "C-1", "2026-03-16T14:00:00-03:00");
  run_until("2026-03-17T09:00:00-03:00");
  apply_all({Cancel{"S-3", clock.now()}});
  run_until("2026-05-01T12:00:00-03:00");
  const auto s = final_seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].decision, "cancelled");
  EXPECT_EQ(s[0].reason, "lapsed");
}

TEST_F(EngineBehaviour, SurveyComesBackWithANewThirdPurchase) {
  start({default_rule("survey-3rd")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  buy("S-2", "C-1", "2026-03-09T14:00:00-03:00");
  buy("S-3", "C-1", "2026-03-16T14:00:00-03:00");
  run_until("2026-03-17T09:00:00-03:00");
  apply_all({Cancel{"S-3", clock.now()}});
  run_until("2026-03-20T12:00:00-03:00");
  buy("S-4", "C-1", "2026-03-25T14:00:00-03:00");
  buy("S-5", "C-1", "2026-03-26T14:00:00-03:00");
  run_until("2026-05-01T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-18 10:00 -03:00", "survey-3rd", "C-1", "cancelled", "lapsed"},
                               {"2026-03-27 10:00 -03:00", "survey-3rd", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, WelcomeAfterRegistrationByEmail) {
  start({default_rule("welcome")});
  CustomerInfo ana = customer("C-1", "Ana Souza");
  ana.email = "ana@example.com";
  buy("S-1", ana, "2026-03-02T14:00:00-03:00");
  // A customer registered without buying, with no e-mail: skipped with the reason.
  apply_all({CustomerUpdate{customer("C-2", "Bia"), at("2026-03-02T15:00:00-03:00")}});
  // An old customer's update is not a registration.
  apply_all({CustomerUpdate{ana, at("2026-03-02T16:00:00-03:00")}});
  run_until("2026-03-10T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-04 10:00 -03:00", "welcome", "C-1", "fired", "due"},
                               {"2026-03-04 10:00 -03:00", "welcome", "C-2", "skipped", "no_email"}}));
  EXPECT_EQ(text("SELECT subject || '|' || recipient FROM messages"),
            "Boas-vindas da Loja Centro|ana@example.com");
}

TEST_F(EngineBehaviour, BirthdayOnTheDayAndNextYearPlanned) {
  start({default_rule("birthday")});
  buy("S-1", customer("C-1", "Ana", "(11) 98765-4321", "1990-03-05"), "2026-03-02T14:00:00-03:00");
  run_until("2026-03-10T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-05 10:00 -03:00", "birthday", "C-1", "fired", "due"}}));
  EXPECT_NE(body_of_last_message().find("Feliz aniversário, Ana!"), std::string::npos);
  EXPECT_EQ(text("SELECT occurrence || ' ' || planned_at FROM jobs WHERE state = 'pending'"),
            "birthday:2027 " + std::to_string(at("2027-03-05T10:00:00-03:00").time_since_epoch().count()));
}

TEST_F(EngineBehaviour, BirthdayOnTwentyNinthOfFebruary) {
  start({default_rule("birthday")});
  buy("S-1", customer("C-1", "Ana", "(11) 98765-4321", "1992-02-29"), "2026-03-02T14:00:00-03:00");
  run_until("2028-03-01T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2027-02-28 10:00 -03:00", "birthday", "C-1", "fired", "due"},
                               {"2028-02-29 10:00 -03:00", "birthday", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, BirthdayChangedMovesTheJob) {
  start({default_rule("birthday")});
  CustomerInfo ana = customer("C-1", "Ana", "(11) 98765-4321", "1990-05-10");
  buy("S-1", ana, "2026-03-02T14:00:00-03:00");
  ana.birthday = "1990-04-20";
  apply_all({CustomerUpdate{ana, at("2026-03-03T10:00:00-03:00")}});
  run_until("2026-06-01T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-04-20 10:00 -03:00", "birthday", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, CellEnteredFiresForTheCellAndLapsesWhenLeft) {
  const Rule cell = make_rule({{"id", "new-hello"},
                               {"trigger.kind", "cell_entered"},
                               {"trigger.cell", "new_active"},
                               {"trigger.delay", "1d"},
                               {"trigger.at", "11:00"},
                               {"action.kind", "message"},
                               {"action.channel", "sms"},
                               {"action.template", "Oi"}});
  start({cell});
  ingestor->stats().use_policy(&engine->policy());
  // The POS clock runs a few minutes ahead of the agent's: its own sale must not cancel the job.
  run_until("2026-03-02T14:00:00-03:00");
  buy("S-1", customer("C-1"), "2026-03-02T14:05:00-03:00", false);
  buy("S-2", "C-2", "2026-03-02T14:00:00-03:00");
  buy("S-3", "C-2", "2026-03-02T18:00:00-03:00");  // C-2 is promising now: its job lapses
  run_until("2026-03-05T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-02 18:00 -03:00", "new-hello", "C-2", "cancelled", "bought"},
                               {"2026-03-03 11:00 -03:00", "new-hello", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, WeeklyCampaignForASegment) {
  const Rule weekly = make_rule({{"id", "weekly-news"},
                                 {"trigger.kind", "recurring"},
                                 {"trigger.segment", "new_active"},
                                 {"trigger.every", "week"},
                                 {"trigger.weekday", "friday"},
                                 {"trigger.at", "11:00"},
                                 {"action.kind", "message"},
                                 {"action.channel", "sms"},
                                 {"action.template", "Novidades da {store}"}});
  settings.cap = FrequencyCap{0, std::chrono::days{7}};
  start({weekly});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  run_until("2026-03-21T12:00:00-03:00");
  // Fridays 6, 13 and 20 March; C-1 is a new active customer all along (one purchase, recent).
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-06 11:00 -03:00", "weekly-news", "C-1", "fired", "due"},
                               {"2026-03-13 11:00 -03:00", "weekly-news", "C-1", "fired", "due"},
                               {"2026-03-20 11:00 -03:00", "weekly-news", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, MonthlyCampaignSkipsRunsMissedPastTheLateness) {
  const Rule monthly = make_rule({{"id", "monthly-news"},
                                  {"trigger.kind", "recurring"},
                                  {"trigger.segment", "new_active"},
                                  {"trigger.every", "month"},
                                  {"trigger.day_of_month", std::int64_t{5}},
                                  {"action.kind", "message"},
                                  {"action.channel", "sms"},
                                  {"action.template", "Novidades"}});
  start({monthly});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  run_until("2026-03-06T12:00:00-03:00");
  // The agent is down over 5 April; it runs again on 8 April.
  clock.set(at("2026-04-08T12:00:00-03:00"));
  tick();
  run_until("2026-04-10T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-05 10:00 -03:00", "monthly-news", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, LoyalTaskCarriesAWhatsAppLinkAndExpires) {
  start({default_rule("loyal-quiet-30d")});
  const CustomerInfo ana = customer("C-1", "Ana Souza");
  for (const auto* day : {"02", "09", "16", "23"})
    buy(std::string("S-") + day, ana, std::string("2026-03-") + day + "T14:00:00-03:00");
  run_until("2026-04-22T12:00:00-03:00");
  auto list = tasks();
  ASSERT_EQ(list.size(), 1u);
  const TaskRow& t = list[0];
  EXPECT_EQ(t.state, TaskState::open);
  EXPECT_EQ(t.rule_id, "loyal-quiet-30d");
  EXPECT_EQ(t.channel, "whatsapp");
  EXPECT_EQ(t.title, "WhatsApp para Ana Souza: 30 dias sem comprar");
  EXPECT_EQ(
      t.text,
      "Oi, Ana! Aqui é da Loja Centro. Sentimos sua falta por aqui! Chegaram novidades que combinam com "
      "você. Quer que eu separe alguma coisa para você ver?");
  EXPECT_EQ(t.link, whatsapp_link("+5511987654321", t.text));
  EXPECT_TRUE(t.link->starts_with("https://wa.me/5511987654321?text=Oi%2C%20Ana%21%20Aqui%20%C3%A9%20da"));
  EXPECT_EQ(t.created_at, at("2026-04-22T10:00:00-03:00"));
  EXPECT_EQ(t.due_at, at("2026-04-23T10:00:00-03:00"));
  EXPECT_EQ(t.expires_at, at("2026-04-29T10:00:00-03:00"));
  EXPECT_NE(t.instructions.find("4 compras, a última em 23/03/2026"), std::string::npos);
  EXPECT_FALSE(t.overdue);
  run_until("2026-04-24T12:00:00-03:00");
  auto counts = count_tasks(ledger->db(), clock.now());
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->open, 1);
  EXPECT_EQ(counts->overdue, 1);
  run_until("2026-04-29T10:00:00-03:00");
  list = tasks();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].state, TaskState::expired);
  EXPECT_EQ(list[0].closed_at, at("2026-04-29T10:00:00-03:00"));
}

TEST_F(EngineBehaviour, LoyalTaskNeedsFourPurchasesInNinetyDays) {
  start({default_rule("loyal-quiet-30d")});
  for (const auto* day : {"02", "09", "16"})
    buy(std::string("S-") + day, "C-1", std::string("2026-03-") + day + "T14:00:00-03:00");
  run_until("2026-04-30T12:00:00-03:00");
  EXPECT_EQ(
      final_seen(),
      (std::vector<Seen>{{"2026-03-09 14:00 -03:00", "loyal-quiet-30d", "C-1", "cancelled", "bought"},
                         {"2026-03-16 14:00 -03:00", "loyal-quiet-30d", "C-1", "cancelled", "bought"},
                         {"2026-04-15 10:00 -03:00", "loyal-quiet-30d", "C-1", "cancelled", "condition"}}));
  EXPECT_TRUE(tasks().empty());
}

TEST_F(EngineBehaviour, OpenTaskIsCancelledWhenTheCustomerBuys) {
  start({default_rule("loyal-quiet-30d")});
  for (const auto* day : {"02", "09", "16", "23"})
    buy(std::string("S-") + day, "C-1", std::string("2026-03-") + day + "T14:00:00-03:00");
  run_until("2026-04-22T12:00:00-03:00");
  ASSERT_EQ(tasks().size(), 1u);
  buy("S-5", "C-1", "2026-04-23T15:00:00-03:00");
  auto list = tasks();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].state, TaskState::cancelled);
  ASSERT_TRUE(list[0].close_reason);
  EXPECT_TRUE(list[0].close_reason->starts_with("bought: ")) << *list[0].close_reason;
  // Staff cannot close it any more; done and archive work on open tasks only.
  EXPECT_EQ(complete_task(ledger->db(), list[0].id, TaskOutcome::sold, "", clock.now()).error().kind,
            ErrorKind::input);
  EXPECT_EQ(archive_task(ledger->db(), 999, clock.now()).error().kind, ErrorKind::usage);
}

TEST_F(EngineBehaviour, OpenTaskIsCancelledWhenThePurchaseCameThroughCatchUp) {
  start({default_rule("loyal-quiet-30d")});
  for (const auto* day : {"02", "09", "16", "23"})
    buy(std::string("S-") + day, "C-1", std::string("2026-03-") + day + "T14:00:00-03:00");
  run_until("2026-04-22T12:00:00-03:00");
  ASSERT_EQ(tasks().size(), 1u);
  auto other = Ingestor::create(*ledger, phones);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->begin().ok());
  ASSERT_TRUE(other->apply(sale("S-5", 5'000, customer("C-1"), "2026-04-22T11:30:00-03:00"), "import").ok());
  ASSERT_TRUE(other->commit().ok());
  run_until("2026-04-22T12:05:00-03:00");
  const auto list = tasks();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].state, TaskState::cancelled);
}

TEST_F(EngineBehaviour, WhatsAppNeedsAValidMobileToo) {
  const Rule whatsapp = make_rule({{"id", "wa-1h"},
                                   {"trigger.kind", "after_purchase"},
                                   {"trigger.delay", "1h"},
                                   {"action.kind", "task"},
                                   {"action.title", "WhatsApp para {first_name|cliente}"},
                                   {"action.template", "Oi{?, {first_name}}!"}});
  start({whatsapp});
  buy("S-1", customer("C-1", "Ana", "(11) 3456-7890"), "2026-03-02T14:00:00-03:00");
  buy("S-2", customer("C-2", "Bia"), "2026-03-02T14:00:00-03:00");
  run_until("2026-03-02T18:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-02 15:00 -03:00", "wa-1h", "C-1", "skipped", "no_mobile"},
                               {"2026-03-02 15:00 -03:00", "wa-1h", "C-2", "fired", "due"}}));
  const auto list = tasks();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].title, "WhatsApp para Bia");
  EXPECT_EQ(list[0].link, "https://wa.me/5511987654322?text=Oi%2C%20Bia%21");
}

TEST_F(EngineBehaviour, StaffCloseTasksWithAnOutcome) {
  start({default_rule("loyal-quiet-30d")});
  for (const auto* day : {"02", "09", "16", "23"})
    buy(std::string("S-") + day, "C-1", std::string("2026-03-") + day + "T14:00:00-03:00");
  run_until("2026-04-22T12:00:00-03:00");
  auto list = tasks();
  ASSERT_EQ(list.size(), 1u);
  ASSERT_TRUE(
      complete_task(ledger->db(), list[0].id, TaskOutcome::no_answer, "caixa postal", clock.now()).ok());
  list = tasks();
  EXPECT_EQ(list[0].state, TaskState::done);
  EXPECT_EQ(list[0].outcome, "no_answer");
  EXPECT_EQ(list[0].note, "caixa postal");
  EXPECT_EQ(task_outcome_from_name("wrong-number"), TaskOutcome::wrong_number);
  // Expiry leaves closed tasks alone.
  run_until("2026-05-30T12:00:00-03:00");
  EXPECT_EQ(tasks()[0].state, TaskState::done);
}

TEST_F(EngineBehaviour, MergeMovesJobsAndCancelsTheDuplicate) {
  start({default_rule("inactive-15d"), default_rule("birthday")});
  buy("S-1", customer("C-1", "Ana", "(11) 98765-4321", "1990-06-10"), "2026-03-02T14:00:00-03:00");
  buy("S-2", customer("C-2", "Ana Souza", kAutoPhone, "1990-06-10"), "2026-03-05T14:00:00-03:00");
  run_until("2026-03-06T12:00:00-03:00");
  ASSERT_EQ(count("SELECT count(*) FROM jobs WHERE state = 'pending'"), 4);
  MergeRequest request;
  request.keep = id_of("C-1");
  request.others = {id_of("C-2")};
  auto merged = merge_customers(*ledger, request);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  tick();
  run_until("2026-07-01T12:00:00-03:00");
  // One person: one "15 days" counted from the last purchase of either record, one birthday.
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-06 12:00 -03:00", "birthday", "C-1", "cancelled", "merged"},
                               {"2026-03-06 12:00 -03:00", "inactive-15d", "C-1", "cancelled", "bought"},
                               {"2026-03-20 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"},
                               {"2026-06-10 10:00 -03:00", "birthday", "C-1", "fired", "due"}}));
  EXPECT_EQ(count("SELECT count(DISTINCT customer_id) FROM jobs"), 1);
}

TEST_F(EngineBehaviour, TurningARuleOffCancelsItsJobs) {
  start({default_rule("inactive-15d"), default_rule("rating-1h")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  start({default_rule("rating-1h")});
  run_until("2026-04-30T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-02 14:00 -03:00", "inactive-15d", "C-1", "cancelled", "rule_off"},
                               {"2026-03-02 15:00 -03:00", "rating-1h", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, AChangedRuleReplansItsPendingJobs) {
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  Rule changed = default_rule("inactive-15d");
  changed.trigger.days = 20;
  start({changed});
  run_until("2026-04-30T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-22 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, ColdStartPlansOnlyWhatCanStillFire) {
  // History from before the rules: a purchase 20 days ago (its 15 days passed) and one 10 days ago.
  buy("S-1", customer("C-1"), "2026-02-10T14:00:00-03:00", false);
  buy("S-2", customer("C-2"), "2026-02-20T14:00:00-03:00", false);
  clock.set(at("2026-03-02T09:00:00-03:00"));
  start({default_rule("inactive-15d"), default_rule("rating-1h")});
  run_until("2026-04-30T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-07 10:00 -03:00", "inactive-15d", "C-2", "fired", "due"}}));
}

TEST_F(EngineBehaviour, CancellationByAnotherWriterBringsBackThePreviousEpisode) {
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  run_until("2026-03-10T15:00:00-03:00");
  write_as_another_writer({sale("S-2", 5'000, customer("C-1"), "2026-03-10T14:00:00-03:00")});
  tick();  // plans from S-2 and ends S-1's episode
  ASSERT_EQ(count("SELECT count(*) FROM jobs WHERE state = 'pending' AND occurrence LIKE 'since:%'"), 1);
  run_until("2026-03-11T12:00:00-03:00");
  write_as_another_writer({Cancel{"S-2", clock.now()}});
  tick();
  run_until("2026-04-30T12:00:00-03:00");
  // As if S-2 never happened: S-1's 15 days fire at their moment, once, and S-2's episode is over.
  EXPECT_EQ(
      final_seen(),
      (std::vector<Seen>{{"2026-03-10 15:00 -03:00", "inactive-15d", "C-1", "cancelled", "bought"},
                         {"2026-03-11 12:00 -03:00", "inactive-15d", "C-1", "cancelled", "sale_cancelled"},
                         {"2026-03-17 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, CancellationHeardLiveThenAPurchaseStaysAsItWas) {
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  buy("S-2", "C-1", "2026-03-10T14:00:00-03:00");
  // S-2 cancelled (heard live) and S-3 bought before the agent's next round: that round finds S-2's
  // cancellation in sale_cancellations too, and must leave S-1's episode ended by S-3.
  clock.set(at("2026-03-11T12:00:00-03:00"));
  apply_all({Cancel{"S-2", clock.now()}});
  buy("S-3", "C-1", "2026-03-11T12:30:00-03:00");
  run_until("2026-04-30T12:00:00-03:00");
  EXPECT_EQ(
      final_seen(),
      (std::vector<Seen>{{"2026-03-10 14:00 -03:00", "inactive-15d", "C-1", "cancelled", "bought"},
                         {"2026-03-11 12:00 -03:00", "inactive-15d", "C-1", "cancelled", "sale_cancelled"},
                         {"2026-03-11 12:30 -03:00", "inactive-15d", "C-1", "cancelled", "bought"},
                         {"2026-03-26 10:00 -03:00", "inactive-15d", "C-1", "fired", "due"}}));
}

TEST_F(EngineBehaviour, SurveyComesBackWhenAnotherWriterCancelsAnEarlierPurchase) {
  start({default_rule("survey-3rd")});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  buy("S-2", "C-1", "2026-03-09T14:00:00-03:00");
  buy("S-3", "C-1", "2026-03-16T14:00:00-03:00");
  run_until("2026-03-16T18:00:00-03:00");
  apply_all({Cancel{"S-3", clock.now()}});
  run_until("2026-03-18T12:00:00-03:00");  // the survey lapsed: two purchases
  // An import brings a purchase of 12 March: the third again, but not after the one the survey
  // lapsed from, so it stays cancelled; so does it after S-4 (the fourth).
  write_as_another_writer({sale("S-2b", 5'000, customer("C-1"), "2026-03-12T14:00:00-03:00")});
  tick();
  buy("S-4", "C-1", "2026-03-20T14:00:00-03:00");
  run_until("2026-03-20T15:00:00-03:00");
  // The import cancels S-1: S-4 is the third purchase now, after the one the survey lapsed from.
  write_as_another_writer({Cancel{"S-1", clock.now()}});
  tick();
  run_until("2026-05-01T12:00:00-03:00");
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-18 10:00 -03:00", "survey-3rd", "C-1", "cancelled", "lapsed"},
                               {"2026-03-22 10:00 -03:00", "survey-3rd", "C-1", "fired", "due"}}));
}

// The decisions about a customer's fired task after it fired, as `why` reads them.
std::vector<DecisionView> task_endings(const std::vector<DecisionView>& all) {
  std::vector<DecisionView> out;
  for (const auto& d : all) {
    if (d.task_id && d.decision != "fired") out.push_back(d);
  }
  return out;
}

TEST_F(EngineBehaviour, TaskCancelledByAPurchaseIsADecision) {
  start({default_rule("loyal-quiet-30d")});
  for (const auto* day : {"02", "09", "16", "23"})
    buy(std::string("S-") + day, "C-1", std::string("2026-03-") + day + "T14:00:00-03:00");
  run_until("2026-04-22T12:00:00-03:00");
  ASSERT_EQ(tasks().size(), 1u);
  buy("S-5", "C-1", "2026-04-23T15:00:00-03:00");
  const auto list = tasks();
  ASSERT_EQ(list.size(), 1u);
  ASSERT_EQ(list[0].state, TaskState::cancelled);
  const auto ended = task_endings(decisions(id_of("C-1")));
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].rule_id, "loyal-quiet-30d");
  EXPECT_EQ(ended[0].decision, "cancelled");
  EXPECT_EQ(ended[0].reason, "bought");
  EXPECT_EQ(ended[0].at, at("2026-04-23T15:00:00-03:00"));
  EXPECT_EQ(ended[0].task_id, list[0].id);
  EXPECT_EQ(ended[0].detail, "task " + std::to_string(list[0].id) +
                                 " for staff cancelled: the customer bought on " +
                                 zone.readable(at("2026-04-23T15:00:00-03:00")) + ", after the trigger");
  // The last word in the customer's timeline is the cancellation, not the task that fired.
  EXPECT_EQ(final_seen().back(),
            (Seen{"2026-04-23 15:00 -03:00", "loyal-quiet-30d", "C-1", "cancelled", "bought"}));
}

TEST_F(EngineBehaviour, TaskCancelledByAPurchaseThroughCatchUpIsADecision) {
  start({default_rule("loyal-quiet-30d")});
  for (const auto* day : {"02", "09", "16", "23"})
    buy(std::string("S-") + day, "C-1", std::string("2026-03-") + day + "T14:00:00-03:00");
  run_until("2026-04-22T12:00:00-03:00");
  ASSERT_EQ(tasks().size(), 1u);
  write_as_another_writer({sale("S-5", 5'000, customer("C-1"), "2026-04-22T11:30:00-03:00")});
  run_until("2026-04-22T12:05:00-03:00");
  const auto ended = task_endings(decisions(id_of("C-1")));
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].decision, "cancelled");
  EXPECT_EQ(ended[0].reason, "bought");
  EXPECT_EQ(ended[0].task_id, tasks().at(0).id);
}

TEST_F(EngineBehaviour, TaskExpiringIsADecision) {
  start({default_rule("loyal-quiet-30d")});
  for (const auto* day : {"02", "09", "16", "23"})
    buy(std::string("S-") + day, "C-1", std::string("2026-03-") + day + "T14:00:00-03:00");
  run_until("2026-04-28T12:00:00-03:00");
  EXPECT_TRUE(task_endings(decisions(id_of("C-1"))).empty());
  run_until("2026-05-10T12:00:00-03:00");
  const auto list = tasks();
  ASSERT_EQ(list.size(), 1u);
  ASSERT_EQ(list[0].state, TaskState::expired);
  const auto ended = task_endings(decisions(id_of("C-1")));
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].decision, "cancelled");
  EXPECT_EQ(ended[0].reason, "task_expired");
  EXPECT_EQ(ended[0].at, at("2026-04-29T10:00:00-03:00"));
  EXPECT_EQ(ended[0].task_id, list[0].id);
  EXPECT_EQ(ended[0].channel, "whatsapp");
  EXPECT_NE(ended[0].detail.find("expired on " + zone.readable(at("2026-04-29T10:00:00-03:00"))),
            std::string::npos)
      << ended[0].detail;
  EXPECT_EQ(final_seen().back(),
            (Seen{"2026-04-29 10:00 -03:00", "loyal-quiet-30d", "C-1", "cancelled", "task_expired"}));
}

TEST_F(EngineBehaviour, CampaignRunSkippedAfterDowntimeIsANoteNotADecision) {
  const Rule monthly = make_rule({{"id", "monthly-news"},
                                  {"trigger.kind", "recurring"},
                                  {"trigger.segment", "new_active"},
                                  {"trigger.every", "month"},
                                  {"trigger.day_of_month", std::int64_t{5}},
                                  {"action.kind", "message"},
                                  {"action.channel", "sms"},
                                  {"action.template", "Novidades"}});
  start({monthly});
  buy("S-1", "C-1", "2026-03-02T14:00:00-03:00");
  run_until("2026-03-06T12:00:00-03:00");
  clock.set(at("2026-04-08T12:00:00-03:00"));  // down over 5 April
  in_txn([&] {
    auto p = engine->catch_up();
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->campaigns_skipped, 1);
    EXPECT_EQ(p->campaigns, 0);
    ASSERT_EQ(p->notes.size(), 1u);
    EXPECT_NE(p->notes[0].find("campaign monthly-news of "), std::string::npos) << p->notes[0];
    EXPECT_NE(p->notes[0].find("skipped"), std::string::npos) << p->notes[0];
  });
  run_until("2026-04-10T12:00:00-03:00");
  // It concerns the segment, not C-1: no row in C-1's timeline, and no job stands for it.
  EXPECT_EQ(final_seen(),
            (std::vector<Seen>{{"2026-03-05 10:00 -03:00", "monthly-news", "C-1", "fired", "due"}}));
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE occurrence LIKE 'run:2026-04%'"), 0);
}

}  // namespace
}  // namespace regua
