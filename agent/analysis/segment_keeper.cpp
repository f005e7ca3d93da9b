#include "agent/analysis/segment_keeper.hpp"

#include <spdlog/spdlog.h>

#include "agent/analysis/store_days.hpp"
#include "local/analysis/segment_events.hpp"

namespace regua {
namespace {

// A burst of commits leads to one refresh.
constexpr std::chrono::seconds kAfterCommit{1};

bool changed(const IngestCounts& a, const IngestCounts& b) {
  return a.sales_added != b.sales_added || a.cancels_applied != b.cancels_applied ||
         a.customer_updates != b.customer_updates;
}

}  // namespace

SegmentPolicy segment_policy(const AgentConfig& config) {
  SegmentPolicy p;
  p.thresholds = config.segments.thresholds;
  p.language = config.segments.language;
  p.local_day = store_local_day(*config.store.zone);
  return p;
}

SegmentKeeper::SegmentKeeper(boost::asio::io_context& io, const AgentConfig& config, Ledger& ledger,
                             const Clock& clock)
    : config_(config),
      ledger_(ledger),
      clock_(clock),
      policy_(segment_policy(config)),
      timer_(io),
      soon_(io) {}

Status SegmentKeeper::start(Ingestor& ingestor) {
  ingestor_ = &ingestor;
  ingestor.stats().use_policy(&policy_);
  seen_ = ingestor.committed();
  auto report = refresh_segments(ledger_.db(), policy_, clock_);
  if (!report) return report.error();
  if (report->recorded > 0 || report->full) {
    spdlog::info("segments: {} customer(s) looked at, {} moved to another lifecycle cell", report->evaluated,
                 report->recorded);
  }
  arm_timer();
  return {};
}

void SegmentKeeper::after_pump() {
  if (ingestor_ == nullptr || soon_armed_ || !changed(ingestor_->committed(), seen_)) return;
  soon_armed_ = true;
  soon_.expires_after(kAfterCommit);
  soon_.async_wait([this](const boost::system::error_code& ec) {
    soon_armed_ = false;
    if (ec) return;
    seen_ = ingestor_->committed();
    refresh("after ingest");
  });
}

void SegmentKeeper::refresh(const char* why) {
  auto report = refresh_segments(ledger_.db(), policy_, clock_);
  if (!report) {
    // The next timer or commit tries again; nothing is lost, the changes are still there to record.
    spdlog::error("segments: {} ({}); trying again later", report.error().message, why);
    return;
  }
  if (report->recorded > 0) {
    spdlog::debug("segments: {} customer(s) moved to another lifecycle cell ({})", report->recorded, why);
  }
}

void SegmentKeeper::arm_timer() {
  timer_.expires_after(std::chrono::minutes(config_.segments.refresh_minutes));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    refresh("timer");
    arm_timer();
  });
}

}  // namespace regua
