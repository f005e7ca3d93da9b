#include "agent/run/scheduler_timer.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "local/ledger/durable_commits.hpp"

namespace regua {
namespace {

// After a failure (the disk, a lock held too long): try again this soon.
constexpr std::chrono::seconds kRetry{5};

}  // namespace

SchedulerTimer::SchedulerTimer(boost::asio::io_context& io, Ledger& ledger, Engine& engine,
                               ChannelSender& sender)
    : ledger_(ledger), engine_(engine), sender_(sender), timer_(io) {}

Status SchedulerTimer::start() {
  {
    auto txn = sqlite::Transaction::begin(ledger_.db());
    if (!txn) return txn.error();
    if (auto s = engine_.activate(); !s) return s.error().within("starting the rules");
    if (auto s = txn->commit(); !s) return s;
  }
  if (auto s = plan(); !s) return s.error().within("planning the rules");
  const auto& rules = engine_.settings().rules;
  spdlog::info("rules: {} running; messages: {}", rules.size(), sender_.description());
  if (auto fired = fire(); !fired) return fired.error().within("firing the due rules");
  deliver();
  arm_next();
  return {};
}

Status SchedulerTimer::plan() {
  last_plan_ = std::chrono::steady_clock::now();
  for (;;) {
    auto txn = sqlite::Transaction::begin(ledger_.db());
    if (!txn) return txn.error();
    auto report = engine_.catch_up();
    if (!report) return report.error();
    if (auto s = txn->commit(); !s) return s;
    for (const auto& note : report->notes)
      spdlog::info("rules: {}", note);
    if (report->cold || report->planned > 0 || report->cancelled > 0) {
      spdlog::info("rules: {} job(s) planned, {} cancelled for {} customer(s){}", report->planned,
                   report->cancelled, report->customers,
                   report->cold ? " (first planning of this ledger)" : "");
    }
    if (!report->more) return {};
  }
}

Result<FireReport> SchedulerTimer::fire() {
  FireReport total;
  for (;;) {
    // Created outside the transaction: the commit of a firing reaches the disk before the sender
    // reads its messages.
    DurableCommits durable(ledger_);
    if (!durable.status()) return durable.status().error().within("raising the ledger's sync level");
    auto txn = sqlite::Transaction::begin(ledger_.db());
    if (!txn) return txn.error();
    auto report = engine_.fire_due();
    if (!report) return report.error();
    if (auto s = txn->commit(); !s) return s.error();
    total.fired += report->fired;
    total.deferred += report->deferred;
    total.skipped += report->skipped;
    total.cancelled += report->cancelled;
    total.messages += report->messages;
    total.tasks += report->tasks;
    total.tasks_expired += report->tasks_expired;
    if (!report->more) break;
  }
  if (total.fired + total.deferred + total.skipped + total.cancelled + total.tasks_expired > 0) {
    spdlog::info(
        "rules: {} fired ({} message(s), {} task(s)), {} deferred, {} skipped, {} cancelled, {} task(s) "
        "expired; `regua-agent why CUSTOMER` tells why",
        total.fired, total.messages, total.tasks, total.deferred, total.skipped, total.cancelled,
        total.tasks_expired);
  }
  return total;
}

void SchedulerTimer::deliver() {
  sender_.wake();
}

void SchedulerTimer::wake() {
  armed_for_.reset();
  bool failed = false;
  if (std::chrono::steady_clock::now() - last_plan_ >= kRecheck) {
    if (auto s = plan(); !s) {
      spdlog::error("rules: planning failed: {}; trying again in {} s", s.error().message, kRetry.count());
      failed = true;
    }
  }
  auto fired = fire();
  if (!fired) {
    spdlog::error("rules: firing failed: {}; trying again in {} s", fired.error().message, kRetry.count());
    failed = true;
  }
  // Also after a failed firing: the intents committed before it still go out.
  deliver();
  if (failed) {
    arm(ledger_.clock().now() + kRetry);
    return;
  }
  idle_wake_ = fired->fired + fired->deferred + fired->skipped + fired->cancelled + fired->tasks_expired == 0;
  arm_next();
}

void SchedulerTimer::arm_next() {
  auto next = engine_.next_wake();
  if (!next) {
    spdlog::error("rules: {}; looking again in {} s", next.error().message, kRetry.count());
    arm(ledger_.clock().now() + kRetry);
    return;
  }
  arm(*next);
}

void SchedulerTimer::arm(std::optional<Seconds> at) {
  const Seconds now = ledger_.clock().now();
  auto wait = at ? std::chrono::seconds(*at - now) : kRecheck;
  // A job due now that the last wake could not take (it fired nothing) must not spin the loop.
  wait = std::clamp(wait, idle_wake_ ? std::chrono::seconds{1} : std::chrono::seconds{0}, kRecheck);
  armed_for_ = now + wait;
  timer_.expires_after(wait);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed or stopped
    wake();
  });
}

void SchedulerTimer::replan_now() {
  last_plan_ = {};
  idle_wake_ = false;
  wake();
}

void SchedulerTimer::after_pump() {
  const auto planned = engine_.take_earliest_planned();
  if (!planned || (armed_for_ && *planned >= *armed_for_)) return;
  idle_wake_ = false;
  arm(*planned);
}

}  // namespace regua
