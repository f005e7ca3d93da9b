#pragma once
// The HQ API's /metrics (docs/hub-api.md): Prometheus text with the stores' health, the hub
// database's size, the ingest's counters and the API's own answers by status.

#include <cstdint>
#include <map>
#include <mutex>

#include <httplib.h>

#include "cloud/api/api_context.hpp"
#include "cloud/ingest/hub_ingest.hpp"

namespace regua::hub {

class ApiMetrics {
 public:
  explicit ApiMetrics(const HubCounters* counters) : counters_(counters) {}  // may be null

  // One answer of the API (any thread).
  void count(int status);
  void serve(ApiContext& api, httplib::Response& res);

 private:
  const HubCounters* counters_;
  std::mutex mutex_;
  std::map<int, std::int64_t> by_status_;
};

}  // namespace regua::hub
