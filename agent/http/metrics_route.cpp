#include "agent/http/metrics_route.hpp"

#include <mutex>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "agent/cli/sync_status.hpp"
#include "agent/http/api_auth.hpp"
#include "local/core/prometheus_text.hpp"
#include "local/ledger/migrations.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

class MetricsService {
 public:
  MetricsService(const AgentConfig& config, const Clock& clock, LoopIdle loop_idle)
      : config_(config), clock_(&clock), loop_idle_(std::move(loop_idle)) {}

  void metrics(const httplib::Request& req, httplib::Response& res);
  void healthz(httplib::Response& res);

 private:
  Result<std::string> render();
  // An empty string when the ledger takes a write; else what is wrong.
  std::string ledger_problem();

  std::mutex mutex_;  // one scrape at a time on the connection
  AgentConfig config_;
  const Clock* clock_;
  LoopIdle loop_idle_;
};

namespace {

// Runs `sql` and hands each row to `row`.
template <typename Row>
Status for_each_metric_row(sqlite::Db& db, const std::string& sql, Row&& row) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  for (;;) {
    auto more = stmt->step();
    if (!more) return more.error();
    if (!*more) return {};
    row(*stmt);
  }
}

}  // namespace

Result<std::string> MetricsService::render() {
  auto db = sqlite::Db::open(config_.ledger.path, sqlite::OpenMode::read_only);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA busy_timeout = 5000"); !s) return s.error();
  const auto now = clock_->now().time_since_epoch().count();
  PrometheusText out;

  // Sales per source: a scan of `sales` grouped by source (about 10 ms per 100,000 sales).
  out.family("regua_sales_ingested_total", "counter", "Sales taken from each source into the ledger.");
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> newest;
  auto s = for_each_metric_row(
      *db, "SELECT source, count(*), max(ingested_at), max(sold_at) FROM sales GROUP BY source",
      [&](const sqlite::Stmt& row) {
        const std::string source(row.text(0));
        out.sample("regua_sales_ingested_total", row.int64(1), {{"source", source}});
        newest.emplace_back(source, row.int64(2), row.int64(3));
      });
  if (!s) return s.error();
  out.family("regua_ingest_last_seconds", "gauge",
             "Seconds since each source last brought a sale into the ledger.");
  for (const auto& [source, ingested_at, sold_at] : newest)
    out.sample("regua_ingest_last_seconds", now - ingested_at, {{"source", source}});
  out.family("regua_ingest_lag_seconds", "gauge",
             "How far the newest sale of each source lagged behind the POS: taken at minus sold at.");
  for (const auto& [source, ingested_at, sold_at] : newest)
    out.sample("regua_ingest_lag_seconds", ingested_at - sold_at, {{"source", source}});

  out.family("regua_quarantined_total", "counter",
             "Inputs quarantined (not taken, with a reason) per source.");
  s = for_each_metric_row(*db, "SELECT source, count(*) FROM quarantine GROUP BY source",
                          [&](const sqlite::Stmt& row) {
                            out.sample("regua_quarantined_total", row.int64(1), {{"source", row.text(0)}});
                          });
  if (!s) return s.error();

  out.family(
      "regua_jobs", "gauge",
      "Rule jobs by state (pending, fired, skipped, cancelled) and, for skipped and cancelled, reason.");
  s = for_each_metric_row(
      *db,
      "SELECT state, CASE WHEN state IN ('skipped', 'cancelled') THEN coalesce(reason, '') ELSE '' END AS "
      "why, "
      "count(*) FROM jobs GROUP BY state, why",
      [&](const sqlite::Stmt& row) {
        out.sample("regua_jobs", row.int64(2), {{"state", row.text(0)}, {"reason", row.text(1)}});
      });
  if (!s) return s.error();
  out.family("regua_jobs_due", "gauge", "Pending rule jobs whose time has come.");
  auto due = db->prepare("SELECT count(*) FROM jobs WHERE state = 'pending' AND due_at <= ?1");
  if (!due) return due.error();
  due->bind(1, now);
  if (auto row = due->step(); !row) return row.error();
  out.sample("regua_jobs_due", due->int64(0));
  due->reset();

  out.family("regua_messages", "gauge",
             "Customer messages by channel and outcome (intent, sending, sent, failed, unknown, cancelled).");
  s = for_each_metric_row(
      *db, "SELECT channel, state, count(*) FROM messages GROUP BY channel, state",
      [&](const sqlite::Stmt& row) {
        out.sample("regua_messages", row.int64(2), {{"channel", row.text(0)}, {"state", row.text(1)}});
      });
  if (!s) return s.error();

  auto version = db->query_int("PRAGMA user_version");
  if (!version) return version.error();
  auto sync = gather_sync_status(config_, *db, static_cast<int>(*version), clock_->now());
  if (!sync) return sync.error();
  out.family("regua_outbox_records", "gauge", "Records waiting in the outbox for the hub's acknowledgement.");
  out.sample("regua_outbox_records", sync->waiting);
  out.family("regua_sync_lag_seconds", "gauge",
             "Seconds since the hub last held everything the store had (0: nothing waits).");
  out.sample("regua_sync_lag_seconds", sync->lag_s.value_or(0));
  out.family("regua_sync_connected", "gauge", "1 when the link to the hub's broker is up, with its state.");
  out.sample("regua_sync_connected", std::int64_t{sync->state == "connected" ? 1 : 0},
             {{"state", sync->configured ? sync->state : "not configured"}});
  out.family("regua_sync_parked_total", "counter", "Messages from the hub parked (not taken) with a reason.");
  out.sample("regua_sync_parked_total", sync->parked);

  out.family("regua_loop_idle_seconds", "gauge", "Seconds since the agent's event loop last ticked.");
  out.sample("regua_loop_idle_seconds", loop_idle_ ? loop_idle_() : 0.0);
  return out.text();
}

void MetricsService::metrics(const httplib::Request& req, httplib::Response& res) {
  if (!api_token_accepted(req, res, config_.http.token, "/metrics")) return;
  std::lock_guard lock(mutex_);
  auto text = render();
  if (!text) {
    reply_api_error(res, 503, "metrics: " + text.error().message);
    return;
  }
  res.status = 200;
  res.set_content(*text, std::string(kPrometheusContentType));
}

std::string MetricsService::ledger_problem() {
  auto db = sqlite::Db::open(config_.ledger.path, sqlite::OpenMode::read_write);
  if (!db) return "the ledger cannot be opened for writing: " + db.error().message;
  // A writer holds the lock for milliseconds; two seconds without it is a ledger that takes no write.
  if (auto s = db->exec("PRAGMA busy_timeout = 2000"); !s) return "the ledger: " + s.error().message;
  // BEGIN IMMEDIATE takes the write lock (waiting up to the busy timeout behind a writer) and
  // ROLLBACK gives it back: nothing is written.
  if (auto s = db->exec("BEGIN IMMEDIATE"); !s) return "the ledger takes no write: " + s.error().message;
  if (auto s = db->exec("ROLLBACK"); !s) return "the ledger takes no write: " + s.error().message;
  return "";
}

void MetricsService::healthz(httplib::Response& res) {
  std::lock_guard lock(mutex_);
  nlohmann::ordered_json problems = nlohmann::ordered_json::array();
  if (loop_idle_) {
    const double idle = loop_idle_();
    if (idle > kLoopStuckSeconds) {
      problems.push_back("the event loop has not ticked for " + std::to_string(static_cast<long>(idle)) +
                         " s: the agent is stuck; restart it and send its log to support");
    }
  }
  if (auto why = ledger_problem(); !why.empty()) problems.push_back(why);
  const bool ok = problems.empty();
  res.status = ok ? 200 : 503;
  nlohmann::ordered_json body{{"status", ok ? "ok" : "failing"}, {"store", config_.store.id}};
  if (!ok) body["problems"] = problems;
  res.set_content(body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                  "application/json");
}

Result<std::shared_ptr<MetricsService>> add_metrics_routes(httplib::Server& server, const AgentConfig& config,
                                                           const Clock& clock, LoopIdle loop_idle) {
  auto service = std::make_shared<MetricsService>(config, clock, std::move(loop_idle));
  std::weak_ptr<MetricsService> weak = service;
  server.Get("/metrics", [weak](const httplib::Request& req, httplib::Response& res) {
    if (auto self = weak.lock()) return self->metrics(req, res);
    res.status = 503;
  });
  server.Get("/healthz", [weak](const httplib::Request&, httplib::Response& res) {
    if (auto self = weak.lock()) return self->healthz(res);
    res.status = 503;
  });
  return service;
}

}  // namespace regua
