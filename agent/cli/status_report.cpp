#include "agent/cli/status_report.hpp"

#include <fmt/format.h>

#include "agent/cli/quality_report.hpp"
#include "agent/connectors/fiscal_folder.hpp"
#include "agent/platform/file_identity.hpp"
#include "local/core/timestamp.hpp"

namespace regua {
namespace {

constexpr int kRecentQuarantine = 10;

SourceStatus source_status(const SourceConfig& sc, const std::optional<FileCheckpoint>& cp) {
  SourceStatus s;
  s.name = sc.name;
  s.kind = std::string(source_kind_name(sc.kind));
  s.path = sc.path.string();
  s.checkpoint = cp;
  const auto facts = stat_path(sc.path);
  s.exists = facts.has_value();
  s.file_bytes = facts ? facts->size : 0;
  if (!facts) {
    s.state = "waiting for the file";
  } else if (!cp) {
    s.state = "not started";
    s.behind_bytes = facts->size;
  } else if (FileIdentity{cp->device, cp->inode} == facts->identity) {
    s.behind_bytes = std::max<std::int64_t>(0, facts->size - cp->byte_offset);
    s.state = s.behind_bytes == 0 ? "up to date" : "reading";
  } else {
    // Still finishing the file that was at the path before a rotation; the new one is all unread.
    s.behind_bytes = facts->size;
    s.state = "rotated";
  }
  return s;
}

// A folder of fiscal XML: how many of its files the ledger has not read yet.
SourceStatus folder_status(const SourceConfig& sc, sqlite::Db& db) {
  SourceStatus s;
  s.name = sc.name;
  s.kind = std::string(source_kind_name(sc.kind));
  s.path = sc.path.string();
  const auto backlog = unread_fiscal_files(sc.path, db);
  s.exists = backlog.exists;
  s.files_waiting = backlog.files;
  s.behind_bytes = backlog.bytes;
  s.state = !backlog.exists ? "waiting for the folder" : backlog.files == 0 ? "up to date" : "reading";
  return s;
}

std::string thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// Messages by state and receipt, and the refused callbacks (migration 8).
Status gather_channel_status(sqlite::Db& db, StatusReport& r) {
  for (const char* state : {"intent", "sending", "sent", "failed", "unknown", "cancelled"}) {
    auto n = db.query_int(std::string("SELECT count(*) FROM messages WHERE state = '") + state + "'");
    if (!n) return n.error();
    r.messages.emplace_back(state, *n);
  }
  for (const char* delivery : {"delivered", "read", "failed"}) {
    auto n = db.query_int(std::string("SELECT count(*) FROM messages WHERE delivery = '") + delivery + "'");
    if (!n) return n.error();
    r.deliveries.emplace_back(std::string(delivery) == "failed" ? "undelivered" : delivery, *n);
  }
  auto stmt =
      db.prepare("SELECT endpoint, reason, count, last_at FROM callback_refusals ORDER BY endpoint, reason");
  if (!stmt) return stmt.error();
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    r.callbacks_refused.push_back({std::string(stmt->text(0)), std::string(stmt->text(1)), stmt->int64(2),
                                   Seconds{std::chrono::seconds{stmt->int64(3)}}});
  }
  return {};
}

}  // namespace

Result<StatusReport> gather_status(const AgentConfig& config, Ledger& ledger) {
  StatusReport r;
  r.store_id = config.store.id;
  r.store_name = config.store.name;
  r.timezone = config.store.timezone;
  r.ledger_path = ledger.path().string();
  r.schema_version = ledger.schema_version();
  std::error_code ec;
  r.ledger_bytes = static_cast<std::int64_t>(std::filesystem::file_size(ledger.path(), ec));
  if (ec) r.ledger_bytes = 0;

  // Counts and positions are read in one transaction so that they describe the same moment.
  if (auto s = ledger.db().exec("BEGIN"); !s) return s.error();
  auto counts = count_ledger(ledger.db());
  auto checkpoints =
      counts ? list_checkpoints(ledger.db()) : Result<std::vector<FileCheckpoint>>(counts.error());
  auto quarantine = checkpoints ? recent_quarantine(ledger.db(), kRecentQuarantine)
                                : Result<std::vector<QuarantinedInput>>(checkpoints.error());
  auto quality = quarantine ? measure_quality(ledger.db()) : Result<DataQuality>(quarantine.error());
  // A ledger older than the rules' migration (read-only here, so never upgraded) has no tasks yet.
  constexpr int kRulesSchema = 6;
  auto tasks = !quality || r.schema_version < kRulesSchema ? Result<TaskCounts>(TaskCounts{})
                                                           : count_tasks(ledger.db(), ledger.clock().now());
  auto waiting = !tasks || r.schema_version < kRulesSchema
                     ? Result<std::int64_t>(std::int64_t{0})
                     : ledger.db().query_int("SELECT count(*) FROM messages WHERE state = 'intent'");
  constexpr int kChannelsSchema = 8;
  auto channels =
      !waiting || r.schema_version < kChannelsSchema ? Status{} : gather_channel_status(ledger.db(), r);
  (void)ledger.db().exec("COMMIT");
  if (!quality) return quality.error();
  if (!tasks) return tasks.error();
  if (!waiting) return waiting.error();
  if (!channels) return channels.error();
  r.tasks = *tasks;
  r.messages_waiting = *waiting;
  r.quality = std::move(*quality);
  r.counts = *counts;
  r.recent_quarantine = std::move(*quarantine);
  for (const SourceConfig& sc : config.sources) {
    std::optional<FileCheckpoint> cp;
    for (const auto& c : *checkpoints) {
      if (c.source == sc.name) cp = c;
    }
    r.sources.push_back(sc.kind == SourceKind::nfe ? folder_status(sc, ledger.db()) : source_status(sc, cp));
  }
  return r;
}

std::string render_status_text(const StatusReport& r) {
  const auto& c = r.counts;
  std::string out = fmt::format("Régua agent · store {} ({}) · {}\n", r.store_id, r.store_name, r.timezone);
  out += fmt::format("  ledger      {} (schema {}, {:.1f} MB)\n", r.ledger_path, r.schema_version,
                     static_cast<double>(r.ledger_bytes) / 1e6);
  out += fmt::format("  sales       {} ({} cancelled, {} anonymous", thousands(c.sales),
                     thousands(c.cancelled), thousands(c.anonymous_sales));
  if (c.pending_cancels > 0)
    out += fmt::format(", {} cancellation(s) waiting for their sale", c.pending_cancels);
  out += ")\n";
  out += fmt::format("  customers   {}\n", thousands(c.customers));
  out += fmt::format("  quarantined {} line(s)\n", thousands(c.quarantined));
  out += fmt::format("  outbox      {} record(s) waiting\n", thousands(c.outbox_depth));
  out += fmt::format("  quality     {}\n", render_quality_line(r.quality));
  out += fmt::format("  tasks       {} open, {} overdue{}\n", thousands(r.tasks.open),
                     thousands(r.tasks.overdue), r.tasks.open > 0 ? " (`regua-agent tasks list`)" : "");
  if (r.messages_waiting > 0)
    out += fmt::format("  messages    {} waiting for the channel\n", thousands(r.messages_waiting));
  std::string sends;
  for (const auto& [state, n] : r.messages) {
    if (n > 0 && state != "intent")
      sends += fmt::format("{}{} {}", sends.empty() ? "" : ", ", thousands(n), state);
  }
  for (const auto& [delivery, n] : r.deliveries) {
    if (n > 0) sends += fmt::format("{}{} {}", sends.empty() ? "" : ", ", thousands(n), delivery);
  }
  if (!sends.empty()) out += "  sent        " + sends + "\n";
  std::int64_t refused = 0;
  for (const auto& callback : r.callbacks_refused)
    refused += callback.count;
  if (refused > 0) {
    out += fmt::format(
        "  callbacks   {} refused (unsigned, wrongly signed or unknown; `status --json` says which)\n",
        thousands(refused));
  }
  out += "Sources\n";
  for (const auto& s : r.sources) {
    out += fmt::format("  {} ({}) {}\n", s.name, s.kind, s.path);
    if (s.checkpoint) {
      out += fmt::format("      at line {}, byte {}; {}", thousands(s.checkpoint->line),
                         thousands(s.checkpoint->byte_offset), s.state);
    } else {
      out += "      " + s.state;
    }
    if (s.files_waiting > 0) out += fmt::format(" ({} file(s) not read yet)", thousands(s.files_waiting));
    if (s.behind_bytes > 0 && s.files_waiting < 0)
      out += fmt::format(" ({} bytes behind)", thousands(s.behind_bytes));
    out += "\n";
  }
  if (!r.recent_quarantine.empty()) {
    out += "Newest quarantined lines\n";
    for (const auto& q : r.recent_quarantine) {
      out += fmt::format("  {}:{}: {}\n", q.file, q.line, q.reason);
    }
  }
  return out;
}

namespace {

nlohmann::ordered_json channel_counts_json(const std::vector<std::pair<std::string, std::int64_t>>& counts) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [name, n] : counts)
    j[name] = n;
  return j;
}

}  // namespace

nlohmann::ordered_json render_status_json(const StatusReport& r) {
  using nlohmann::ordered_json;
  const auto& c = r.counts;
  ordered_json sources = ordered_json::array();
  for (const auto& s : r.sources) {
    ordered_json j{{"name", s.name},
                   {"kind", s.kind},
                   {"path", s.path},
                   {"exists", s.exists},
                   {"file_bytes", s.file_bytes}};
    j["position"] =
        s.checkpoint ? ordered_json{{"line", s.checkpoint->line}, {"byte_offset", s.checkpoint->byte_offset}}
                     : ordered_json{{"line", 0}, {"byte_offset", 0}};
    j["behind_bytes"] = s.behind_bytes;
    if (s.files_waiting >= 0) j["files_waiting"] = s.files_waiting;
    j["state"] = s.state;
    sources.push_back(std::move(j));
  }
  ordered_json refused = ordered_json::array();
  for (const auto& callback : r.callbacks_refused) {
    refused.push_back({{"endpoint", callback.endpoint},
                       {"reason", callback.reason},
                       {"count", callback.count},
                       {"last_at", format_utc(callback.last_at)}});
  }
  ordered_json quarantine = ordered_json::array();
  for (const auto& q : r.recent_quarantine) {
    quarantine.push_back({{"source", q.source},
                          {"file", q.file},
                          {"line", q.line},
                          {"byte_offset", q.byte_offset},
                          {"reason", q.reason},
                          {"at", format_utc(q.at)}});
  }
  return ordered_json{
      {"version", REGUA_VERSION},
      {"store", {{"id", r.store_id}, {"name", r.store_name}, {"timezone", r.timezone}}},
      {"ledger", {{"path", r.ledger_path}, {"schema_version", r.schema_version}, {"bytes", r.ledger_bytes}}},
      {"sales", c.sales},
      {"cancelled", c.cancelled},
      {"anonymous_sales", c.anonymous_sales},
      {"pending_cancels", c.pending_cancels},
      {"customers", c.customers},
      {"quarantined", c.quarantined},
      {"outbox_depth", c.outbox_depth},
      {"sources", std::move(sources)},
      {"recent_quarantine", std::move(quarantine)},
      {"quality", render_quality_json(r.quality)},
      {"tasks", {{"open", r.tasks.open}, {"overdue", r.tasks.overdue}}},
      {"messages_waiting", r.messages_waiting},
      {"messages", channel_counts_json(r.messages)},
      {"deliveries", channel_counts_json(r.deliveries)},
      {"callbacks_refused", std::move(refused)},
  };
}

}  // namespace regua
