#include "local/scheduler/engine.hpp"

#include <algorithm>

#include "local/core/hash.hpp"
#include "local/ledger/ledger_info.hpp"
#include "local/rules/triggers.hpp"
#include "local/tasks/tasks.hpp"

namespace regua {
namespace {

constexpr std::string_view kPlanFacts =
    "SELECT c.id, c.created_at, CASE WHEN c.birthday_valid = 1 THEN c.birthday END, coalesce(s.purchases, "
    "0), "
    "s.first_at, s.last_at, c.erased_at IS NOT NULL FROM customers c LEFT JOIN customer_stats s ON "
    "s.customer_id = c.id WHERE c.id = ?1";

constexpr std::string_view kFireFacts =
    "SELECT c.id, c.created_at, CASE WHEN c.birthday_valid = 1 THEN c.birthday END, coalesce(s.purchases, "
    "0), "
    "s.first_at, s.last_at, c.erased_at IS NOT NULL, c.pos_id, c.name, "
    "CASE WHEN c.phone_kind = 'mobile' THEN c.phone_e164 END, "
    "CASE WHEN c.phone_kind IS NOT NULL AND c.phone_kind != 'invalid' THEN c.phone_e164 END, "
    "CASE WHEN c.email_valid = 1 THEN c.email END, "
    "(SELECT granted FROM consents WHERE customer_id = c.id AND channel = 'sms'), "
    "(SELECT granted FROM consents WHERE customer_id = c.id AND channel = 'whatsapp'), "
    "(SELECT granted FROM consents WHERE customer_id = c.id AND channel = 'email') "
    "FROM customers c LEFT JOIN customer_stats s ON s.customer_id = c.id WHERE c.id = ?1";

}  // namespace

std::optional<std::string> segment_filter(std::string_view name, const std::vector<CustomSegment>& custom) {
  auto found = find_segment(name, custom, Language::en);
  if (!found) return std::nullopt;
  return found->filter;
}

Engine::Engine(Ledger& ledger, EngineSettings settings)
    : ledger_(ledger), db_(ledger.db()), settings_(std::move(settings)), zone_(*settings_.zone) {
  policy_.thresholds = settings_.thresholds;
  policy_.language = settings_.language;
  policy_.local_day = zone_.local_day();
}

Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::create(Ledger& ledger, EngineSettings settings) {
  if (settings.zone == nullptr)
    return make_error(ErrorKind::internal, "the rule engine needs the store's zone");
  std::unique_ptr<Engine> e(new Engine(ledger, std::move(settings)));
  auto jobs = JobStore::create(e->db_);
  if (!jobs) return jobs.error();
  e->jobs_ = std::move(*jobs);
  auto log = DecisionLog::create(e->db_);
  if (!log) return log.error();
  e->log_ = std::move(*log);
  auto messages = MessageLog::create(e->db_);
  if (!messages) return messages.error();
  e->messages_ = std::move(*messages);
  struct Prepared {
    sqlite::Stmt* stmt;
    std::string_view sql;
  };
  for (const auto& [stmt, sql] : {
           Prepared{&e->plan_facts_, kPlanFacts},
           Prepared{&e->fire_facts_, kFireFacts},
           Prepared{&e->sale_, "SELECT customer_id, sold_at, cancelled_at FROM sales WHERE pos_id = ?1"},
           Prepared{&e->nth_sale_,
                    "SELECT sold_at FROM sales WHERE customer_id = ?1 AND cancelled_at IS NULL "
                    "ORDER BY sold_at, id LIMIT 1 OFFSET ?2"},
           Prepared{&e->recent_sales_,
                    "SELECT pos_id, sold_at FROM sales WHERE customer_id = ?1 AND sold_at >= ?2 AND "
                    "cancelled_at IS NULL ORDER BY sold_at, id"},
           Prepared{&e->open_tasks_,
                    "SELECT t.job_id, t.rule_id, j.occurred_at, t.id, t.channel FROM tasks t "
                    "JOIN jobs j ON j.id = t.job_id WHERE t.customer_id = ?1 AND t.state = 'open'"},
           Prepared{&e->cancel_event_,
                    "SELECT max(c.id) FROM sale_cancellations c JOIN sales s ON s.id = c.sale_id "
                    "WHERE s.pos_id = ?1"},
       }) {
    auto prepared = e->db_.prepare(sql);
    if (!prepared) return prepared.error().within("preparing the rule engine");
    *stmt = std::move(*prepared);
  }
  return e;
}

int Engine::holdout_percent(const Rule& r) const {
  return r.measurement.holdout_percent.value_or(settings_.holdout_percent);
}

const Rule* Engine::rule(std::string_view id) const {
  for (const Rule& r : settings_.rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

void Engine::on_rollback() {
  hooked_sales_.clear();
  hooked_cancels_.clear();
}

Status Engine::activate() {
  const Seconds t = now();
  struct State {
    std::int64_t fingerprint = 0;
    bool enabled = false;
    bool has_next_run = false;
  };
  std::map<std::string, State> states;
  {
    auto stmt = db_.prepare("SELECT rule_id, fingerprint, enabled, next_run IS NOT NULL FROM rule_states");
    if (!stmt) return stmt.error();
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      states[std::string(stmt->text(0))] = {stmt->int64(1), stmt->int64(2) != 0, stmt->int64(3) != 0};
    }
  }
  auto upsert = db_.prepare(
      "INSERT INTO rule_states (rule_id, fingerprint, enabled, since, next_run) VALUES (?1, ?2, 1, ?3, ?4) "
      "ON CONFLICT (rule_id) DO UPDATE SET fingerprint = excluded.fingerprint, enabled = 1, "
      "next_run = excluded.next_run");
  if (!upsert) return upsert.error();
  for (const Rule& r : settings_.rules) {
    const std::int64_t fingerprint = as_sql_int(r.fingerprint());
    auto it = states.find(r.id);
    const bool fresh = it == states.end();
    const bool changed = !fresh && (it->second.fingerprint != fingerprint || !it->second.enabled);
    if (!fresh && !changed) continue;
    if (changed) {
      if (auto s = replan_rule(r); !s) return s;
    }
    to_plan_.insert(r.id);
    upsert->bind(1, std::string_view(r.id)).bind(2, fingerprint).bind(3, to_unix(t));
    if (r.trigger.kind == TriggerKind::recurring) {
      upsert->bind(4, to_unix(next_run(r.trigger, t, zone_)));
    } else {
      upsert->bind_null(4);
    }
    if (auto s = upsert->run(); !s) return s.error().within("recording rule " + r.id);
  }
  // Rules that ran before and no longer do: their pending jobs are cancelled.
  for (const auto& [id, state] : states) {
    if (!state.enabled || rule(id) != nullptr) continue;
    auto stmt = db_.prepare(
        "SELECT id, rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, priority, action, "
        "channel "
        "FROM jobs WHERE rule_id = ?1 AND state = 'pending'");
    if (!stmt) return stmt.error();
    stmt->bind(1, std::string_view(id));
    std::vector<Job> pending;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      Job j;
      j.id = stmt->int64(0);
      j.rule_id = std::string(stmt->text(1));
      j.customer_id = stmt->int64(2);
      j.occurrence = std::string(stmt->text(3));
      j.occurred_at = Seconds{std::chrono::seconds{stmt->int64(4)}};
      j.planned_at = Seconds{std::chrono::seconds{stmt->int64(5)}};
      j.due_at = Seconds{std::chrono::seconds{stmt->int64(6)}};
      j.priority = static_cast<int>(stmt->int64(7));
      j.action = std::string(stmt->text(8));
      j.channel = std::string(stmt->text(9));
      pending.push_back(std::move(j));
    }
    for (const Job& j : pending) {
      if (auto s = cancel_job(j, Reason::rule_off, "the rule " + id + " was turned off or removed"); !s)
        return s;
    }
    auto off = db_.prepare("UPDATE rule_states SET enabled = 0 WHERE rule_id = ?1");
    if (!off) return off.error();
    off->bind(1, std::string_view(id));
    if (auto s = off->run(); !s) return s;
  }
  return {};
}

Result<std::optional<Seconds>> Engine::next_wake() {
  auto job = jobs_.next_due();
  if (!job) return job.error();
  auto task = next_task_expiry(db_);
  if (!task) return task.error();
  std::optional<Seconds> wake = *job;
  if (*task && (!wake || **task < *wake)) wake = *task;
  auto stmt = db_.prepare("SELECT min(next_run) FROM rule_states WHERE enabled = 1");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (*row && !stmt->is_null(0)) {
    const Seconds run{std::chrono::seconds{stmt->int64(0)}};
    if (!wake || run < *wake) wake = run;
  }
  stmt->reset();
  return wake;
}

}  // namespace regua
