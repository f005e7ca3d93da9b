#include "agent/cli/sync_status.hpp"

#include <fmt/format.h>

#include "local/core/timestamp.hpp"
#include "local/ledger/outbox.hpp"

namespace regua {
namespace {

constexpr int kSyncSchema = 10;

Result<std::optional<std::string>> sync_info(sqlite::Db& db, std::string_view key) {
  auto stmt = db.prepare("SELECT value FROM ledger_info WHERE key = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, key);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>{};
  std::optional<std::string> value(std::string(stmt->text(0)));
  stmt->reset();
  return value;
}

nlohmann::ordered_json time_or_null(const std::optional<Seconds>& t) {
  return t ? nlohmann::ordered_json(format_utc(*t)) : nlohmann::ordered_json(nullptr);
}

}  // namespace

Result<SyncStatus> gather_sync_status(const AgentConfig& config, sqlite::Db& db, int schema_version,
                                      Seconds now) {
  SyncStatus s;
  s.configured = config.sync && config.sync->enabled;
  if (config.sync) {
    s.broker = config.sync->settings.url;
    s.network = config.sync->settings.network;
  }
  if (schema_version < kSyncSchema) return s;
  auto depth = outbox_depth(db);
  if (!depth) return depth.error();
  s.waiting = depth->waiting;
  auto ack = outbox_ack(db);
  if (!ack) return ack.error();
  s.acked = ack->seq;
  s.acked_at = ack->at;
  if (s.waiting > 0 && s.acked_at) s.lag_s = std::max<std::int64_t>(0, (now - *s.acked_at).count());
  if (s.waiting == 0) s.lag_s = 0;
  auto link = sync_info(db, "sync.link");
  if (!link) return link.error();
  if (*link) {
    const auto j = nlohmann::json::parse(**link, nullptr, false);
    if (j.is_object()) {
      s.state = j.value("state", s.state);
      if (j.contains("since") && j["since"].is_number_integer())
        s.state_since = Seconds{std::chrono::seconds{j["since"].get<std::int64_t>()}};
      s.error = j.value("error", std::string{});
    }
  }
  auto alarm = sync_info(db, "sync.alarm");
  if (!alarm) return alarm.error();
  s.alarm = alarm->value_or("");
  auto parked = db.query_int("SELECT count(*) FROM sync_parked");
  if (!parked) return parked.error();
  s.parked = *parked;
  auto version = db.query_int("SELECT coalesce(max(version), 0) FROM rule_packs WHERE status = 'applied'");
  if (!version) return version.error();
  s.rules_version = *version;
  auto refused = db.prepare(
      "SELECT count(*), (SELECT reason FROM rule_packs WHERE status = 'refused' ORDER BY id DESC "
      "LIMIT 1) FROM rule_packs WHERE status = 'refused'");
  if (!refused) return refused.error();
  auto row = refused->step();
  if (!row) return row.error();
  s.rules_refused = refused->int64(0);
  s.last_refusal = refused->optional_text(1).value_or("");
  refused->reset();
  return s;
}

nlohmann::ordered_json render_sync_json(const SyncStatus& s) {
  return nlohmann::ordered_json{
      {"configured", s.configured},
      {"broker", s.broker},
      {"network", s.network},
      {"state", s.state},
      {"state_since", time_or_null(s.state_since)},
      {"error", s.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.error)},
      {"outbox_depth", s.waiting},
      {"last_ack", {{"seq", s.acked}, {"at", time_or_null(s.acked_at)}}},
      {"lag_s", s.lag_s ? nlohmann::ordered_json(*s.lag_s) : nlohmann::ordered_json(nullptr)},
      {"alarm", s.alarm.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.alarm)},
      {"parked", s.parked},
      {"rule_pack", {{"version", s.rules_version}, {"refused", s.rules_refused}}},
  };
}

std::string render_sync_text(const SyncStatus& s) {
  if (!s.configured) {
    return fmt::format("  sync        off ({} record(s) kept for a hub; [sync] in docs/config.md)\n",
                       s.waiting);
  }
  std::string out = fmt::format("  sync        {} to {} ({} record(s) waiting, acked up to {}", s.state,
                                s.broker, s.waiting, s.acked);
  if (s.lag_s && *s.lag_s > 0) out += fmt::format(", {} s behind", *s.lag_s);
  out += ")\n";
  if (!s.error.empty()) out += fmt::format("              last error: {}\n", s.error);
  if (!s.alarm.empty()) out += fmt::format("  ALARM       {}\n", s.alarm);
  if (s.parked > 0) out += fmt::format("              {} message(s) from the hub parked\n", s.parked);
  if (s.rules_version > 0 || s.rules_refused > 0) {
    out += fmt::format("  rule pack   version {} in force", s.rules_version);
    if (s.rules_refused > 0) out += fmt::format("; {} refused (newest: {})", s.rules_refused, s.last_refusal);
    out += "\n";
  }
  return out;
}

}  // namespace regua
