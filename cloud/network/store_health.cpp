#include "cloud/network/store_health.hpp"

#include <algorithm>
#include <map>

namespace regua::hub {

Result<std::vector<StoreHealth>> network_health(HubStore& store, Seconds now,
                                                std::chrono::seconds default_silent_after) {
  std::map<std::string, StoreHealth> by_store;
  auto rows = store.stores();
  if (!rows) return rows.error();
  for (const auto& row : *rows) {
    auto& h = by_store[row.store];
    h.store = row.store;
    h.last_seen = row.last_seen;
    h.agent = row.agent;
    h.rules_version = row.rules_version;
    h.contiguous = row.contiguous;
    h.records = row.records;
    h.lost = row.lost;
  }
  auto profiles = store.store_profiles();
  if (!profiles) return profiles.error();
  std::map<std::string, std::optional<std::int64_t>> thresholds;
  for (const auto& p : *profiles) {
    auto& h = by_store[p.store];  // a store HQ registered before it ever connected
    h.store = p.store;
    h.name = p.name;
    h.region = p.region;
    h.format = p.format;
    thresholds[p.store] = p.silent_after_s;
  }
  auto beats = store.heartbeats();
  if (!beats) return beats.error();
  for (const auto& beat : *beats) {
    auto it = by_store.find(beat.store);
    if (it == by_store.end()) continue;
    const auto body = nlohmann::json::parse(beat.body, nullptr, false);
    if (!body.is_object()) continue;
    auto& h = it->second;
    h.heartbeat_at = beat.received_at;
    if (body.contains("outbox_waiting") && body["outbox_waiting"].is_number_integer())
      h.outbox_depth = body["outbox_waiting"].get<std::int64_t>();
    // Heartbeats are built when they are published, so this is the skew plus the transit time
    // (well under a second on a live link).
    if (body.contains("clock") && body["clock"].is_number_integer())
      h.clock_skew_s = body["clock"].get<std::int64_t>() - beat.received_at;
    if (body.contains("last_sale_at") && body["last_sale_at"].is_number_integer())
      h.last_sale_at = body["last_sale_at"].get<std::int64_t>();
    if (body.contains("oldest_waiting_at") && body.contains("clock") && body["clock"].is_number_integer()) {
      const auto& oldest = body["oldest_waiting_at"];
      if (oldest.is_null()) h.sync_lag_s = 0;
      if (oldest.is_number_integer())
        h.sync_lag_s =
            std::max<std::int64_t>(0, body["clock"].get<std::int64_t>() - oldest.get<std::int64_t>());
    }
    h.behind = h.contiguous < beat.seq;
  }
  const auto now_s = now.time_since_epoch().count();
  std::vector<StoreHealth> out;
  out.reserve(by_store.size());
  for (auto& [id, h] : by_store) {
    const auto t = thresholds.find(id);
    h.silent_after_s = t != thresholds.end() && t->second ? *t->second : default_silent_after.count();
    h.silent = !h.last_seen || now_s - *h.last_seen > h.silent_after_s;
    out.push_back(std::move(h));
  }
  return out;
}

nlohmann::json health_json(const StoreHealth& h) {
  auto optional = [](const std::optional<std::int64_t>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  return {{"store", h.store},
          {"name", h.name},
          {"region", h.region},
          {"format", h.format},
          {"last_seen", optional(h.last_seen)},
          {"agent", h.agent},
          {"rules_version", h.rules_version},
          {"contiguous", h.contiguous},
          {"records", h.records},
          {"lost", h.lost},
          {"heartbeat_at", optional(h.heartbeat_at)},
          {"outbox_depth", optional(h.outbox_depth)},
          {"clock_skew_s", optional(h.clock_skew_s)},
          {"last_sale_at", optional(h.last_sale_at)},
          {"sync_lag_s", optional(h.sync_lag_s)},
          {"behind", h.behind},
          {"silent_after_s", h.silent_after_s},
          {"silent", h.silent}};
}

}  // namespace regua::hub
