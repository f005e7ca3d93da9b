#pragma once
// Keeps the ledger's segment events current while `regua-agent run` runs. It gives the Ingestor the
// store's segment policy, so that the cell changes a sale or a cancellation causes are recorded in
// the same transaction as the sale; and it records the changes that time alone causes (a last
// purchase aging past a limit) with refresh_segments(): when the loop starts, shortly after ingest
// commits, and every [segments] refresh_minutes.

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/config/config.hpp"
#include "local/analysis/lifecycle_matrix.hpp"
#include "local/ledger/ingest.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {

// The store's policy from its configuration; needs config.store.zone.
SegmentPolicy segment_policy(const AgentConfig& config);

class SegmentKeeper {
 public:
  SegmentKeeper(boost::asio::io_context& io, const AgentConfig& config, Ledger& ledger, const Clock& clock);
  SegmentKeeper(const SegmentKeeper&) = delete;
  SegmentKeeper& operator=(const SegmentKeeper&) = delete;

  // Attaches the policy to `ingestor` (which keeps a pointer: the keeper must not move), records
  // what changed while the agent was down, and starts the timer.
  Status start(Ingestor& ingestor);
  // Call after each pump of a source: a refresh follows within a second when ingest committed.
  void after_pump();

 private:
  void refresh(const char* why);
  void arm_timer();

  const AgentConfig& config_;
  Ledger& ledger_;
  const Clock& clock_;
  SegmentPolicy policy_;
  Ingestor* ingestor_ = nullptr;
  boost::asio::steady_timer timer_, soon_;
  bool soon_armed_ = false;
  IngestCounts seen_;
};

}  // namespace regua
