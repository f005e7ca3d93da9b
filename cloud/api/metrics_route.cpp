#include "cloud/api/metrics_route.hpp"

#include "cloud/api/api_reply.hpp"
#include "local/core/prometheus_text.hpp"

namespace regua::hub {

void ApiMetrics::count(int status) {
  std::lock_guard lock(mutex_);
  ++by_status_[status];
}

void ApiMetrics::serve(ApiContext& api, httplib::Response& res) {
  auto stores = api.health();
  if (!stores) return reply_database_failed(res, stores.error());
  auto parked = api.store.parked_count();
  if (!parked) return reply_database_failed(res, parked.error());
  std::int64_t records = 0, silent = 0, behind = 0;
  for (const auto& s : *stores) {
    records += s.records;
    silent += s.silent ? 1 : 0;
    behind += s.behind ? 1 : 0;
  }
  PrometheusText t;
  t.family("regua_hub_stores", "gauge", "Stores the hub knows (seen or profiled).");
  t.sample("regua_hub_stores", static_cast<std::int64_t>(stores->size()));
  t.family("regua_hub_stores_silent", "gauge", "Stores not heard from for longer than their threshold.");
  t.sample("regua_hub_stores_silent", silent);
  t.family("regua_hub_stores_behind", "gauge",
           "Stores whose records before their newest heartbeat are missing.");
  t.sample("regua_hub_stores_behind", behind);
  // Per store, from its newest heartbeat (absent until one came): what HQ alerts on.
  t.family("regua_hub_store_sync_lag_seconds", "gauge",
           "How long the store's oldest record not yet acknowledged by the hub has waited.");
  for (const auto& s : *stores) {
    if (s.sync_lag_s) t.sample("regua_hub_store_sync_lag_seconds", *s.sync_lag_s, {{"store", s.store}});
  }
  t.family("regua_hub_store_outbox_records", "gauge", "Records waiting at the store for the hub's ack.");
  for (const auto& s : *stores) {
    if (s.outbox_depth) t.sample("regua_hub_store_outbox_records", *s.outbox_depth, {{"store", s.store}});
  }
  t.family("regua_hub_records", "gauge", "Records stored in the hub database, every store.");
  t.sample("regua_hub_records", records);
  t.family("regua_hub_parked_messages", "gauge", "Messages the hub could not take, kept with the reason.");
  t.sample("regua_hub_parked_messages", *parked);
  if (counters_ != nullptr) {
    const auto c = counters_->snapshot();
    t.family("regua_hub_ingest_batches_total", "counter", "Batches this hub process stored.");
    t.sample("regua_hub_ingest_batches_total", c.batches);
    t.family("regua_hub_ingest_records_total", "counter", "Records new to the hub this process stored.");
    t.sample("regua_hub_ingest_records_total", c.records);
    t.family("regua_hub_ingest_duplicates_total", "counter", "Records this process received again.");
    t.sample("regua_hub_ingest_duplicates_total", c.duplicates);
    t.family("regua_hub_ingest_parked_total", "counter", "Messages this process parked.");
    t.sample("regua_hub_ingest_parked_total", c.parked);
    t.family("regua_hub_ingest_resend_requests_total", "counter",
             "Resend requests this process sent stores.");
    t.sample("regua_hub_ingest_resend_requests_total", c.resends);
  }
  t.family("regua_hub_api_requests_total", "counter",
           "HQ API answers by HTTP status (this one not yet counted).");
  {
    std::lock_guard lock(mutex_);
    for (const auto& [status, n] : by_status_) {
      const auto code = std::to_string(status);
      t.sample("regua_hub_api_requests_total", n, {{"code", code}});
    }
  }
  res.set_content(t.text(), std::string(kPrometheusContentType));
}

}  // namespace regua::hub
