#pragma once
// Runs the rule engine on the agent's event loop (`regua-agent run`): one steady timer, armed for
// the engine's next wake-up, fires the due jobs and tells the channel sender that messages wait.
// Idle, the agent sleeps on that timer; nothing polls faster.
//
// - The ledger's Clock is the system clock, the timer a steady one: the wait is converted at every
//   arming and never longer than a minute, so a system clock stepped forward or back is noticed
//   within a minute (the engine then skips what is past its maximum lateness, with the reason).
// - That minute's re-check also runs the engine's catch-up: what came into the ledger without the
//   loop's Ingestor (import, the HTTP API), lifecycle cells entered with time, recurring campaigns.
// - A sale that plans an earlier job (a "1 hour after" message) re-arms the timer at once.
// - A firing is committed with a full sync before the sender reads its messages (DESIGN.md: send
//   intents), so a power cut can lose a message but never send one twice. The sender
//   (agent/channels/channel_sender.hpp) calls the providers on its own thread: a slow provider
//   never holds up this loop.

#include <chrono>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/channels/channel_sender.hpp"
#include "local/ledger/ledger.hpp"
#include "local/scheduler/engine.hpp"

namespace regua {

class SchedulerTimer {
 public:
  SchedulerTimer(boost::asio::io_context& io, Ledger& ledger, Engine& engine, ChannelSender& sender);
  SchedulerTimer(const SchedulerTimer&) = delete;
  SchedulerTimer& operator=(const SchedulerTimer&) = delete;

  // Records the rules in use, plans what happened while the agent was down, fires what is due and
  // arms the timer. Call once, outside a transaction, before the loop runs.
  Status start();
  // Call after each pump of a source (outside its transaction): a sale that planned a job due
  // before the timer's moment re-arms it.
  void after_pump();
  // Call when another writer (the HTTP API) has put sales in the ledger: plans them now rather
  // than at the next minute's re-check, so that "1 hour after" is as punctual as for a POS file.
  void replan_now();

  // The longest wait between two looks at the ledger and the clock.
  static constexpr std::chrono::seconds kRecheck{60};

 private:
  Status plan();
  Result<FireReport> fire();
  void deliver();
  void wake();
  void arm(std::optional<Seconds> at);
  void arm_next();

  Ledger& ledger_;
  Engine& engine_;
  ChannelSender& sender_;
  boost::asio::steady_timer timer_;
  std::optional<Seconds> armed_for_;  // the ledger-clock moment the timer waits for
  std::chrono::steady_clock::time_point last_plan_{};
  bool idle_wake_ = false;  // the last wake found nothing to do although something was due
};

}  // namespace regua
