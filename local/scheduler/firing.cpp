// The firing half of the Engine (engine.hpp): a due job is checked again against the ledger, passes
// the guards, and fires, waits, is skipped or cancelled, always with its reason.

#include "local/analysis/segment_events.hpp"
#include "local/analysis/segment_query.hpp"
#include "local/analysis/sql_local_day.hpp"
#include "local/identity/name.hpp"
#include "local/predict/predictions.hpp"
#include "local/rules/durations.hpp"
#include "local/rules/templates.hpp"
#include "local/rules/triggers.hpp"
#include "local/scheduler/engine.hpp"
#include "local/tasks/tasks.hpp"

namespace regua {
namespace {

// "17/03/2026": how people in Brazil read a date.
std::string brazilian_date(std::int64_t day) {
  const std::string iso = format_local_day(day);
  return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4);
}

std::string task_link(ContactChannel channel, const ContactFacts& c, const std::string& text) {
  switch (channel) {
    case ContactChannel::whatsapp:
      return c.mobile ? whatsapp_link(*c.mobile, text) : std::string();
    case ContactChannel::sms:
      return c.mobile ? "sms:" + *c.mobile + (text.empty() ? "" : "?body=" + url_encode(text))
                      : std::string();
    case ContactChannel::email:
      return c.email ? "mailto:" + *c.email + (text.empty() ? "" : "?body=" + url_encode(text))
                     : std::string();
    case ContactChannel::call:
      return c.phone ? "tel:" + *c.phone : std::string();
  }
  return {};
}

}  // namespace

Result<std::optional<Engine::FireFacts>> Engine::load_fire_facts(std::int64_t customer_id) {
  fire_facts_.bind(1, customer_id);
  auto row = fire_facts_.step();
  if (!row) return row.error().within("reading customer " + std::to_string(customer_id));
  if (!*row) return std::optional<FireFacts>{};
  const auto& s = fire_facts_;
  FireFacts f;
  f.plan.id = s.int64(0);
  f.plan.created_at = from_unix(s.int64(1));
  f.plan.birthday = s.optional_text(2);
  f.plan.purchases = s.int64(3);
  if (!s.is_null(4)) f.plan.first_at = from_unix(s.int64(4));
  if (!s.is_null(5)) f.plan.last_at = from_unix(s.int64(5));
  f.plan.erased = s.int64(6) != 0;
  f.pos_id = s.optional_text(7);
  f.name = s.optional_text(8);
  f.contact.mobile = s.optional_text(9);
  f.contact.phone = s.optional_text(10);
  f.contact.email = s.optional_text(11);
  f.contact.sms = s.optional_flag(12);
  f.contact.whatsapp = s.optional_flag(13);
  f.contact.email_consent = s.optional_flag(14);
  fire_facts_.reset();
  return std::optional<FireFacts>(std::move(f));
}

Result<bool> Engine::matches(std::string_view filter, std::int64_t customer_id) {
  const std::int64_t today = zone_.day(now());
  auto it = filters_.find(filter);
  if (it == filters_.end() || it->second.day != today) {
    auto compiled = compile_segment(db_, filter, policy_, today);
    if (!compiled) return compiled.error();
    auto stmt = db_.prepare("SELECT 1 " + filter_from_clause(*compiled) + " WHERE (" + compiled->where +
                            ") AND c.id = ?" + std::to_string(compiled->params.size() + 1));
    if (!stmt) return stmt.error();
    bind_params(*stmt, compiled->params);
    FilterCache cache{today, std::move(*stmt), compiled->params.size()};
    it = filters_.insert_or_assign(std::string(filter), std::move(cache)).first;
  }
  auto& cache = it->second;
  cache.stmt.bind(static_cast<int>(cache.params) + 1, customer_id);
  auto row = cache.stmt.step();
  if (!row) return row.error();
  cache.stmt.reset();
  return *row;
}

Result<std::optional<Verdict>> Engine::trigger_lapse(const Rule& r, const Job& j, const FireFacts& f) {
  const auto& t = r.trigger;
  const auto& p = f.plan;
  switch (t.kind) {
    case TriggerKind::after_purchase: {
      const std::string pos_id = j.occurrence.substr(j.occurrence.find(':') + 1);
      sale_.bind_ref(1, std::string_view(pos_id));
      auto row = sale_.step();
      if (!row) return row.error();
      const bool exists = *row;
      const bool cancelled = exists && !sale_.is_null(2);
      const bool moved = exists && (sale_.is_null(0) || sale_.int64(0) != j.customer_id);
      sale_.reset();
      if (!exists || cancelled) {
        return std::optional<Verdict>(
            Verdict{Reason::sale_cancelled, "the purchase " + pos_id + " was cancelled"});
      }
      if (moved) {
        return std::optional<Verdict>(
            Verdict{Reason::lapsed, "the purchase " + pos_id + " now belongs to another customer record"});
      }
      return std::optional<Verdict>{};
    }
    case TriggerKind::days_without_purchase:
      if (!p.last_at || *p.last_at < j.occurred_at) {
        return std::optional<Verdict>(
            Verdict{Reason::sale_cancelled, "the purchase it counted from was cancelled"});
      }
      return std::optional<Verdict>{};
    case TriggerKind::nth_purchase:
      if (p.purchases < t.n) {
        return std::optional<Verdict>(Verdict{
            Reason::lapsed,
            "the customer has " + std::to_string(p.purchases) + " purchase(s) now (one was cancelled)"});
      }
      return std::optional<Verdict>{};
    case TriggerKind::registration:
      return std::optional<Verdict>{};
    case TriggerKind::birthday: {
      const auto md = p.birthday ? birthday_month_day(*p.birthday) : std::nullopt;
      if (!md)
        return std::optional<Verdict>(Verdict{Reason::lapsed, "there is no valid birthday on file any more"});
      const int year = std::stoi(j.occurrence.substr(j.occurrence.find(':') + 1));
      if (birthday_moment(t, *md, year, zone_) != j.planned_at) {
        return std::optional<Verdict>(Verdict{Reason::lapsed, "the birthday on file changed"});
      }
      return std::optional<Verdict>{};
    }
    case TriggerKind::cell_entered: {
      const auto last =
          p.last_at ? std::optional<std::int64_t>(p.last_at->time_since_epoch().count()) : std::nullopt;
      const auto cell = current_cell(p.purchases, last, zone_.day(now()), policy_);
      const std::string code = cell ? std::string(cell_code(*cell)) : std::string("none");
      if (code != t.cell) {
        return std::optional<Verdict>(Verdict{Reason::lapsed, "the customer is now in cell " + code});
      }
      return std::optional<Verdict>{};
    }
    case TriggerKind::recurring: {
      auto filter = segment_filter(t.segment, settings_.segments);
      if (!filter)
        return std::optional<Verdict>(Verdict{Reason::lapsed, "the segment " + t.segment + " is gone"});
      auto in = matches(*filter, j.customer_id);
      if (!in) return in.error();
      if (!*in) {
        return std::optional<Verdict>(Verdict{Reason::lapsed, "the customer left the segment " + t.segment});
      }
      return std::optional<Verdict>{};
    }
  }
  return std::optional<Verdict>{};
}

Status Engine::decide(const Job& j, Decision decision, Reason reason, std::string detail,
                      std::optional<Seconds> until, std::optional<std::int64_t> message_id,
                      std::optional<std::int64_t> task_id) {
  const Seconds t = now();
  if (decision == Decision::deferred) {
    if (auto s = jobs_.defer(j.id, *until); !s) return s;
  } else {
    // A held-out job ends as skipped: nothing happened, and the decision row says why.
    const JobState state = decision == Decision::fired ? JobState::fired
                           : decision == Decision::skipped || decision == Decision::holdout
                               ? JobState::skipped
                               : JobState::cancelled;
    auto closed = jobs_.close(j.id, state, t, reason_code(reason));
    if (!closed) return closed.error();
    if (!*closed) return {};  // decided already (earlier in this round)
  }
  DecisionInput d;
  d.job_id = j.id;
  d.customer_id = j.customer_id;
  d.rule_id = j.rule_id;
  d.action = j.action;
  d.channel = j.channel;
  d.at = t;
  d.decision = decision;
  d.reason = reason;
  d.detail = std::move(detail);
  d.until = until;
  d.message_id = message_id;
  d.task_id = task_id;
  if (auto s = log_.record(d); !s) return s;
  if (decision == Decision::deferred) return {};
  if (const Rule* r = rule(j.rule_id)) return after_final(*r, j);
  return {};
}

Status Engine::after_final(const Rule& r, const Job& j) {
  if (r.trigger.kind != TriggerKind::birthday) return {};
  // Once a year: the next birthday is planned as soon as this one is decided.
  auto facts = load_plan_facts(j.customer_id);
  if (!facts) return facts.error();
  if (!*facts) return {};
  const int year = std::stoi(j.occurrence.substr(j.occurrence.find(':') + 1));
  return plan_birthday(r, **facts, year + 1, false);
}

Result<CapCheck> Engine::cap_check(const Rule& r, const Job& j, const FireFacts& f, Seconds t) {
  const auto& cap = settings_.cap;
  auto recent = messages_.recent(j.customer_id, t - cap.window);
  if (!recent) return recent.error();
  std::vector<Seconds> contacts;
  for (const auto& [when, rule_id] : *recent) {
    const Rule* other = rule(rule_id);
    if (other == nullptr || other->guards.cap) contacts.push_back(when);
  }
  auto pending = jobs_.pending_of(j.customer_id);
  if (!pending) return pending.error();
  std::vector<Seconds> reserved;
  for (const Job& p : *pending) {
    if (p.id == j.id || p.priority <= r.priority || p.due_at <= t || p.due_at > t + cap.window) continue;
    const Rule* other = rule(p.rule_id);
    // Only actions that will count: their rule runs, obeys the cap and can reach the customer.
    if (other == nullptr || !other->guards.cap) continue;
    if (check_reachable(other->action.channel, f.contact) ||
        check_consent(other->action.channel, other->action.kind, f.contact, settings_.consent) ||
        in_holdout(other->id, j.customer_id, holdout_percent(*other)))
      continue;
    reserved.push_back(p.due_at);
  }
  return check_cap(cap, t, contacts, reserved);
}

Status Engine::fire_one(const Job& j, Seconds t, FireReport& report) {
  const auto cancel = [&](Reason reason, std::string detail) {
    ++report.cancelled;
    return decide(j, Decision::cancelled, reason, std::move(detail));
  };
  const auto skip = [&](Reason reason, std::string detail) {
    ++report.skipped;
    return decide(j, Decision::skipped, reason, std::move(detail));
  };
  const Rule* r = rule(j.rule_id);
  if (r == nullptr) return cancel(Reason::rule_off, "the rule " + j.rule_id + " is not running any more");
  auto loaded = load_fire_facts(j.customer_id);
  if (!loaded) return loaded.error();
  if (!*loaded) return cancel(Reason::customer_gone, "the customer record is gone");
  const FireFacts& f = **loaded;
  if (f.plan.erased) {
    return cancel(Reason::erased,
                  "the customer's personal data was erased (customers forget): nothing "
                  "is sent to them");
  }

  // The rule, checked again against the ledger as it is now.
  auto lapse = trigger_lapse(*r, j, f);
  if (!lapse) return lapse.error();
  if (*lapse) return cancel((*lapse)->reason, (*lapse)->detail);
  if (r->guards.cancel_if_bought && f.plan.last_at && *f.plan.last_at > j.occurred_at) {
    return cancel(Reason::bought,
                  "the customer bought on " + zone_.readable(*f.plan.last_at) + ", after the trigger");
  }
  if (!r->conditions.empty()) {
    auto ok = matches(r->conditions, j.customer_id);
    if (!ok) return ok.error().within("rule " + r->id + " conditions");
    if (!*ok) return cancel(Reason::condition, "its conditions no longer hold: " + r->conditions);
  }

  // The guards.
  const auto lateness = r->guards.max_lateness;
  if (too_late(j.planned_at, t, lateness)) {
    return skip(Reason::late, "found " + describe_duration(t - j.planned_at) +
                                  " after its planned moment, more than its maximum lateness of " +
                                  describe_duration(lateness) +
                                  " (the agent was not running, or the clock jumped)");
  }
  const ContactChannel channel = r->action.channel;
  if (auto v = check_reachable(channel, f.contact)) return skip(v->reason, v->detail);
  if (auto v = check_consent(channel, r->action.kind, f.contact, settings_.consent))
    return skip(v->reason, v->detail);
  if (r->action.kind == ActionKind::message && r->guards.quiet_hours) {
    if (auto until = quiet_until(settings_.quiet, t, zone_)) {
      const std::string window =
          format_time_of_day(settings_.quiet.start) + "-" + format_time_of_day(settings_.quiet.end);
      if (too_late(j.planned_at, *until, lateness)) {
        return skip(Reason::quiet_hours, "quiet hours (" + window + ") end at " + zone_.readable(*until) +
                                             ", past its maximum lateness of " + describe_duration(lateness));
      }
      ++report.deferred;
      return decide(j, Decision::deferred, Reason::quiet_hours,
                    "quiet hours (" + window + ") until " + zone_.readable(*until), *until);
    }
  }
  if (r->guards.cap && settings_.cap.enabled()) {
    auto check = cap_check(*r, j, f, t);
    if (!check) return check.error();
    if (!check->allowed) {
      if (too_late(j.planned_at, check->retry_at, lateness)) {
        return skip(Reason::cap, check->why + "; room comes at " + zone_.readable(check->retry_at) +
                                     ", past its maximum lateness of " + describe_duration(lateness));
      }
      ++report.deferred;
      return decide(j, Decision::deferred, Reason::cap,
                    check->why + "; until " + zone_.readable(check->retry_at), check->retry_at);
    }
  }

  // Everything held: a customer of the control group gets nothing, decided at the very moment the
  // others are sent to, so that the two groups are alike but for the action.
  if (const int percent = holdout_percent(*r); in_holdout(r->id, j.customer_id, percent)) {
    ++report.held_out;
    return decide(j, Decision::holdout, Reason::holdout,
                  "in the rule's control group (" + std::to_string(percent) +
                      "% of its customers): nothing is sent, so that its effect can be measured");
  }

  // Fire: the action is written; a message is an intent until a channel takes it.
  const std::int64_t today = zone_.day(t);
  const TemplateValues values = [&](std::string_view key) -> std::optional<std::string> {
    if (key == "first_name") {
      if (!f.name) return std::nullopt;
      return std::string(first_name(*f.name));
    }
    if (key == "name") return f.name;
    if (key == "store") return settings_.store_name;
    if (key == "purchases") return std::to_string(f.plan.purchases);
    if (key == "days_since_last") {
      if (!f.plan.last_at) return std::nullopt;
      return std::to_string(std::max<std::int64_t>(0, today - zone_.day(*f.plan.last_at)));
    }
    if (key == "last_purchase") {
      if (!f.plan.last_at) return std::nullopt;
      return brazilian_date(zone_.day(*f.plan.last_at));
    }
    if (const std::string* link = settings_.links.find(key)) return *link;
    return std::nullopt;
  };
  std::string when;
  if (t - j.planned_at > std::chrono::minutes{1}) {
    when = " (" + describe_duration(t - j.planned_at) + " after its planned moment)";
  }
  const Language language = settings_.language;
  const std::string text = render_template(r->action.text, values, language);
  ++report.fired;
  if (r->action.kind == ActionKind::message) {
    NewMessage m;
    m.job_id = j.id;
    m.customer_id = j.customer_id;
    m.rule_id = r->id;
    m.channel = std::string(contact_channel_name(channel));
    m.recipient = *recipient(channel, f.contact);
    if (channel == ContactChannel::email) m.subject = render_template(r->action.subject, values, language);
    m.body = text;
    auto id = messages_.record_intent(m, t);
    if (!id) return id.error();
    ++report.messages;
    return decide(j, Decision::fired, Reason::due, m.channel + " to " + m.recipient + when, std::nullopt,
                  *id);
  }
  NewTask task;
  task.job_id = j.id;
  task.customer_id = j.customer_id;
  task.rule_id = r->id;
  task.title = render_template(r->action.title, values, language);
  task.instructions = render_template(r->action.instructions, values, language);
  task.channel = std::string(contact_channel_name(channel));
  task.text = text;
  if (auto link = task_link(channel, f.contact, text); !link.empty()) task.link = std::move(link);
  task.due_at = t + r->action.due_in;
  task.expires_at = t + r->action.expires_in;
  auto id = create_task(db_, task, t);
  if (!id) return id.error();
  ++report.tasks;
  return decide(j, Decision::fired, Reason::due,
                "task " + std::to_string(*id) + " for staff (" + task.channel + "), due " +
                    zone_.readable(task.due_at) + when,
                std::nullopt, std::nullopt, *id);
}

Result<FireReport> Engine::fire_due(int limit) {
  FireReport report;
  const Seconds t = now();
  auto expired = expire_due_tasks(db_, t);
  if (!expired) return expired.error();
  report.tasks_expired = static_cast<std::int64_t>(expired->size());
  // Each a decision of the task's job, so that `why` shows the task ended unanswered.
  for (const ExpiredTask& task : *expired) {
    DecisionInput d;
    d.job_id = task.job_id;
    d.customer_id = task.customer_id;
    d.rule_id = task.rule_id;
    d.action = "task";
    d.channel = task.channel;
    d.at = t;
    d.decision = Decision::cancelled;
    d.code = "task_expired";
    d.detail = "task " + std::to_string(task.id) + " for staff expired on " +
               zone_.readable(task.expires_at) + " while still open: nobody closed it in time";
    d.task_id = task.id;
    if (auto s = log_.record(d); !s) return s.error();
  }
  auto due = jobs_.due(t, limit);
  if (!due) return due.error();
  if (due->empty()) return report;
  // Filters call local_day(); their statements live only while it is installed.
  auto local_day = SqlLocalDay::install(db_, policy_.local_day);
  if (!local_day) return local_day.error();
  Status status;
  for (const Job& j : *due) {
    status = fire_one(j, t, report);
    if (!status) break;
  }
  filters_.clear();
  if (!status) return status.error();
  report.more = static_cast<int>(due->size()) == limit;
  return report;
}

}  // namespace regua
