// regua-bench-analysis: times what `segments`, `customers --segment` and `kpis` compute, on a
// ledger bench/analysis generated: the lifecycle matrix from the maintained stats, the RFM scores,
// one custom segment's count, and the KPIs of a year by month. Each is run `--runs` times on a
// warm page cache; the best time is printed as "name seconds" lines for the script to compare.

#include <chrono>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <date/tz.h>

#include "agent/analysis/store_days.hpp"
#include "local/analysis/kpis.hpp"
#include "local/analysis/matrix_counts.hpp"
#include "local/analysis/rfm.hpp"
#include "local/analysis/segment_query.hpp"
#include "local/core/timestamp.hpp"
#include "local/ledger/ledger.hpp"

namespace {

using namespace regua;
using Steady = std::chrono::steady_clock;

template <class F>
int best_of(const char* name, int runs, F&& f) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    const auto start = Steady::now();
    if (auto s = f(); !s) return std::fprintf(stderr, "%s: %s\n", name, s.error().message.c_str()), 1;
    best = std::min(best, std::chrono::duration<double>(Steady::now() - start).count());
  }
  std::printf("%s %.4f\n", name, best);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Times the analysis of a ledger"};
  std::string path, filter = "purchases_last(90) >= 2 and total_spent >= 500";
  std::string from, to;
  int runs = 2;
  app.add_option("--ledger", path, "the ledger")->required();
  app.add_option("--filter", filter, "the custom segment's filter");
  app.add_option("--from", from, "KPIs from (YYYY-MM-DD)")->required();
  app.add_option("--to", to, "KPIs to (YYYY-MM-DD)")->required();
  app.add_option("--runs", runs, "runs of each (the best counts)");
  CLI11_PARSE(app, argc, argv);

  SystemClock clock;
  auto ledger = Ledger::open(LedgerOptions{path, "bench", true, false}, clock);
  if (!ledger) return std::fprintf(stderr, "%s\n", ledger.error().message.c_str()), 1;
  auto& db = ledger->db();
  SegmentPolicy policy;
  policy.local_day = store_local_day(*date::locate_zone("America/Sao_Paulo"));
  const std::int64_t today = policy.local_day(clock.now());
  const auto day = [](const std::string& s) {
    auto d = parse_date(s);
    return d ? std::chrono::sys_days{*d}.time_since_epoch().count() : 0;
  };
  std::int64_t matrix_customers = 0, segment = 0;
  int rc = best_of("matrix", runs, [&]() -> Status {
    auto m = matrix_now(db, policy, today);
    if (!m) return m.error();
    matrix_customers = m->customers;
    return {};
  });
  rc |= best_of("rfm", runs, [&]() -> Status {
    auto r = compute_rfm(db, policy, today);
    if (!r) return r.error();
    return {};
  });
  rc |= best_of("segment", runs, [&]() -> Status {
    auto c = compile_segment(db, filter, policy, today);
    if (!c) return c.error();
    auto n = count_segment(db, *c, policy);
    if (!n) return n.error();
    segment = *n;
    return {};
  });
  rc |= best_of("kpis", runs, [&]() -> Status {
    auto k = compute_kpis(db, policy, day(from), day(to), KpiGrouping::month);
    if (!k) return k.error();
    return {};
  });
  std::printf("matrix_customers %lld\nsegment_customers %lld\n", static_cast<long long>(matrix_customers),
              static_cast<long long>(segment));
  return rc;
}
