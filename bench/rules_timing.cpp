// regua-bench-rules: what the rule engine costs, on a ledger bench/rules generated. The rules are
// the store's as `run` builds them (agent/rules/store_rules.hpp: the default pack, the [links] that
// turn on all eight rules, quiet hours, cap and the store's zone). Subcommands, one process each so
// that each peak RSS (VmHWM) is its own:
//   schedule  Engine::create, activate() and catch_up() in batches until done, on a cold ledger;
//   sales     the cost per new sale through the Ingestor, without and then with the Engine as its
//             listener (a transaction per sale by default, as a live agent at a low rate commits);
//   simulate  simulate() over [--from, --to] (store-local days), counting decisions and fired ones;
//   feed      appends sales to the POS file a running agent follows at --rate per second and
//             polls the ledger (read-only) for when each became visible: the lag.
// Prints "name value" lines for the script; asserts nothing.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <date/date.h>
#include <unistd.h>

#include "agent/config/config.hpp"
#include "agent/connectors/jsonl_decoder.hpp"
#include "agent/connectors/line_decoder.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "agent/rules/store_rules.hpp"
#include "local/ledger/ingest.hpp"
#include "local/ledger/ledger.hpp"
#include "local/scheduler/engine.hpp"
#include "local/scheduler/simulation.hpp"

namespace {

using namespace regua;
using Steady = std::chrono::steady_clock;

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Peak resident set size of this process, in MiB (VmHWM).
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

int fail(const Error& e) {
  std::fprintf(stderr, "regua-bench-rules: %s\n", e.message.c_str());
  return 1;
}

// A sale line of the JSON Lines v1 format, store-local time at UTC-3 (the generated store's zone).
std::string sale_line(const std::string& id, std::int64_t customer, bool known, Seconds at) {
  const auto local = date::sys_seconds{at - std::chrono::hours(3)};
  const std::string ts = date::format("%FT%T", local) + "-03:00";
  char buf[512];
  if (known) {
    // A customer bench/rules generated: pos id C%08d, mobile 119%08d.
    std::snprintf(buf, sizeof buf,
                  R"({"type":"sale","id":"%s","ts":"%s","total":"%lld.%02lld","customer":{"id":"C%08lld",)"
                  R"("name":"Cliente %lld","phone":"119%08lld"}})",
                  id.c_str(), ts.c_str(), static_cast<long long>(20 + customer % 300),
                  static_cast<long long>(customer % 100), static_cast<long long>(customer),
                  static_cast<long long>(customer), static_cast<long long>(customer));
  } else {
    // A new customer, with a mobile of its own (area code 21, so none of the generated ones).
    std::snprintf(buf, sizeof buf,
                  R"({"type":"sale","id":"%s","ts":"%s","total":"45.90","customer":{"id":"N%08lld",)"
                  R"("name":"Novo %lld","phone":"219%08lld"}})",
                  id.c_str(), ts.c_str(), static_cast<long long>(customer), static_cast<long long>(customer),
                  static_cast<long long>(customer));
  }
  return buf;
}

// Every tenth sale by a new customer, the others by one of the generated ones (deterministic).
std::string nth_sale(const std::string& prefix, std::int64_t n, std::int64_t customers, Seconds at) {
  const auto h = static_cast<std::int64_t>((static_cast<std::uint64_t>(n) * 2654435761U) % 4294967291U);
  const bool known = n % 10 != 0;
  return sale_line(prefix + std::to_string(n), known ? 1 + h % customers : n, known, at);
}

struct Store {
  AgentConfig config;
  StoreRules rules;
};

Result<Store> load(const std::string& path) {
  auto config = load_config(path);
  if (!config) return config.error();
  auto rules = load_store_rules(*config);
  if (!rules) return rules.error();
  for (const auto& w : rules->warnings)
    std::fprintf(stderr, "warning: %s\n", w.c_str());
  return Store{std::move(*config), std::move(*rules)};
}

int schedule(const std::string& config_path, int batch) {
  auto store = load(config_path);
  if (!store) return fail(store.error());
  SystemClock clock;
  auto ledger =
      Ledger::open(LedgerOptions{store->config.ledger.path, store->config.store.id, false, false}, clock);
  if (!ledger) return fail(ledger.error());
  const auto start = Steady::now();
  const double cpu_start = cpu_seconds();
  auto engine = Engine::create(*ledger, store->rules.settings);
  if (!engine) return fail(engine.error());
  {
    auto txn = sqlite::Transaction::begin(ledger->db());
    if (!txn) return fail(txn.error());
    if (auto s = (*engine)->activate(); !s) return fail(s.error());
    if (auto s = txn->commit(); !s) return fail(s.error());
  }
  PlanReport total;
  int rounds = 0;
  for (;;) {
    auto txn = sqlite::Transaction::begin(ledger->db());
    if (!txn) return fail(txn.error());
    auto report = (*engine)->catch_up(batch);
    if (!report) return fail(report.error());
    if (auto s = txn->commit(); !s) return fail(s.error());
    ++rounds;
    total.cold = total.cold || report->cold;
    total.customers += report->customers;
    total.planned += report->planned;
    total.cancelled += report->cancelled;
    if (!report->more) break;
  }
  const double took = seconds_since(start);
  const double cpu = cpu_seconds() - cpu_start;
  // A second catch-up with nothing new: what the agent's minute re-check costs when idle.
  const auto again = Steady::now();
  {
    auto txn = sqlite::Transaction::begin(ledger->db());
    if (!txn) return fail(txn.error());
    auto report = (*engine)->catch_up(batch);
    if (!report) return fail(report.error());
    if (auto s = txn->commit(); !s) return fail(s.error());
  }
  const double idle_catch_up = seconds_since(again);
  auto pending = ledger->db().query_int("SELECT count(*) FROM jobs");
  std::printf("rules %zu\n", store->rules.settings.rules.size());
  std::printf("cold %d\nrounds %d\ncustomers %lld\nplanned %lld\ncancelled %lld\njobs_rows %lld\n",
              total.cold ? 1 : 0, rounds, static_cast<long long>(total.customers),
              static_cast<long long>(total.planned), static_cast<long long>(total.cancelled),
              static_cast<long long>(pending ? *pending : -1));
  std::printf("schedule_s %.3f\nschedule_cpu_s %.3f\nidle_catch_up_s %.4f\npeak_rss_mib %.1f\n", took, cpu,
              idle_catch_up, peak_rss_mib());
  return 0;
}

int sales(const std::string& config_path, std::int64_t n, std::int64_t customers, int batch) {
  auto store = load(config_path);
  if (!store) return fail(store.error());
  SystemClock clock;
  auto ledger =
      Ledger::open(LedgerOptions{store->config.ledger.path, store->config.store.id, false, false}, clock);
  if (!ledger) return fail(ledger.error());
  auto phones = LibphonenumberNormaliser::create(store->config.store.country);
  if (!phones) return fail(phones.error());
  auto in = Ingestor::create(*ledger, *phones);
  if (!in) return fail(in.error());
  JsonlDecoder decoder(store->config.store, clock);
  // Decoded beforehand: only the ledger's (and the engine's) work is timed. Sales of the last hour,
  // so that the live rules (rating-1h, welcome, ...) plan what they would.
  const auto decode = [&](const std::string& prefix) -> Result<std::vector<Event>> {
    std::vector<Event> events;
    const Seconds now = clock.now();
    for (std::int64_t i = 1; i <= n; ++i) {
      std::string line = nth_sale(prefix, i, customers, now - std::chrono::seconds(3600 * (n - i) / n));
      const std::size_t size = line.size();
      line.append(kLinePadding, ' ');
      auto e = decoder.decode(std::string_view(line).substr(0, size));
      if (!e) return e.error();
      if (*e) events.push_back(std::move(**e));
    }
    return events;
  };
  const auto run = [&](const char* name, const std::vector<Event>& events) -> int {
    const auto start = Steady::now();
    const double cpu_start = cpu_seconds();
    const auto before = in->committed().sales_added;
    for (std::size_t i = 0; i < events.size(); i += static_cast<std::size_t>(batch)) {
      if (auto s = in->begin(); !s) return fail(s.error());
      for (std::size_t j = i; j < std::min(events.size(), i + static_cast<std::size_t>(batch)); ++j) {
        if (auto s = in->apply(events[j], "bench"); !s) return fail(s.error());
      }
      if (auto s = in->commit(); !s) return fail(s.error());
    }
    const double took = seconds_since(start);
    const double cpu = cpu_seconds() - cpu_start;
    const auto added = static_cast<double>(in->committed().sales_added - before);
    std::printf("%s_sales %.0f\n%s_us_per_sale %.1f\n%s_cpu_us_per_sale %.1f\n", name, added, name,
                1e6 * took / added, name, 1e6 * cpu / added);
    return 0;
  };
  auto plain = decode("PB");
  if (!plain) return fail(plain.error());
  auto with = decode("PE");
  if (!with) return fail(with.error());
  if (int rc = run("without_engine", *plain); rc != 0) return rc;

  auto engine = Engine::create(*ledger, store->rules.settings);
  if (!engine) return fail(engine.error());
  // As `run` starts: activate and catch up (which plans the sales just added without a listener),
  // then listen. Not timed.
  {
    auto txn = sqlite::Transaction::begin(ledger->db());
    if (!txn) return fail(txn.error());
    if (auto s = (*engine)->activate(); !s) return fail(s.error());
    if (auto s = txn->commit(); !s) return fail(s.error());
  }
  for (bool more = true; more;) {
    auto txn = sqlite::Transaction::begin(ledger->db());
    if (!txn) return fail(txn.error());
    auto report = (*engine)->catch_up();
    if (!report) return fail(report.error());
    if (auto s = txn->commit(); !s) return fail(s.error());
    more = report->more;
  }
  auto jobs_before = ledger->db().query_int("SELECT count(*) FROM jobs");
  in->listen(engine->get());
  if (int rc = run("with_engine", *with); rc != 0) return rc;
  auto jobs_after = ledger->db().query_int("SELECT count(*) FROM jobs");
  if (jobs_before && jobs_after) {
    std::printf("jobs_planned_by_listener %lld\n", static_cast<long long>(*jobs_after - *jobs_before));
  }
  std::printf("peak_rss_mib %.1f\n", peak_rss_mib());
  return 0;
}

int simulate_run(const std::string& config_path, const std::string& from, const std::string& to,
                 const std::string& dir) {
  auto store = load(config_path);
  if (!store) return fail(store.error());
  SystemClock clock;
  auto ledger =
      Ledger::open(LedgerOptions{store->config.ledger.path, store->config.store.id, true, false}, clock);
  if (!ledger) return fail(ledger.error());
  auto phones = LibphonenumberNormaliser::create(store->config.store.country);
  if (!phones) return fail(phones.error());
  const auto day = [](const std::string& s) -> std::int64_t {
    std::istringstream in(s);
    date::sys_days d;
    in >> date::parse("%F", d);
    return d.time_since_epoch().count();
  };
  const StoreZone& zone = *store->rules.zone;
  SimulationOptions sim;
  sim.from = zone.to_utc(day(from), std::chrono::seconds{0});
  sim.to = zone.to_utc(day(to) + 1, std::chrono::seconds{0});
  sim.work_dir = dir;
  sim.store_id = store->config.store.id;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::int64_t fired = 0, messages = 0, tasks = 0, deferred = 0, skipped = 0, cancelled = 0;
  const auto start = Steady::now();
  const double cpu_start = cpu_seconds();
  auto summary =
      simulate(ledger->db(), *phones, store->rules.settings, sim, [&](const DecisionView& d) -> Status {
        if (d.decision == "fired") {
          ++fired;
          if (d.message_id) ++messages;
          if (d.task_id) ++tasks;
        } else if (d.decision == "deferred") {
          ++deferred;
        } else if (d.decision == "skipped") {
          ++skipped;
        } else {
          ++cancelled;
        }
        return {};
      });
  if (!summary) return fail(summary.error());
  const double took = seconds_since(start);
  const double cpu = cpu_seconds() - cpu_start;
  std::filesystem::remove_all(dir);
  std::printf("customers %lld\nsales %lld\ncancellations %lld\ndecisions %lld\n",
              static_cast<long long>(summary->customers), static_cast<long long>(summary->sales),
              static_cast<long long>(summary->cancellations), static_cast<long long>(summary->decisions));
  std::printf("fired %lld\nmessages %lld\ntasks %lld\ndeferred %lld\nskipped %lld\ncancelled %lld\n",
              static_cast<long long>(fired), static_cast<long long>(messages), static_cast<long long>(tasks),
              static_cast<long long>(deferred), static_cast<long long>(skipped),
              static_cast<long long>(cancelled));
  std::printf(
      "simulate_s %.3f\nsimulate_cpu_s %.3f\ndecisions_per_s %.0f\nfired_per_s %.0f\npeak_rss_mib %.1f\n",
      took, cpu, static_cast<double>(summary->decisions) / took, static_cast<double>(fired) / took,
      peak_rss_mib());
  return 0;
}

int feed(const std::string& config_path, const std::string& pos_file, double rate, int seconds,
         std::int64_t customers) {
  auto store = load(config_path);
  if (!store) return fail(store.error());
  SystemClock clock;
  auto ledger =
      Ledger::open(LedgerOptions{store->config.ledger.path, store->config.store.id, true, false}, clock);
  if (!ledger) return fail(ledger.error());
  // The newest fed sale visible in the ledger (fed ones are numbered in order and ingested in order).
  const auto visible = [&]() -> std::int64_t {
    auto v = ledger->db().query_int(
        "SELECT coalesce(max(CAST(substr(pos_id, 3) AS INTEGER)), 0) FROM "
        "(SELECT pos_id FROM sales ORDER BY id DESC LIMIT 1000) WHERE pos_id GLOB 'FD*'");
    return v ? *v : -1;
  };
  std::ofstream out(pos_file, std::ios::app | std::ios::binary);
  if (!out) return std::fprintf(stderr, "cannot append to %s\n", pos_file.c_str()), 1;
  const auto total = static_cast<std::int64_t>(rate * seconds);
  std::vector<Steady::time_point> appended(static_cast<std::size_t>(total) + 1);
  std::vector<double> lag;
  lag.reserve(appended.size());
  std::int64_t written = 0, seen = 0;
  const auto start = Steady::now();
  const auto poll = std::chrono::milliseconds(20);
  // Appends what is due every 20 ms, then looks at the ledger; after the last one, waits up to 30 s.
  for (auto next = start; seen < total; next += poll) {
    std::this_thread::sleep_until(next);
    const auto now = Steady::now();
    const auto due = std::min<std::int64_t>(
        total, static_cast<std::int64_t>(rate * std::chrono::duration<double>(now - start).count()) + 1);
    std::string chunk;
    for (; written < due; ++written) {
      chunk += nth_sale("FD", written + 1, customers, clock.now());
      chunk += '\n';
      appended[static_cast<std::size_t>(written + 1)] = now;
    }
    if (!chunk.empty()) {
      out << chunk;
      out.flush();
    }
    const std::int64_t v = std::min(visible(), written);
    const auto at = Steady::now();
    for (; seen < v; ++seen) {
      lag.push_back(std::chrono::duration<double>(at - appended[static_cast<std::size_t>(seen + 1)]).count());
    }
    if (written == total && seconds_since(start) > seconds + 30.0) break;
  }
  std::sort(lag.begin(), lag.end());
  const auto pct = [&](double p) {
    return lag.empty() ? -1.0 : lag[static_cast<std::size_t>(p * (lag.size() - 1))];
  };
  std::printf("fed %lld\nvisible %lld\nfeed_s %.2f\nlag_p50_s %.3f\nlag_p95_s %.3f\nlag_max_s %.3f\n",
              static_cast<long long>(written), static_cast<long long>(seen), seconds_since(start), pct(0.5),
              pct(0.95), pct(1.0));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"What the rule engine costs (bench/rules)"};
  app.require_subcommand(1);
  std::string config;
  int batch = 20'000, sale_batch = 1;
  std::int64_t n = 2000, customers = 1'000'000;
  std::string from, to, dir, pos_file;
  double rate = 100;
  int seconds = 30;
  auto* sch = app.add_subcommand("schedule", "plan from a cold ledger");
  sch->add_option("--config", config)->required();
  sch->add_option("--batch", batch, "catch_up's batch");
  auto* sal = app.add_subcommand("sales", "the cost per new sale, without and with the engine");
  sal->add_option("--config", config)->required();
  sal->add_option("--sales", n, "sales each way");
  sal->add_option("--customers", customers, "the generated customers (C00000001...)");
  sal->add_option("--batch", sale_batch, "sales per transaction");
  auto* sim = app.add_subcommand("simulate", "simulate() over a period");
  sim->add_option("--config", config)->required();
  sim->add_option("--from", from)->required();
  sim->add_option("--to", to)->required();
  sim->add_option("--dir", dir, "a scratch folder for the replay")->required();
  auto* fd = app.add_subcommand("feed", "append sales to a running agent's POS file; print the lag");
  fd->add_option("--config", config)->required();
  fd->add_option("--pos", pos_file)->required();
  fd->add_option("--rate", rate, "sales per second");
  fd->add_option("--seconds", seconds);
  fd->add_option("--customers", customers);
  CLI11_PARSE(app, argc, argv);

  if (*sch) return schedule(config, batch);
  if (*sal) return sales(config, n, customers, sale_batch);
  if (*sim) return simulate_run(config, from, to, dir);
  return feed(config, pos_file, rate, seconds, customers);
}
