// The golden test: the default pack over a scripted year of a small store, replayed by simulate()
// (the backtest behind `regua-agent simulate`), with every decision listed. And the same input
// twice gives the same output, to the byte.

#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "local/scheduler/simulation.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua {
namespace {

using test::at;

class SimulationGolden : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    clock.set(at("2026-01-01T09:00:00-03:00"));
    auto pack = default_pack();
    ASSERT_TRUE(pack.ok());
    settings.rules = *pack;
    settings.cap = FrequencyCap{2, std::chrono::days{7}};
    script();
  }

  // The store's year as its POS told it (no rules ran then).
  void script() {
    const auto sell = [&](const std::string& id, const CustomerInfo& who, std::string_view when) {
      clock.set(at(when));
      apply_all({sale(id, 15'000, who, when)});
    };
    CustomerInfo ana = customer("C-1", "Ana Souza", "(11) 98765-4321", "1990-05-17");
    ana.email = "ana@example.com";
    const CustomerInfo bruno = customer("C-2", "Bruno Lima", "(11) 98765-4322", "1988-02-29");
    const CustomerInfo carla = customer("C-3", "Carla Dias", "(11) 3456-7890");  // a landline
    CustomerInfo diego = customer("C-4", "Diego Rocha");
    diego.consent = {ConsentChange{Channel::sms, false}};
    const CustomerInfo elisa = customer("C-5", "Elisa Prado");
    // Ana: four visits in three weeks, then she goes quiet.
    sell("S-01", ana, "2026-02-02T14:00:00-03:00");
    sell("S-02", ana, "2026-02-09T14:00:00-03:00");
    sell("S-03", ana, "2026-02-16T14:00:00-03:00");
    sell("S-04", ana, "2026-02-23T14:00:00-03:00");
    // Bruno buys late in the evening, and comes back after six weeks.
    sell("S-05", bruno, "2026-03-10T20:30:00-03:00");
    sell("S-06", bruno, "2026-04-20T11:00:00-03:00");
    sell("S-07", carla, "2026-05-05T10:00:00-03:00");
    sell("S-08", diego, "2026-06-01T15:00:00-03:00");
    // Elisa's only purchase is cancelled half an hour later.
    sell("S-09", elisa, "2026-07-01T10:00:00-03:00");
    clock.set(at("2026-07-01T10:30:00-03:00"));
    apply_all({Cancel{"S-09", clock.now()}});
    // A buyer known only by CPF (a fiscal note): no POS id; "#6" in the replay.
    CustomerInfo fabio = customer("", "Fábio Nunes", "(11) 98765-4326");
    fabio.cpf = "529.982.247-25";
    sell("S-10", fabio, "2026-08-10T12:00:00-03:00");
    clock.set(at("2027-01-10T09:00:00-03:00"));
  }

  std::vector<std::string> run(const std::string& folder, bool full) {
    std::filesystem::create_directories(dir / folder);
    SimulationOptions options;
    options.from = at("2026-01-01T00:00:00-03:00");
    options.to = at("2027-01-01T00:00:00-03:00");
    options.work_dir = dir / folder;
    options.store_id = "centro";
    std::vector<std::string> out;
    auto summary = simulate(ledger->db(), phones, settings, options, [&](const DecisionView& d) {
      std::string line = zone.readable(d.at) + " " + d.rule_id + " " + d.customer_pos_id.value_or("?") + " " +
                         d.decision + " " + d.reason;
      if (d.decision == "fired") line += " " + d.channel;
      if (full) {
        line += " | " + d.occurrence + " | " + zone.iso(d.planned_at) + " | " + d.detail;
        if (d.text) line += " | " + *d.text;
        if (d.link) line += " | " + *d.link;
        if (d.title) line += " | " + *d.title;
      }
      out.push_back(std::move(line));
      return Status{};
    });
    EXPECT_TRUE(summary.ok()) << (summary.ok() ? "" : summary.error().message);
    if (summary.ok()) {
      EXPECT_EQ(summary->customers, 6);
      EXPECT_EQ(summary->sales, 10);
      EXPECT_EQ(summary->cancellations, 1);
    }
    return out;
  }
};

TEST_F(SimulationGolden, DefaultPackOverAScriptedYear) {
  // clang-format off
  const std::vector<std::string> expected{
      // Ana (C-1): four visits in three weeks. A rating and a review after each, under the cap of 2 in 7 days:
      // the welcome e-mail (priority 30) first yields to the review (40) due the next day, then waits for room
      // past its week of lateness; the survey after the 3rd purchase too.
      "2026-02-02 15:00 -03:00 rating-1h C-1 fired due sms",
      "2026-02-04 10:00 -03:00 welcome C-1 deferred cap",
      "2026-02-05 10:00 -03:00 review-3d C-1 fired due sms",
      "2026-02-05 10:00 -03:00 welcome C-1 deferred cap",
      "2026-02-09 14:00 -03:00 inactive-15d C-1 cancelled bought",
      "2026-02-09 14:00 -03:00 inactive-180d C-1 cancelled bought",
      "2026-02-09 14:00 -03:00 loyal-quiet-30d C-1 cancelled bought",
      "2026-02-09 15:00 -03:00 rating-1h C-1 fired due sms",
      "2026-02-09 15:00 -03:00 welcome C-1 skipped cap",
      "2026-02-12 10:00 -03:00 review-3d C-1 fired due sms",
      "2026-02-16 14:00 -03:00 inactive-15d C-1 cancelled bought",
      "2026-02-16 14:00 -03:00 inactive-180d C-1 cancelled bought",
      "2026-02-16 14:00 -03:00 loyal-quiet-30d C-1 cancelled bought",
      "2026-02-16 15:00 -03:00 rating-1h C-1 fired due sms",
      "2026-02-18 10:00 -03:00 survey-3rd C-1 deferred cap",
      "2026-02-19 10:00 -03:00 review-3d C-1 fired due sms",
      "2026-02-19 10:00 -03:00 survey-3rd C-1 deferred cap",
      "2026-02-23 14:00 -03:00 inactive-15d C-1 cancelled bought",
      "2026-02-23 14:00 -03:00 inactive-180d C-1 cancelled bought",
      "2026-02-23 14:00 -03:00 loyal-quiet-30d C-1 cancelled bought",
      "2026-02-23 15:00 -03:00 rating-1h C-1 fired due sms",
      "2026-02-23 15:00 -03:00 survey-3rd C-1 skipped cap",
      "2026-02-26 10:00 -03:00 review-3d C-1 fired due sms",
      "2026-03-10 10:00 -03:00 inactive-15d C-1 fired due sms",
      // Bruno (C-2) buys at 20:30: his rating waits for the end of quiet hours. No e-mail: no welcome.
      "2026-03-10 21:30 -03:00 rating-1h C-2 deferred quiet_hours",
      "2026-03-11 09:00 -03:00 rating-1h C-2 fired due sms",
      "2026-03-12 10:00 -03:00 welcome C-2 skipped no_email",
      "2026-03-13 10:00 -03:00 review-3d C-2 fired due sms",
      // Ana, loyal (4 purchases in 90 days), 30 days quiet: a WhatsApp task for staff, first by priority.
      "2026-03-25 10:00 -03:00 loyal-quiet-30d C-1 fired due whatsapp",
      "2026-03-25 10:00 -03:00 inactive-15d C-2 fired due sms",
      // Nobody closed Ana's task within its 7 days: it expires, and that is a decision too.
      "2026-04-01 10:00 -03:00 loyal-quiet-30d C-1 cancelled task_expired",
      "2026-04-09 10:00 -03:00 loyal-quiet-30d C-2 cancelled condition",
      "2026-04-20 11:00 -03:00 inactive-180d C-2 cancelled bought",
      "2026-04-20 12:00 -03:00 rating-1h C-2 fired due sms",
      "2026-04-23 10:00 -03:00 review-3d C-2 fired due sms",
      "2026-05-05 10:00 -03:00 inactive-15d C-2 fired due sms",
      // Carla (C-3) has a landline only.
      "2026-05-05 11:00 -03:00 rating-1h C-3 skipped no_mobile",
      "2026-05-07 10:00 -03:00 welcome C-3 skipped no_email",
      "2026-05-08 10:00 -03:00 review-3d C-3 skipped no_mobile",
      "2026-05-17 10:00 -03:00 birthday C-1 fired due sms",
      "2026-05-20 10:00 -03:00 loyal-quiet-30d C-2 cancelled condition",
      "2026-05-20 10:00 -03:00 inactive-15d C-3 skipped no_mobile",
      // Diego (C-4) refused SMS.
      "2026-06-01 16:00 -03:00 rating-1h C-4 skipped opted_out",
      "2026-06-03 10:00 -03:00 welcome C-4 skipped no_email",
      "2026-06-04 10:00 -03:00 loyal-quiet-30d C-3 cancelled condition",
      "2026-06-04 10:00 -03:00 review-3d C-4 skipped opted_out",
      "2026-06-16 10:00 -03:00 inactive-15d C-4 skipped opted_out",
      "2026-07-01 10:00 -03:00 loyal-quiet-30d C-4 cancelled condition",
      // Elisa (C-5): her only purchase is cancelled half an hour later.
      "2026-07-01 10:30 -03:00 rating-1h C-5 cancelled sale_cancelled",
      "2026-07-01 10:30 -03:00 review-3d C-5 cancelled sale_cancelled",
      "2026-07-01 10:30 -03:00 inactive-15d C-5 cancelled sale_cancelled",
      "2026-07-01 10:30 -03:00 inactive-180d C-5 cancelled sale_cancelled",
      "2026-07-01 10:30 -03:00 loyal-quiet-30d C-5 cancelled sale_cancelled",
      "2026-07-03 10:00 -03:00 welcome C-5 skipped no_email",
      // Fábio, known by CPF only (no POS id): customer "#6".
      "2026-08-10 13:00 -03:00 rating-1h #6 fired due sms",
      "2026-08-12 10:00 -03:00 welcome #6 skipped no_email",
      "2026-08-13 10:00 -03:00 review-3d #6 fired due sms",
      "2026-08-22 10:00 -03:00 inactive-180d C-1 fired due sms",
      "2026-08-25 10:00 -03:00 inactive-15d #6 fired due sms",
      "2026-09-09 10:00 -03:00 loyal-quiet-30d #6 cancelled condition",
      "2026-10-17 10:00 -03:00 inactive-180d C-2 fired due sms",
      "2026-11-01 10:00 -03:00 inactive-180d C-3 skipped no_mobile",
      "2026-11-28 10:00 -03:00 inactive-180d C-4 skipped opted_out",
  };
  // clang-format on
  const auto actual = run("sim", false);
  EXPECT_EQ(actual, expected);
}

// The same year with the default pack as shipped, 10% held out per rule: the control group is
// whoever the hash says and nobody else, the customers keep the ledger's numbers in the replay, and
// a held-out action is never also sent.
TEST_F(SimulationGolden, TheDefaultControlGroupHoldsOutWhomTheHashSaysAndOnlyThem) {
  settings.holdout_percent = 10;
  const auto actual = run("holdout", false);
  int held = 0;
  std::set<std::pair<std::string, std::string>> fired;
  for (const auto& line : actual) {
    std::istringstream words(line);
    std::string day, time, offset, rule, customer, decision;
    words >> day >> time >> offset >> rule >> customer >> decision;
    const std::int64_t id = std::stoll(customer.substr(customer[0] == '#' ? 1 : 2));
    if (decision == "holdout") {
      ++held;
      EXPECT_TRUE(in_holdout(rule, id, 10)) << line;
      EXPECT_EQ(fired.count({rule, customer}), 0U) << line;
    }
    if (decision == "fired") {
      EXPECT_FALSE(in_holdout(rule, id, 10)) << line;
      fired.insert({rule, customer});
    }
  }
  EXPECT_GT(held, 0);
}

TEST_F(SimulationGolden, SameInputSameOutput) {
  const auto first = run("first", true);
  const auto second = run("second", true);
  EXPECT_GT(first.size(), 20u);
  EXPECT_EQ(first, second);
  // What the fired actions carry: Ana's task has the wa.me link with the rendered text.
  const auto task = std::find_if(first.begin(), first.end(), [](const std::string& l) {
    return l.starts_with("2026-03-25 10:00 -03:00 loyal-quiet-30d C-1 fired");
  });
  ASSERT_NE(task, first.end());
  EXPECT_NE(task->find(" | Oi, Ana! Aqui é da Loja Centro. Sentimos sua falta por aqui!"), std::string::npos)
      << *task;
  EXPECT_NE(
      task->find(" | https://wa.me/5511987654321?text=Oi%2C%20Ana%21%20Aqui%20%C3%A9%20da%20Loja%20Centro."),
      std::string::npos)
      << *task;
  EXPECT_NE(task->find(" | WhatsApp para Ana Souza: 30 dias sem comprar"), std::string::npos) << *task;
  const auto rating = std::find_if(first.begin(), first.end(), [](const std::string& l) {
    return l.starts_with("2026-03-11 09:00 -03:00 rating-1h C-2 fired");
  });
  ASSERT_NE(rating, first.end());
  EXPECT_NE(
      rating->find("| sale:S-05 | 2026-03-10T21:30:00-03:00 | sms to +5511987654322 (11 h 30 min after its "
                   "planned moment) | Oi, Bruno! Obrigado pela visita à Loja Centro."),
      std::string::npos)
      << *rating;
  // The source ledger is only read.
  EXPECT_EQ(count("SELECT count(*) FROM jobs"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM decisions"), 0);
}

}  // namespace
}  // namespace regua
