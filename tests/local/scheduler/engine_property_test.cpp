// Properties of the engine over random purchase histories of small stores (deterministic seeds):
// whatever the history, no inactivity action reaches a customer who bought inside the rule's window,
// no trigger occurrence acts twice, no message goes out in quiet hours, the cap holds in every
// window, and nothing fires outside its planned moment and maximum lateness.

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua {
namespace {

using namespace std::chrono_literals;
using test::at;

struct Step {
  Seconds t{};
  enum Kind { sale, cancel } kind = sale;
  bool imported = false;  // written by another writer: the engine learns of it in catch_up()
  std::string sale_id;
  CustomerInfo who;
};

// What the histories did, to show they exercise the guards, not only the happy path.
struct Totals {
  std::int64_t fired = 0, cancelled = 0, deferred = 0;
};

class EngineProperties : public test::EngineTest {
 protected:
  explicit EngineProperties(const char* zone_name = "America/Sao_Paulo")
      : EngineTest(zone_name), zone_name_(zone_name) {}

  // The histories of `seeds` small stores from `from` to `until`, each checked.
  Totals run_seeds(int seeds, Seconds from, Seconds until) {
    Totals totals;
    auto pack = default_pack();
    EXPECT_TRUE(pack.ok());
    settings.cap = FrequencyCap{2, std::chrono::days{7}};
    for (int seed = 0; seed < seeds; ++seed) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " in " + std::string(zone_name_));
      std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
      fresh(from);
      start(*pack);
      auto importer = Ingestor::create(*ledger, phones);
      EXPECT_TRUE(importer.ok());
      for (const Step& s : history(rng, from, zone)) {
        run_until(s.t);
        if (s.kind == Step::sale && s.imported) {
          EXPECT_TRUE(importer->begin().ok());
          EXPECT_TRUE(importer->apply(sale(s.sale_id, 10'000, s.who, zone.iso(s.t)), "import").ok());
          EXPECT_TRUE(importer->commit().ok());
        } else if (s.kind == Step::sale) {
          apply_all({sale(s.sale_id, 10'000, s.who, zone.iso(s.t))});
        } else {
          apply_all({Cancel{s.sale_id, s.t}});
        }
        if (HasFailure()) return totals;
      }
      run_until(until);
      check_invariants(*pack);
      totals.fired += count("SELECT count(*) FROM decisions WHERE decision = 'fired'");
      totals.cancelled += count("SELECT count(*) FROM decisions WHERE decision = 'cancelled'");
      totals.deferred += count("SELECT count(*) FROM decisions WHERE decision = 'deferred'");
      if (HasFailure()) return totals;  // the first failing seed is the one to look at
    }
    return totals;
  }

  // A new ledger file for each history.
  void fresh(Seconds start_at) {
    engine.reset();
    ingestor.reset();
    ledger.reset();
    for (const auto* name : {"ledger.db", "ledger.db-wal", "ledger.db-shm"})
      std::filesystem::remove(dir / name);
    clock.set(start_at);
    reopen();
    // Thousands of small commits per history: durability is not what is tested here.
    ASSERT_TRUE(ledger->db().exec("PRAGMA synchronous = OFF").ok());
    make_ingestor();
  }

  const char* zone_name_;

  static std::vector<Step> history(std::mt19937& rng, Seconds from, const StoreZone& zone) {
    std::vector<Step> steps;
    const int customers = std::uniform_int_distribution<int>(2, 5)(rng);
    int sale_no = 0;
    for (int c = 1; c <= customers; ++c) {
      CustomerInfo who = customer("P-" + std::to_string(c), "Cliente" + std::to_string(c));
      const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
      if (kind == 0) who.phone = std::nullopt;
      if (kind == 1) who.consent = {ConsentChange{Channel::sms, false}};
      if (kind <= 5) {
        who.birthday = "1990-" + std::to_string(10 + std::uniform_int_distribution<int>(0, 2)(rng)) + "-" +
                       std::to_string(10 + std::uniform_int_distribution<int>(0, 18)(rng));
      }
      if (kind % 2 == 0) who.email = "p" + std::to_string(c) + "@example.com";
      // Bursts of purchases (a loyal spell) and long pauses.
      const int purchases = std::uniform_int_distribution<int>(0, 12)(rng);
      std::int64_t day = zone.day(from) + std::uniform_int_distribution<int>(0, 20)(rng);
      for (int p = 0; p < purchases; ++p) {
        const int gap = std::uniform_int_distribution<int>(0, 3)(rng) == 0
                            ? std::uniform_int_distribution<int>(14, 40)(rng)
                            : std::uniform_int_distribution<int>(0, 12)(rng);
        day += gap;
        const auto minute =
            std::chrono::minutes{std::uniform_int_distribution<int>(7 * 60, 23 * 60 + 59)(rng)};
        Step s;
        s.t = zone.to_utc(day, minute);
        s.kind = Step::sale;
        s.sale_id = "S-" + std::to_string(++sale_no);
        s.who = who;
        s.imported = std::uniform_int_distribution<int>(0, 3)(rng) == 0;
        steps.push_back(s);
        if (std::uniform_int_distribution<int>(0, 14)(rng) == 0) {
          Step x = s;
          x.kind = Step::cancel;
          x.t = s.t + std::chrono::minutes{std::uniform_int_distribution<int>(5, 3 * 24 * 60)(rng)};
          steps.push_back(x);
        }
      }
    }
    std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.t < b.t; });
    return steps;
  }

  struct SaleRow {
    std::int64_t customer;
    Seconds sold_at;
    std::optional<Seconds> cancelled_at;
  };

  std::vector<SaleRow> sales() {
    std::vector<SaleRow> out;
    auto stmt = ledger->db().prepare("SELECT customer_id, sold_at, cancelled_at FROM sales");
    EXPECT_TRUE(stmt.ok());
    for (;;) {
      auto row = stmt->step();
      if (!row.ok() || !*row) break;
      SaleRow r{stmt->int64(0), Seconds{std::chrono::seconds{stmt->int64(1)}}, std::nullopt};
      if (!stmt->is_null(2)) r.cancelled_at = Seconds{std::chrono::seconds{stmt->int64(2)}};
      out.push_back(r);
    }
    return out;
  }

  void check_invariants(const std::vector<Rule>& rules) {
    const auto all_sales = sales();
    std::map<std::string, const Rule*> by_id;
    for (const Rule& r : rules)
      by_id[r.id] = &r;
    std::map<std::tuple<std::string, std::int64_t, std::int64_t>, int> per_episode;
    std::map<std::int64_t, std::vector<Seconds>> contacts;
    for (const DecisionView& d : decisions()) {
      if (d.decision != "fired") continue;
      const Rule& r = *by_id.at(d.rule_id);
      const std::string what = d.rule_id + " for customer " + std::to_string(d.customer_id) + " at " +
                               zone.readable(d.at) + " (" + d.occurrence + ")";
      contacts[d.customer_id].push_back(d.at);
      // Never before its moment, never past its maximum lateness.
      EXPECT_GE(d.at, d.planned_at) << what;
      EXPECT_LE(d.at - d.planned_at, r.guards.max_lateness) << what;
      if (d.action == "message") {
        const auto tod = zone.time_of_day(d.at);
        EXPECT_TRUE(tod >= std::chrono::seconds{9h} && tod < std::chrono::seconds{21h})
            << "in quiet hours: " << what;
      }
      if (r.trigger.kind == TriggerKind::days_without_purchase) {
        // The customer's last purchase standing at the moment of firing.
        std::optional<Seconds> last;
        for (const SaleRow& s : all_sales) {
          const bool standing = !s.cancelled_at || *s.cancelled_at > d.at;
          if (s.customer == d.customer_id && s.sold_at <= d.at && standing && (!last || s.sold_at > *last))
            last = s.sold_at;
        }
        ASSERT_TRUE(last) << "no purchase at all: " << what;
        EXPECT_GE(zone.day(d.at) - zone.day(*last), r.trigger.days) << "bought inside the window: " << what;
        const auto episode = std::make_tuple(d.rule_id, d.customer_id, last->time_since_epoch().count());
        EXPECT_EQ(++per_episode[episode], 1) << "twice in one inactivity episode: " << what;
      }
    }
    // One action per job, and per (rule, customer, occurrence).
    EXPECT_EQ(
        count("SELECT count(*) FROM (SELECT job_id FROM decisions WHERE decision = 'fired' GROUP BY job_id "
              "HAVING count(*) > 1)"),
        0);
    EXPECT_EQ(
        count("SELECT count(*) FROM (SELECT 1 FROM jobs j JOIN decisions d ON d.job_id = j.id AND "
              "d.decision = 'fired' GROUP BY j.rule_id, j.customer_id, j.occurrence HAVING count(*) > 1)"),
        0);
    EXPECT_EQ(count("SELECT count(*) FROM messages"), count("SELECT count(*) FROM decisions WHERE decision = "
                                                            "'fired' AND action = 'message'"));
    // The cap: in any window of its length ending at a contact, at most `max` contacts.
    for (auto& [customer, times] : contacts) {
      std::sort(times.begin(), times.end());
      for (std::size_t i = 0; i < times.size(); ++i) {
        int in_window = 0;
        for (std::size_t j = 0; j <= i; ++j)
          in_window += times[j] > times[i] - settings.cap.window ? 1 : 0;
        EXPECT_LE(in_window, settings.cap.max)
            << "cap broken for customer " << customer << " at " << zone.readable(times[i]);
      }
    }
  }
};

TEST_F(EngineProperties, RandomHistoriesKeepEveryGuard) {
  const auto t = run_seeds(200, at("2026-01-05T08:00:00-03:00"), at("2026-12-31T12:00:00-03:00"));
  EXPECT_GT(t.fired, 1000);
  EXPECT_GT(t.cancelled, 100);
  EXPECT_GT(t.deferred, 50);
}

// A zone with DST today: quiet hours and "days without buying" are store-local across both changes.
class EnginePropertiesNewYork : public EngineProperties {
 protected:
  EnginePropertiesNewYork() : EngineProperties("America/New_York") {}
};

TEST_F(EnginePropertiesNewYork, RandomHistoriesKeepEveryGuard) {
  const auto t = run_seeds(50, at("2026-01-05T08:00:00-05:00"), at("2026-12-31T12:00:00-05:00"));
  EXPECT_GT(t.fired, 250);
}

}  // namespace
}  // namespace regua
