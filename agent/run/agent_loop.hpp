#pragma once
// The agent's event loop (`regua-agent run`): follows every configured source into the ledger,
// woken by file notifications and a safety timer, until SIGINT/SIGTERM or stop(). Everything runs
// on one thread; each chunk of input is committed whole, so stopping between two is always clean.
// With rules, the rule engine listens to the ingest and fires its jobs on the same thread
// (scheduler_timer.hpp); the channel sender calls the providers on its own thread
// (agent/channels/channel_sender.hpp).

#include <memory>

#include <boost/asio/io_context.hpp>

#include "agent/config/config.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {
struct StoreRules;
}

namespace regua {

class AgentLoop {
 public:
  // `rules` (may be null: ingest only) must outlive the loop.
  AgentLoop(const AgentConfig& config, Ledger& ledger, const Clock& clock, StoreRules* rules = nullptr);
  ~AgentLoop();
  AgentLoop(const AgentLoop&) = delete;
  AgentLoop& operator=(const AgentLoop&) = delete;

  // Runs until stopped. With `handle_signals`, SIGINT and SIGTERM stop it.
  Status run(bool handle_signals);
  // Safe from any thread.
  void stop();
  // Safe from any thread: another writer (the HTTP API) committed sales; the rules plan them at
  // once. Calls that come faster than the loop takes them are merged into one.
  void ledger_written_elsewhere();

  // For work that shares the loop's thread (the demo's POS writer).
  boost::asio::io_context& io();
  // Safe from any thread: seconds since the loop last ticked (it ticks at least every second while
  // it runs), for /healthz.
  [[nodiscard]] double seconds_since_tick() const;
  // True when every source has read all of its file (call on the loop's thread).
  [[nodiscard]] bool caught_up() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace regua
