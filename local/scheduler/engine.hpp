#pragma once
// The rule engine: plans jobs from what happens in the ledger and fires them when due, with every
// decision recorded. The same code runs in `regua-agent run` (agent/run/scheduler_timer.hpp) and in
// `regua-agent simulate` (simulation.hpp), on whatever Clock the ledger was opened with.
//
// Planning. Jobs are unique per (rule, customer, trigger occurrence):
//   - in the transaction of each sale, cancellation and customer event (the Engine is the
//     Ingestor's IngestListener): the occurrences they cause are planned, and pending jobs and open
//     tasks whose guard `cancel_if_bought` says so are cancelled at once;
//   - by catch_up(), for what arrived otherwise or with time: sales and cancellations written by
//     other writers (`import`, the HTTP API; cancellations in the order of the ledger's
//     sale_cancellations, migration 7), merges, segment events (cell_entered), recurring campaigns, and on a
//     ledger that never had rules, every customer (a cold start).
// An occurrence caused by a live event is always planned, also when it is already too late (it is
// then skipped with the reason, and `why` shows it); other occurrences are planned only while they
// can still fire within the rule's maximum lateness, so history is never acted on.
//
// Firing. fire_due() takes the pending jobs due now, checks the rule again against the ledger
// (the customer not erased, trigger still valid, cancel_if_bought, conditions), then the guards
// (lateness, a reachable recipient, consent, quiet hours, the per-customer cap), and either fires
// (a message intent or a task), defers (quiet hours, cap), skips or cancels, with the reason. Last
// of all, a customer in the rule's control group gets nothing: the decision is `holdout`, taken
// exactly where a send would have been, so the two groups compare (docs/kpis.md).
// A fired task's later end is a decision of its job too: cancelled with reason `bought` when the
// customer bought (its reason lapsed), cancelled with reason `task_expired` when nobody closed it in
// time. A campaign run skipped after downtime concerns no single customer: it is no decision but a
// note of the PlanReport, which the agent logs.
//
// Every method that writes runs inside the caller's transaction; the agent commits a firing with a
// full sync before any channel reads the messages (DESIGN.md: send intents).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "local/analysis/filter_sql.hpp"
#include "local/analysis/lifecycle_matrix.hpp"
#include "local/analysis/segment_catalog.hpp"
#include "local/ledger/ingest.hpp"
#include "local/ledger/ledger.hpp"
#include "local/rules/frequency_cap.hpp"
#include "local/rules/guards.hpp"
#include "local/rules/quiet_hours.hpp"
#include "local/rules/rule.hpp"
#include "local/rules/rule_set.hpp"
#include "local/rules/store_zone.hpp"
#include "local/scheduler/decisions.hpp"
#include "local/scheduler/jobs.hpp"
#include "local/scheduler/messages.hpp"

namespace regua {

struct EngineSettings {
  std::vector<Rule> rules;  // the rules that run (rule_set.hpp)
  QuietHours quiet;
  FrequencyCap cap;
  std::string store_name;
  StoreLinks links;
  LifecycleThresholds thresholds;
  Language language = Language::pt_br;
  std::vector<CustomSegment> segments;  // the store's own, for recurring campaigns
  ConsentPolicy consent;                // what "never answered" allows, per channel ([consent])
  int holdout_percent = 10;             // the control group of a rule that does not set its own
  const StoreZone* zone = nullptr;      // not owned; must outlive the Engine
};

struct PlanReport {
  bool cold = false;                   // the first planning of this ledger: every customer was looked at
  std::int64_t customers = 0;          // customers planned for
  std::int64_t planned = 0;            // jobs created
  std::int64_t cancelled = 0;          // jobs cancelled (bought, cancelled sale, merge)
  std::int64_t campaigns = 0;          // campaign runs done
  std::int64_t campaigns_skipped = 0;  // campaign runs found past their maximum lateness (see notes)
  bool more = false;                   // stopped at its batch size: call again
  std::vector<std::string> notes;      // for the log (a campaign run skipped after downtime)
};

struct FireReport {
  std::int64_t fired = 0, deferred = 0, skipped = 0, cancelled = 0, held_out = 0;
  std::int64_t messages = 0, tasks = 0;  // of the fired ones
  std::int64_t tasks_expired = 0;
  bool more = false;  // more jobs were due than `limit`: call again
};

class Engine final : public IngestListener {
 public:
  // The settings' rules must be built by rule_schema.hpp (valid); `ledger` and settings.zone must
  // outlive the Engine. Heap-allocated: the Ingestor keeps its address.
  static Result<std::unique_ptr<Engine>> create(Ledger& ledger, EngineSettings settings);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Records the rules in use (table rule_states): a new rule starts now, a changed rule re-plans its
  // pending jobs, a rule that no longer runs has its pending jobs cancelled. Call once, in a
  // transaction, before anything else.
  Status activate();
  // Plans what did not come through the listener (see above). In a transaction.
  Result<PlanReport> catch_up(int batch = 20'000);
  // Fires (or defers, skips, cancels) up to `limit` due jobs and expires tasks. In a transaction.
  Result<FireReport> fire_due(int limit = 500);
  // When there is next something to do: a job due, a task expiring, a campaign run.
  Result<std::optional<Seconds>> next_wake();
  // The earliest due moment of the jobs planned since the last call (a sale's "1 hour after"), so
  // that a caller waiting for next_wake() need not ask the ledger after every event.
  std::optional<Seconds> take_earliest_planned() { return std::exchange(earliest_planned_, std::nullopt); }

  // IngestListener
  Status on_sale(std::int64_t customer_id, std::int64_t sale_id, std::string_view sale_pos_id,
                 Seconds sold_at, bool new_customer) override;
  Status on_cancel(std::int64_t customer_id, std::string_view sale_pos_id) override;
  Status on_customer(std::int64_t customer_id, bool new_customer) override;
  void on_rollback() override;

  [[nodiscard]] const EngineSettings& settings() const { return settings_; }
  [[nodiscard]] const Rule* rule(std::string_view id) const;
  [[nodiscard]] const SegmentPolicy& policy() const { return policy_; }

  // What planning needs to know about a customer (one query).
  struct PlanFacts {
    std::int64_t id = 0;
    Seconds created_at{};
    std::optional<std::string> birthday;  // valid ones only
    std::int64_t purchases = 0;
    std::optional<Seconds> first_at, last_at;
    bool erased = false;  // forgotten (customers forget): nothing is planned nor sent for them
  };
  // And firing, about a customer.
  struct FireFacts {
    PlanFacts plan;
    std::optional<std::string> pos_id, name;
    ContactFacts contact;
  };

 private:
  enum class Mode { live, catch_up, cold };
  struct SaleRef {
    std::string pos_id;
    Seconds sold_at{};
    bool cancelled = false;
  };
  // A compiled filter and its statement, valid for one local day and one firing round.
  struct FilterCache {
    std::int64_t day = 0;
    sqlite::Stmt stmt;
    std::size_t params = 0;
  };

  Engine(Ledger& ledger, EngineSettings settings);
  [[nodiscard]] Seconds now() const { return ledger_.clock().now(); }

  // planner.cpp
  Status plan_customer(const PlanFacts& facts, Mode mode, const std::optional<SaleRef>& sale,
                       bool new_customer, const std::set<std::string>* only);
  Status plan_birthday(const Rule& rule, const PlanFacts& facts, int min_year, bool cold);
  Status plan_recent_sales(const Rule& rule, const PlanFacts& facts);
  Status insert_job(const Rule& rule, std::int64_t customer_id, std::string occurrence, Seconds occurred,
                    Seconds planned, bool always);
  Status cancel_for_purchase(std::int64_t customer_id, Seconds sold_at);
  Status cancel_job(const Job& job, Reason reason, std::string detail);
  [[nodiscard]] int holdout_percent(const Rule& rule) const;
  Status undo_sale(const PlanFacts& facts, std::string_view sale_pos_id);
  Status plan_all(const std::set<std::string>* only);
  Status plan_new_sales(int batch);
  Status plan_new_cancellations(int batch);
  Status plan_merges();
  Status plan_segment_events(int batch);
  Status run_campaigns();
  Status replan_rule(const Rule& rule);
  Result<std::optional<PlanFacts>> load_plan_facts(std::int64_t customer_id);

  // firing.cpp
  Status fire_one(const Job& job, Seconds now, FireReport& report);
  Result<std::optional<Verdict>> trigger_lapse(const Rule& rule, const Job& job, const FireFacts& facts);
  Result<bool> matches(std::string_view filter, std::int64_t customer_id);
  Result<std::optional<FireFacts>> load_fire_facts(std::int64_t customer_id);
  Status decide(const Job& job, Decision decision, Reason reason, std::string detail,
                std::optional<Seconds> until = std::nullopt,
                std::optional<std::int64_t> message_id = std::nullopt,
                std::optional<std::int64_t> task_id = std::nullopt);
  Status after_final(const Rule& rule, const Job& job);
  Result<CapCheck> cap_check(const Rule& rule, const Job& job, const FireFacts& facts, Seconds now);

  Ledger& ledger_;
  sqlite::Db& db_;
  EngineSettings settings_;
  const StoreZone& zone_;
  SegmentPolicy policy_;
  JobStore jobs_;
  DecisionLog log_;
  MessageLog messages_;
  sqlite::Stmt plan_facts_, fire_facts_, sale_, nth_sale_, recent_sales_, open_tasks_, cancel_event_;
  std::set<std::string> to_plan_;          // rules new or changed at activation: planned for everyone
  std::set<std::int64_t> hooked_sales_;    // planned by the listener since the last catch-up
  std::set<std::int64_t> hooked_cancels_;  // sale_cancellations the listener handled, likewise
  std::map<std::string, FilterCache, std::less<>> filters_;
  PlanReport* report_ = nullptr;  // the catch-up in progress, for its counts
  std::optional<Seconds> earliest_planned_;
};

// Turns the store's segment name into its filter (cells, RFM segments and the store's own).
std::optional<std::string> segment_filter(std::string_view name, const std::vector<CustomSegment>& custom);

}  // namespace regua
