#include "sync/hub_clock.hpp"

#include <nlohmann/json.hpp>

#include "local/ledger/ledger_info.hpp"

namespace regua::sync {
namespace {

constexpr std::string_view kHubClockKey = "sync.hub_clock";

}  // namespace

Status record_hub_clock(sqlite::Db& db, const HubClockReading& reading) {
  const nlohmann::json j{{"hub", reading.hub.time_since_epoch().count()},
                         {"local", reading.local.time_since_epoch().count()}};
  return write_ledger_info(db, kHubClockKey, j.dump());
}

Result<std::optional<HubClockReading>> read_hub_clock(sqlite::Db& db) {
  auto text = read_ledger_info(db, kHubClockKey);
  if (!text) return text.error();
  if (!*text) return std::optional<HubClockReading>{};
  const auto j = nlohmann::json::parse(**text, nullptr, false);
  if (!j.is_object() || !j.contains("hub") || !j["hub"].is_number_integer() || !j.contains("local") ||
      !j["local"].is_number_integer()) {
    return std::optional<HubClockReading>{};  // written by another version: as if never heard
  }
  HubClockReading r;
  r.hub = Seconds{std::chrono::seconds{j["hub"].get<std::int64_t>()}};
  r.local = Seconds{std::chrono::seconds{j["local"].get<std::int64_t>()}};
  return std::optional<HubClockReading>{r};
}

}  // namespace regua::sync
