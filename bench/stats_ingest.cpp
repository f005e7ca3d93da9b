// regua-bench-stats: what keeping the customer stats current costs per ingested sale. The same
// generated sales (decoded beforehand, so only the ledger's work is timed) go through the Ingestor
// into fresh ledgers three ways: without stats upkeep (then one rebuild from the sales, timed on its
// own), with upkeep as `import` does it (the cells left for the next refresh), and with upkeep and
// the store's segment policy as `run` does it (cells and segment events in the sale's transaction).
// Prints one line per way; asserts nothing.

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <date/tz.h>

#include "agent/analysis/store_days.hpp"
#include "agent/config/config.hpp"
#include "agent/connectors/jsonl_decoder.hpp"
#include "agent/demo/sale_generator.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "local/analysis/customer_stats.hpp"
#include "local/ledger/ingest.hpp"

namespace {

using namespace regua;
using Steady = std::chrono::steady_clock;

enum class Way { no_upkeep, upkeep, upkeep_and_policy };

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

int ingest(const std::filesystem::path& dir, Way way, const std::vector<Event>& events,
           const PhoneNormaliser& phones, int batch) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SystemClock clock;
  auto ledger = Ledger::open(LedgerOptions{dir / "ledger.db", "bench"}, clock);
  if (!ledger) return std::fprintf(stderr, "%s\n", ledger.error().message.c_str()), 1;
  auto in = Ingestor::create(*ledger, phones);
  if (!in) return std::fprintf(stderr, "%s\n", in.error().message.c_str()), 1;
  SegmentPolicy policy;
  policy.local_day = store_local_day(*date::locate_zone("America/Sao_Paulo"));
  if (way == Way::no_upkeep) in->stats().set_upkeep(false);
  if (way == Way::upkeep_and_policy) in->stats().use_policy(&policy);
  const auto start = Steady::now();
  const std::clock_t cpu_start = std::clock();
  for (std::size_t i = 0; i < events.size(); i += static_cast<std::size_t>(batch)) {
    if (auto s = in->begin(); !s) return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 1;
    for (std::size_t j = i; j < std::min(events.size(), i + static_cast<std::size_t>(batch)); ++j) {
      if (auto s = in->apply(events[j], "bench"); !s)
        return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 1;
    }
    if (auto s = in->commit(); !s) return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 1;
  }
  const double took = seconds_since(start);
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const auto sales = in->committed().sales_added;
  const char* name = way == Way::no_upkeep ? "without stats upkeep"
                     : way == Way::upkeep  ? "with stats (as import)"
                                           : "with stats and events (as run)";
  // CPU time too: on a busy machine it varies less than the wall clock.
  std::printf("%-34s %9lld sales in %6.2f s  %9.0f sales/s  %6.2f us/sale  (CPU %6.2f us/sale)\n", name,
              static_cast<long long>(sales), took, static_cast<double>(sales) / took,
              1e6 * took / static_cast<double>(sales), 1e6 * cpu / static_cast<double>(sales));
  if (way == Way::no_upkeep) {
    const auto rebuild_start = Steady::now();
    auto& db = ledger->db();
    if (auto s = db.exec("BEGIN"); !s) return 1;
    if (auto s = rebuild_customer_stats(db); !s)
      return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 1;
    if (auto s = db.exec("COMMIT"); !s) return 1;
    std::printf("%-34s %6.2f s (after a load without upkeep)\n", "  rebuild of all stats",
                seconds_since(rebuild_start));
  }
  if (way == Way::upkeep_and_policy) {
    auto n = ledger->db().query_int("SELECT count(*) FROM segment_events");
    std::printf("%-34s %9lld\n", "  segment events recorded", static_cast<long long>(n ? *n : -1));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"What keeping the customer stats current costs per ingested sale"};
  std::int64_t sales = 200'000;
  int customers = 100'000;
  int batch = 4096;
  std::string dir;
  app.add_option("--sales", sales, "how many sales");
  app.add_option("--customers", customers, "size of the customer pool");
  app.add_option("--batch", batch, "events per transaction (import commits chunks too)");
  app.add_option("--dir", dir, "a scratch folder")->required();
  CLI11_PARSE(app, argc, argv);

  GeneratorOptions options;
  options.seed = 42;
  options.store_id = "bench";
  options.customers = customers;
  options.start = Seconds{std::chrono::seconds{1'735'700'000}};
  options.mean_gap = std::chrono::seconds(30);
  options.cancel_share = 0.01;
  options.customer_event_share = 0;
  SaleGenerator generator(options);
  StoreConfig store;
  store.id = "bench";
  store.zone = date::locate_zone(store.timezone);
  SystemClock clock;
  JsonlDecoder decoder(store, clock);
  std::vector<Event> events;
  std::string line;
  for (std::int64_t n = 0; n < sales; ++n) {
    line = generator.next().text;
    line.append(kLinePadding, ' ');
    auto e = decoder.decode(std::string_view(line).substr(0, line.size() - kLinePadding));
    if (e && *e) events.push_back(std::move(**e));
  }
  auto phones = LibphonenumberNormaliser::create("BR");
  if (!phones) return std::fprintf(stderr, "%s\n", phones.error().message.c_str()), 1;
  const std::filesystem::path root(dir);
  for (const auto way : {Way::no_upkeep, Way::upkeep, Way::upkeep_and_policy}) {
    if (int rc = ingest(root / "ledger", way, events, *phones, batch); rc != 0) return rc;
  }
  std::filesystem::remove_all(root / "ledger");
  return 0;
}
