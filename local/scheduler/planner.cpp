// The planning half of the Engine (engine.hpp): which jobs exist, created from live events in their
// own transaction and, by catch_up(), from what arrived otherwise or with time.

#include <algorithm>

#include "local/analysis/segment_query.hpp"
#include "local/analysis/sql_local_day.hpp"
#include "local/core/timestamp.hpp"
#include "local/ledger/ledger_info.hpp"
#include "local/predict/predictions.hpp"
#include "local/rules/triggers.hpp"
#include "local/scheduler/engine.hpp"
#include "local/tasks/tasks.hpp"

namespace regua {
namespace {

Engine::PlanFacts read_plan_facts(const sqlite::Stmt& s) {
  Engine::PlanFacts f;
  f.id = s.int64(0);
  f.created_at = from_unix(s.int64(1));
  f.birthday = s.optional_text(2);
  f.purchases = s.int64(3);
  f.first_at = s.optional_time(4);
  f.last_at = s.optional_time(5);
  f.erased = s.int64(6) != 0;
  return f;
}

// Occurrence keys: what makes a job unique with its rule and customer. docs/rules.md lists them.
std::string sale_key(std::string_view pos_id) {
  return "sale:" + std::string(pos_id);
}
std::string since_key(Seconds last_at) {
  return "since:" + format_utc(last_at);
}
std::string purchase_key(int n) {
  return "purchase:" + std::to_string(n);
}
constexpr std::string_view kRegistrationKey = "registration";
std::string birthday_key(int year) {
  return "birthday:" + std::to_string(year);
}

// When a customer counts as registered: when the ledger first knew them, or their first purchase
// if that was earlier (history imported at once has a recent created_at).
Seconds registered_at(const Engine::PlanFacts& f) {
  return f.first_at && *f.first_at < f.created_at ? *f.first_at : f.created_at;
}

// How far back an after_purchase rule's purchases can still fire.
std::chrono::seconds after_purchase_span(const Rule& r) {
  return r.trigger.delay + r.guards.max_lateness + std::chrono::days{2};
}

}  // namespace

Result<std::optional<Engine::PlanFacts>> Engine::load_plan_facts(std::int64_t customer_id) {
  plan_facts_.bind(1, customer_id);
  auto row = plan_facts_.step();
  if (!row) return row.error().within("reading customer " + std::to_string(customer_id));
  if (!*row) return std::optional<PlanFacts>{};
  auto f = read_plan_facts(plan_facts_);
  plan_facts_.reset();
  return std::optional<PlanFacts>(std::move(f));
}

Status Engine::insert_job(const Rule& rule, std::int64_t customer_id, std::string occurrence,
                          Seconds occurred, Seconds planned, bool always) {
  const Seconds t = now();
  if (!always && too_late(planned, t, rule.guards.max_lateness)) return {};
  Job j;
  j.rule_id = rule.id;
  j.customer_id = customer_id;
  j.occurrence = std::move(occurrence);
  j.occurred_at = occurred;
  j.planned_at = planned;
  j.priority = rule.priority;
  j.action = std::string(action_kind_name(rule.action.kind));
  j.channel = std::string(contact_channel_name(rule.action.channel));
  auto inserted = jobs_.insert(j, t);
  if (!inserted) return inserted.error();
  if (!*inserted) return {};
  if (report_ != nullptr) ++report_->planned;
  if (!earliest_planned_ || planned < *earliest_planned_) earliest_planned_ = planned;
  return {};
}

Status Engine::cancel_job(const Job& job, Reason reason, std::string detail) {
  auto closed = jobs_.close(job.id, JobState::cancelled, now(), reason_code(reason));
  if (!closed) return closed.error();
  if (!*closed) return {};
  if (report_ != nullptr) ++report_->cancelled;
  DecisionInput d;
  d.job_id = job.id;
  d.customer_id = job.customer_id;
  d.rule_id = job.rule_id;
  d.action = job.action;
  d.channel = job.channel;
  d.at = now();
  d.decision = Decision::cancelled;
  d.reason = reason;
  d.detail = std::move(detail);
  return log_.record(d);
}

Status Engine::cancel_for_purchase(std::int64_t customer_id, Seconds sold_at) {
  auto pending = jobs_.pending_of(customer_id);
  if (!pending) return pending.error();
  const std::string detail = "the customer bought on " + zone_.readable(sold_at) + ", after the trigger";
  for (const Job& j : *pending) {
    const Rule* r = rule(j.rule_id);
    if (r == nullptr || !r->guards.cancel_if_bought || j.occurred_at >= sold_at) continue;
    if (auto s = cancel_job(j, Reason::bought, detail); !s) return s;
  }
  // Open tasks whose reason lapsed: staff must not call to say "we miss you" after the customer came.
  open_tasks_.bind(1, customer_id);
  struct OpenTask {
    std::int64_t job_id;
    std::string rule_id;
    std::int64_t task_id;
    std::string channel;
  };
  std::vector<OpenTask> lapsed;
  for (;;) {
    auto row = open_tasks_.step();
    if (!row) return row.error().within("reading open tasks");
    if (!*row) break;
    const Rule* r = rule(open_tasks_.text(1));
    if (r != nullptr && r->guards.cancel_if_bought && from_unix(open_tasks_.int64(2)) < sold_at) {
      lapsed.push_back({open_tasks_.int64(0), std::string(open_tasks_.text(1)), open_tasks_.int64(3),
                        std::string(open_tasks_.text(4))});
    }
  }
  for (const OpenTask& t : lapsed) {
    auto closed = close_task_of_job(db_, t.job_id, TaskState::cancelled, "bought: " + detail, now());
    if (!closed) return closed.error();
    if (!*closed) continue;
    // Its job fired long ago; without a decision `why` would still show the task as the last word.
    DecisionInput d;
    d.job_id = t.job_id;
    d.customer_id = customer_id;
    d.rule_id = t.rule_id;
    d.action = "task";
    d.channel = t.channel;
    d.at = now();
    d.decision = Decision::cancelled;
    d.reason = Reason::bought;
    d.detail = "task " + std::to_string(t.task_id) + " for staff cancelled: " + detail;
    d.task_id = t.task_id;
    if (auto s = log_.record(d); !s) return s;
  }
  return {};
}

Status Engine::on_sale(std::int64_t customer_id, std::int64_t sale_id, std::string_view sale_pos_id,
                       Seconds sold_at, bool new_customer) {
  if (settings_.rules.empty()) return {};
  hooked_sales_.insert(sale_id);
  sale_.bind_ref(1, sale_pos_id);
  auto row = sale_.step();
  if (!row) return row.error();
  const bool cancelled = *row && !sale_.is_null(2);  // born cancelled: its cancellation came first
  sale_.reset();
  if (!cancelled) {
    if (auto s = cancel_for_purchase(customer_id, sold_at); !s) return s;
  }
  auto facts = load_plan_facts(customer_id);
  if (!facts) return facts.error();
  if (!*facts) return {};
  return plan_customer(**facts, Mode::live, SaleRef{std::string(sale_pos_id), sold_at, cancelled},
                       new_customer, nullptr);
}

Status Engine::on_cancel(std::int64_t customer_id, std::string_view sale_pos_id) {
  if (settings_.rules.empty()) return {};
  // The ledger recorded this cancellation in sale_cancellations too: catch_up() need not undo the
  // sale again. Only work is saved: undo_sale() reads the customer as they are now, so a second
  // undo would change nothing.
  cancel_event_.bind_ref(1, sale_pos_id);
  auto event = cancel_event_.step();
  if (!event) return event.error().within("reading the cancellation of " + std::string(sale_pos_id));
  if (*event && !cancel_event_.is_null(0)) hooked_cancels_.insert(cancel_event_.int64(0));
  cancel_event_.reset();
  auto facts = load_plan_facts(customer_id);
  if (!facts) return facts.error();
  if (!*facts) return {};
  return undo_sale(**facts, sale_pos_id);
}

// What a cancelled purchase undoes, live or found by catch_up(): the jobs it caused, and its end of
// the previous inactivity episode. Idempotent: it reopens only the episode of the purchase that is
// the last one now, and cancels only jobs that no purchase now stands for.
Status Engine::undo_sale(const PlanFacts& f, std::string_view sale_pos_id) {
  const std::int64_t customer_id = f.id;
  auto pending = jobs_.pending_of(customer_id);
  if (!pending) return pending.error();
  const std::string key = sale_key(sale_pos_id);
  for (const Job& j : *pending) {
    const Rule* r = rule(j.rule_id);
    const bool its_sale = j.occurrence == key;
    const bool its_inactivity = r != nullptr && r->trigger.kind == TriggerKind::days_without_purchase &&
                                (!f.last_at || j.occurred_at > *f.last_at);
    if (its_sale || its_inactivity) {
      if (auto s = cancel_job(j, Reason::sale_cancelled,
                              "the purchase " + std::string(sale_pos_id) + " was cancelled");
          !s)
        return s;
    }
  }
  // The previous purchase may be the last one again: its inactivity episode, cancelled when the
  // purchase now cancelled came, is on again (its key is taken, so planning alone would not bring it
  // back); the firing checks lateness and everything else as for any job.
  if (f.last_at) {
    for (const Rule& r : settings_.rules) {
      if (r.trigger.kind != TriggerKind::days_without_purchase) continue;
      auto reopened = jobs_.reopen(r.id, customer_id, since_key(*f.last_at), reason_code(Reason::bought));
      if (!reopened) return reopened.error();
      if (*reopened) {
        const Seconds planned = inactivity_moment(r.trigger, *f.last_at, zone_);
        if (!earliest_planned_ || planned < *earliest_planned_) earliest_planned_ = planned;
      }
    }
  }
  return plan_customer(f, Mode::catch_up, std::nullopt, false, nullptr);
}

Status Engine::on_customer(std::int64_t customer_id, bool new_customer) {
  if (settings_.rules.empty()) return {};
  auto facts = load_plan_facts(customer_id);
  if (!facts) return facts.error();
  if (!*facts) return {};
  return plan_customer(**facts, Mode::live, std::nullopt, new_customer, nullptr);
}

Status Engine::plan_customer(const PlanFacts& f, Mode mode, const std::optional<SaleRef>& sale,
                             bool new_customer, const std::set<std::string>* only) {
  if (f.erased) return {};  // forgotten: their anonymised sales count in figures, never in actions
  const bool live = mode == Mode::live;
  for (const Rule& r : settings_.rules) {
    if (only != nullptr && only->count(r.id) == 0) continue;
    const auto& t = r.trigger;
    switch (t.kind) {
      case TriggerKind::after_purchase:
        if (sale && !sale->cancelled) {
          if (auto s = insert_job(r, f.id, sale_key(sale->pos_id), sale->sold_at,
                                  after_delay(t, sale->sold_at, zone_), live);
              !s)
            return s;
        } else if (mode == Mode::cold && f.last_at && *f.last_at >= now() - after_purchase_span(r)) {
          if (auto s = plan_recent_sales(r, f); !s) return s;
        }
        break;
      case TriggerKind::days_without_purchase:
        if (f.last_at) {
          const bool caused = live && sale && !sale->cancelled && sale->sold_at == *f.last_at;
          if (auto s = insert_job(r, f.id, since_key(*f.last_at), *f.last_at,
                                  inactivity_moment(t, *f.last_at, zone_), caused);
              !s)
            return s;
        }
        break;
      case TriggerKind::nth_purchase: {
        if (f.purchases < t.n || !f.last_at) break;
        // Nothing to find when even the last purchase is too old to fire from.
        if (!live && too_late(after_delay(t, *f.last_at, zone_), now(), r.guards.max_lateness)) break;
        const std::string key = purchase_key(t.n);
        std::optional<Job> lapsed;
        if (mode != Mode::cold) {
          auto existing = jobs_.find(r.id, f.id, key);
          if (!existing) return existing.error();
          if (*existing && (*existing)->state != JobState::cancelled) break;
          lapsed = std::move(*existing);
        }
        nth_sale_.bind(1, f.id).bind(2, std::int64_t{t.n - 1});
        auto row = nth_sale_.step();
        if (!row) return row.error();
        if (!*row) break;
        const Seconds nth = from_unix(nth_sale_.int64(0));
        nth_sale_.reset();
        if (lapsed) {
          // It lapsed because the n-th purchase was cancelled: the purchase that is the n-th now
          // (a later one) brings it back, planned from that purchase. Cancelled otherwise: it stays.
          if (nth <= lapsed->occurred_at) break;
          auto reopened = jobs_.reopen(r.id, f.id, key, reason_code(Reason::lapsed));
          if (!reopened) return reopened.error();
          if (!*reopened) break;
          const Seconds planned = after_delay(t, nth, zone_);
          if (auto s = jobs_.replan(lapsed->id, planned, r.priority); !s) return s;
          if (!earliest_planned_ || planned < *earliest_planned_) earliest_planned_ = planned;
          break;
        }
        const bool caused = live && sale && !sale->cancelled && sale->sold_at == nth;
        if (auto s = insert_job(r, f.id, key, nth, after_delay(t, nth, zone_), caused); !s) return s;
        break;
      }
      case TriggerKind::registration: {
        if (live && !new_customer) break;  // an old customer: planned (or not) when the rule started
        const Seconds registered = registered_at(f);
        if (auto s = insert_job(r, f.id, std::string(kRegistrationKey), registered,
                                after_delay(t, registered, zone_), live && new_customer);
            !s)
          return s;
        break;
      }
      case TriggerKind::birthday:
        if (auto s = plan_birthday(r, f, 0, mode == Mode::cold); !s) return s;
        break;
      case TriggerKind::cell_entered:
      case TriggerKind::recurring:
        break;  // catch_up(): segment events and campaign runs
    }
  }
  if (report_ != nullptr) ++report_->customers;
  return {};
}

Status Engine::plan_recent_sales(const Rule& r, const PlanFacts& f) {
  recent_sales_.bind(1, f.id).bind(2, to_unix(now() - after_purchase_span(r)));
  std::vector<std::pair<std::string, Seconds>> sales;
  for (;;) {
    auto row = recent_sales_.step();
    if (!row) return row.error();
    if (!*row) break;
    sales.emplace_back(std::string(recent_sales_.text(0)), from_unix(recent_sales_.int64(1)));
  }
  for (const auto& [pos_id, sold_at] : sales) {
    if (auto s =
            insert_job(r, f.id, sale_key(pos_id), sold_at, after_delay(r.trigger, sold_at, zone_), false);
        !s)
      return s;
  }
  return {};
}

Status Engine::plan_birthday(const Rule& r, const PlanFacts& f, int min_year, bool cold) {
  std::vector<Job> pending;
  if (!cold) {
    auto all = jobs_.pending_of(f.id);
    if (!all) return all.error();
    for (auto& j : *all) {
      if (j.rule_id == r.id) pending.push_back(std::move(j));
    }
  }
  const auto md = f.birthday ? birthday_month_day(*f.birthday) : std::nullopt;
  if (!md) {
    for (const Job& j : pending) {
      if (auto s = cancel_job(j, Reason::lapsed, "there is no valid birthday on file any more"); !s) return s;
    }
    return {};
  }
  const std::int64_t today = zone_.day(now());
  // The next birthday that can still fire (today's may already be past its lateness).
  auto next = next_birthday(r.trigger, *md, today, min_year, zone_);
  if (too_late(next.moment, now(), r.guards.max_lateness)) {
    next = next_birthday(r.trigger, *md, today, next.year + 1, zone_);
  }
  const std::string key = birthday_key(next.year);
  for (const Job& j : pending) {
    if (j.occurrence != key) {
      if (auto s = cancel_job(j, Reason::lapsed, "the birthday on file changed"); !s) return s;
    } else if (j.planned_at != next.moment) {
      if (auto s = jobs_.replan(j.id, next.moment, r.priority); !s) return s;
      if (!earliest_planned_ || next.moment < *earliest_planned_) earliest_planned_ = next.moment;
    }
  }
  return insert_job(r, f.id, key, next.moment, next.moment, false);
}

Status Engine::replan_rule(const Rule& r) {
  auto stmt = db_.prepare(
      "SELECT id, customer_id, occurrence, occurred_at FROM jobs WHERE rule_id = ?1 AND state = 'pending'");
  if (!stmt) return stmt.error();
  stmt->bind(1, std::string_view(r.id));
  std::vector<Job> pending;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    Job j;
    j.id = stmt->int64(0);
    j.rule_id = r.id;
    j.customer_id = stmt->int64(1);
    j.occurrence = std::string(stmt->text(2));
    j.occurred_at = from_unix(stmt->int64(3));
    j.action = std::string(action_kind_name(r.action.kind));
    j.channel = std::string(contact_channel_name(r.action.channel));
    pending.push_back(std::move(j));
  }
  const auto& t = r.trigger;
  for (const Job& j : pending) {
    std::optional<Seconds> planned;
    const auto kind = j.occurrence.substr(0, j.occurrence.find(':'));
    if (kind == "sale" && t.kind == TriggerKind::after_purchase) {
      planned = after_delay(t, j.occurred_at, zone_);
    } else if (kind == "since" && t.kind == TriggerKind::days_without_purchase) {
      planned = inactivity_moment(t, j.occurred_at, zone_);
    } else if (kind == "purchase" && t.kind == TriggerKind::nth_purchase &&
               j.occurrence == purchase_key(t.n)) {
      planned = after_delay(t, j.occurred_at, zone_);
    } else if (kind == "registration" && t.kind == TriggerKind::registration) {
      planned = after_delay(t, j.occurred_at, zone_);
    } else if (kind == "birthday" && t.kind == TriggerKind::birthday) {
      auto f = load_plan_facts(j.customer_id);
      if (!f) return f.error();
      const auto md = *f && (*f)->birthday ? birthday_month_day(*(*f)->birthday) : std::nullopt;
      if (md) planned = birthday_moment(t, *md, std::stoi(j.occurrence.substr(9)), zone_);
    } else if ((kind == "cell" && t.kind == TriggerKind::cell_entered) ||
               (kind == "run" && t.kind == TriggerKind::recurring)) {
      auto existing = jobs_.find(r.id, j.customer_id, j.occurrence);
      if (!existing) return existing.error();
      if (*existing) planned = (*existing)->planned_at;
    }
    if (!planned) {
      if (auto s = cancel_job(j, Reason::rule_changed,
                              "the rule " + r.id + " changed and no longer applies to it");
          !s)
        return s;
      continue;
    }
    if (auto s = jobs_.replan(j.id, *planned, r.priority); !s) return s;
  }
  return {};
}

Status Engine::plan_all(const std::set<std::string>* only) {
  auto stmt = db_.prepare(
      "SELECT c.id, c.created_at, CASE WHEN c.birthday_valid = 1 THEN c.birthday END, coalesce(s.purchases, "
      "0), "
      "s.first_at, s.last_at, c.erased_at IS NOT NULL FROM customers c LEFT JOIN customer_stats s ON "
      "s.customer_id = c.id WHERE c.id > ?1 ORDER BY c.id LIMIT 10000");
  if (!stmt) return stmt.error();
  // In pages of customers read before planning them: planning writes to tables a running scan reads.
  std::int64_t after = 0;
  for (;;) {
    stmt->bind(1, after);
    std::vector<PlanFacts> page;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error().within("planning every customer");
      if (!*row) break;
      page.push_back(read_plan_facts(*stmt));
    }
    if (page.empty()) return {};
    for (const PlanFacts& f : page) {
      if (auto s = plan_customer(f, Mode::cold, std::nullopt, false, only); !s) return s;
    }
    after = page.back().id;
  }
}

Status Engine::plan_new_sales(int batch) {
  auto cursor_text = read_ledger_info(db_, "rules.sales_cursor");
  if (!cursor_text) return cursor_text.error();
  const std::int64_t cursor = std::stoll(cursor_text->value_or("0"));
  auto stmt = db_.prepare(
      "SELECT id, customer_id, pos_id, sold_at, cancelled_at IS NOT NULL FROM sales WHERE id > ?1 "
      "ORDER BY id LIMIT ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, cursor).bind(2, std::int64_t{batch});
  struct NewSale {
    std::int64_t id;
    std::optional<std::int64_t> customer;
    SaleRef sale;
  };
  std::vector<NewSale> sales;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("reading new sales");
    if (!*row) break;
    NewSale n;
    n.id = stmt->int64(0);
    if (!stmt->is_null(1)) n.customer = stmt->int64(1);
    n.sale = SaleRef{std::string(stmt->text(2)), from_unix(stmt->int64(3)), stmt->int64(4) != 0};
    sales.push_back(std::move(n));
  }
  std::int64_t last = cursor;
  for (const NewSale& n : sales) {
    last = n.id;
    if (!n.customer || hooked_sales_.count(n.id) != 0) continue;  // anonymous, or planned in its transaction
    if (!n.sale.cancelled) {
      if (auto s = cancel_for_purchase(*n.customer, n.sale.sold_at); !s) return s;
    }
    auto facts = load_plan_facts(*n.customer);
    if (!facts) return facts.error();
    if (!*facts) continue;
    if (auto s = plan_customer(**facts, Mode::catch_up, n.sale, false, nullptr); !s) return s;
  }
  if (static_cast<int>(sales.size()) == batch && report_ != nullptr) report_->more = true;
  hooked_sales_.erase(hooked_sales_.begin(), hooked_sales_.upper_bound(last));
  if (last != cursor) return write_ledger_info(db_, "rules.sales_cursor", std::to_string(last));
  return {};
}

Status Engine::plan_new_cancellations(int batch) {
  auto cursor_text = read_ledger_info(db_, "rules.cancel_cursor");
  if (!cursor_text) return cursor_text.error();
  const std::int64_t cursor = std::stoll(cursor_text->value_or("0"));
  // The sale's customer now (a merge may have moved it); none for an anonymous sale.
  auto stmt = db_.prepare(
      "SELECT c.id, s.customer_id, s.pos_id FROM sale_cancellations c LEFT JOIN sales s ON s.id = c.sale_id "
      "WHERE c.id > ?1 ORDER BY c.id LIMIT ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, cursor).bind(2, std::int64_t{batch});
  struct Cancelled {
    std::int64_t id;
    std::optional<std::int64_t> customer;
    std::string pos_id;
  };
  std::vector<Cancelled> events;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("reading new cancellations");
    if (!*row) break;
    Cancelled c{stmt->int64(0), std::nullopt, {}};
    if (!stmt->is_null(1)) c.customer = stmt->int64(1);
    if (!stmt->is_null(2)) c.pos_id = std::string(stmt->text(2));
    events.push_back(std::move(c));
  }
  std::int64_t last = cursor;
  for (const Cancelled& c : events) {
    last = c.id;
    if (!c.customer || hooked_cancels_.count(c.id) != 0) continue;  // anonymous, or handled live
    auto facts = load_plan_facts(*c.customer);
    if (!facts) return facts.error();
    if (!*facts) continue;
    if (auto s = undo_sale(**facts, c.pos_id); !s) return s;
  }
  if (static_cast<int>(events.size()) == batch && report_ != nullptr) report_->more = true;
  hooked_cancels_.erase(hooked_cancels_.begin(), hooked_cancels_.upper_bound(last));
  if (last != cursor) return write_ledger_info(db_, "rules.cancel_cursor", std::to_string(last));
  return {};
}

Status Engine::plan_merges() {
  auto cursor_text = read_ledger_info(db_, "rules.merge_cursor");
  if (!cursor_text) return cursor_text.error();
  const std::int64_t cursor = std::stoll(cursor_text->value_or("0"));
  auto stmt = db_.prepare("SELECT id, survivor_id FROM customer_merges WHERE id > ?1 ORDER BY id");
  if (!stmt) return stmt.error();
  stmt->bind(1, cursor);
  std::vector<std::pair<std::int64_t, std::int64_t>> merges;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    merges.emplace_back(stmt->int64(0), stmt->int64(1));
  }
  for (const auto& [id, survivor] : merges) {
    auto facts = load_plan_facts(survivor);
    if (!facts) return facts.error();
    if (!*facts) continue;  // merged again since
    // The survivor's history now includes the merged record's: a later purchase in it makes older
    // triggers stale.
    if ((*facts)->last_at) {
      if (auto s = cancel_for_purchase(survivor, *(*facts)->last_at); !s) return s;
    }
    if (auto s = plan_customer(**facts, Mode::catch_up, std::nullopt, false, nullptr); !s) return s;
  }
  if (!merges.empty())
    return write_ledger_info(db_, "rules.merge_cursor", std::to_string(merges.back().first));
  return {};
}

Status Engine::plan_segment_events(int batch) {
  const bool any = std::any_of(settings_.rules.begin(), settings_.rules.end(),
                               [](const Rule& r) { return r.trigger.kind == TriggerKind::cell_entered; });
  auto cursor_text = read_ledger_info(db_, "rules.segment_cursor");
  if (!cursor_text) return cursor_text.error();
  std::int64_t cursor = std::stoll(cursor_text->value_or("0"));
  auto stmt = db_.prepare(
      "SELECT id, customer_id, cell, day, max(at, coalesce(last_at, at)) FROM segment_events "
      "WHERE id > ?1 AND cell IS NOT NULL ORDER BY id LIMIT ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, cursor).bind(2, std::int64_t{batch});
  // An entry happens when it was recorded, or at the purchase that caused it when the POS clock is
  // ahead of ours: otherwise cancel_if_bought would cancel it for the very purchase that caused it.
  struct Entry {
    std::int64_t id, customer;
    std::string cell;
    std::int64_t day;
    Seconds at;
  };
  std::vector<Entry> entries;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    auto date = parse_date(stmt->text(3));
    const std::int64_t day = date ? std::chrono::sys_days{*date}.time_since_epoch().count() : 0;
    entries.push_back(
        {stmt->int64(0), stmt->int64(1), std::string(stmt->text(2)), day, from_unix(stmt->int64(4))});
  }
  for (const Entry& e : entries) {
    cursor = e.id;
    if (!any) continue;
    for (const Rule& r : settings_.rules) {
      if (r.trigger.kind != TriggerKind::cell_entered || r.trigger.cell != e.cell) continue;
      auto exists = load_plan_facts(e.customer);
      if (!exists) return exists.error();
      if (!*exists || (*exists)->erased) continue;  // merged away or forgotten since
      if (auto s = insert_job(r, e.customer, "cell:" + std::to_string(e.id), e.at,
                              cell_moment(r.trigger, e.day, e.at, zone_), false);
          !s)
        return s;
    }
  }
  if (static_cast<int>(entries.size()) == batch && report_ != nullptr) report_->more = true;
  if (!entries.empty()) return write_ledger_info(db_, "rules.segment_cursor", std::to_string(cursor));
  return {};
}

Status Engine::run_campaigns() {
  const Seconds t = now();
  for (const Rule& r : settings_.rules) {
    if (r.trigger.kind != TriggerKind::recurring) continue;
    auto stmt = db_.prepare("SELECT next_run FROM rule_states WHERE rule_id = ?1 AND next_run IS NOT NULL");
    if (!stmt) return stmt.error();
    stmt->bind(1, std::string_view(r.id));
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) continue;
    Seconds run = from_unix(stmt->int64(0));
    stmt->reset();
    if (run > t) continue;
    // Runs missed while the agent was down: only those still within the lateness happen.
    while (run <= t) {
      std::int64_t day = 0;
      next_run(r.trigger, run, zone_, &day);
      if (too_late(run, t, r.guards.max_lateness)) {
        // No decision row: a run concerns a segment, not one customer, and its members on a day
        // the agent was down are not known. The note is logged by the agent (scheduler_timer).
        if (report_ != nullptr) {
          ++report_->campaigns_skipped;
          report_->notes.push_back("campaign " + r.id + " of " + format_local_day(day) +
                                   " skipped: found past its maximum lateness (the agent was not running)");
        }
      } else {
        auto filter = segment_filter(r.trigger.segment, settings_.segments);
        if (!filter) {
          return make_error(ErrorKind::config, "rule " + r.id + ": the segment \"" + r.trigger.segment +
                                                   "\" does not exist any more");
        }
        auto compiled = compile_segment(db_, *filter, policy_, zone_.day(t));
        if (!compiled) return compiled.error().within("rule " + r.id);
        auto members = db_.prepare("SELECT c.id " + filter_from_clause(*compiled) + " WHERE (" +
                                   compiled->where + ") AND c.erased_at IS NULL ORDER BY c.id");
        if (!members) return members.error();
        bind_params(*members, compiled->params);
        std::vector<std::int64_t> ids;
        for (;;) {
          auto m = members->step();
          if (!m) return m.error().within("rule " + r.id);
          if (!*m) break;
          ids.push_back(members->int64(0));
        }
        for (const auto id : ids) {
          if (auto s = insert_job(r, id, "run:" + format_local_day(day), run, run, true); !s) return s;
        }
        if (report_ != nullptr) ++report_->campaigns;
      }
      run = next_run(r.trigger, run + std::chrono::seconds{1}, zone_);
    }
    auto update = db_.prepare("UPDATE rule_states SET next_run = ?2 WHERE rule_id = ?1");
    if (!update) return update.error();
    update->bind(1, std::string_view(r.id)).bind(2, to_unix(run));
    if (auto s = update->run(); !s) return s;
  }
  return {};
}

Result<PlanReport> Engine::catch_up(int batch) {
  PlanReport report;
  report_ = &report;
  struct Reset {
    PlanReport*& p;
    ~Reset() { p = nullptr; }
  } reset{report_};
  auto local_day = SqlLocalDay::install(db_, policy_.local_day);
  if (!local_day) return local_day.error();

  auto cursor = read_ledger_info(db_, "rules.sales_cursor");
  if (!cursor) return cursor.error();
  if (!*cursor) {
    // A ledger that never had rules: every customer once, then only what is new.
    report.cold = true;
    if (!settings_.rules.empty()) {
      if (auto s = plan_all(nullptr); !s) return s.error();
    }
    for (const auto& [key, sql] :
         {std::pair{"rules.sales_cursor", "SELECT coalesce(max(id), 0) FROM sales"},
          std::pair{"rules.merge_cursor", "SELECT coalesce(max(id), 0) FROM customer_merges"},
          std::pair{"rules.segment_cursor", "SELECT coalesce(max(id), 0) FROM segment_events"},
          std::pair{"rules.cancel_cursor", "SELECT coalesce(max(id), 0) FROM sale_cancellations"}}) {
      auto max = db_.query_int(sql);
      if (!max) return max.error();
      if (auto s = write_ledger_info(db_, key, std::to_string(*max)); !s) return s.error();
    }
    hooked_sales_.clear();
    hooked_cancels_.clear();
    to_plan_.clear();
  } else if (!to_plan_.empty()) {
    if (auto s = plan_all(&to_plan_); !s) return s.error();
    to_plan_.clear();
  }
  if (auto s = plan_new_sales(batch); !s) return s.error();
  // After the sales: a cancellation read before its sale would find nothing to undo.
  if (auto s = plan_new_cancellations(batch); !s) return s.error();
  if (auto s = plan_merges(); !s) return s.error();
  if (auto s = plan_segment_events(batch); !s) return s.error();
  if (auto s = run_campaigns(); !s) return s.error();
  return report;
}

}  // namespace regua
