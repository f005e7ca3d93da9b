// `regua-agent segments [--at DATE] [--all] [--json|--csv]`: the lifecycle matrix with the count and
// share of customers per cell and the share of the active base, today (from the maintained stats) or
// at the end of a past day (from the sales history); with --all also the RFM scores and the count of
// every named segment. docs/segments.md and docs/cli.md describe the output.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/cli/analysis_commands.hpp"
#include "agent/cli/common.hpp"
#include "local/analysis/kpis.hpp"
#include "local/analysis/matrix_counts.hpp"
#include "local/analysis/rfm.hpp"
#include "local/analysis/segment_catalog.hpp"
#include "local/analysis/segment_query.hpp"
#include "local/predict/predictions.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

std::string purchases_range(Frequency f, const LifecycleThresholds& t) {
  const auto range = [](int lo, int hi) {
    return lo == hi ? std::to_string(lo) : fmt::format("{}-{}", lo, hi);
  };
  switch (f) {
    case Frequency::new_:
      return range(1, t.new_max_purchases);
    case Frequency::promising:
      return range(t.new_max_purchases + 1, t.promising_max_purchases);
    case Frequency::loyal:
      return fmt::format("{}+", t.promising_max_purchases + 1);
  }
  return "";
}

std::string days_range(Recency r, const LifecycleThresholds& t) {
  switch (r) {
    case Recency::active:
      return fmt::format("0-{}", t.active_max_days);
    case Recency::slipping:
      return fmt::format("{}-{}", t.active_max_days + 1, t.slipping_max_days);
    case Recency::inactive:
      return fmt::format("{}+", t.slipping_max_days + 1);
  }
  return "";
}

struct NamedCount {
  SegmentDefinition segment;
  std::int64_t count = 0;
};

struct Extras {
  RfmReport rfm;
  std::vector<NamedCount> named;
};

Result<Extras> load_extras(sqlite::Db& db, const AgentConfig& config, const SegmentPolicy& policy,
                           std::int64_t today) {
  Extras e;
  auto rfm = compute_rfm(db, policy, today);
  if (!rfm) return rfm.error();
  e.rfm = *rfm;
  auto all = builtin_segments(policy.language);
  for (const auto& c : config.segments.custom)
    all.push_back({SegmentDefinition::Kind::custom, c.name, c.name, c.filter, c.description});
  for (auto& s : all) {
    if (s.kind == SegmentDefinition::Kind::cell) continue;  // the matrix shows them
    auto compiled = compile_segment(db, s.filter, policy, today, &e.rfm.cutpoints);
    if (!compiled) return compiled.error().within("segment \"" + s.name + "\" filter");
    auto n = count_segment(db, *compiled, policy);
    if (!n) return n.error();
    e.named.push_back({std::move(s), *n});
  }
  return e;
}

std::string_view kind_name(SegmentDefinition::Kind k) {
  switch (k) {
    case SegmentDefinition::Kind::cell:
      return "cell";
    case SegmentDefinition::Kind::rfm:
      return "rfm";
    case SegmentDefinition::Kind::custom:
      return "custom";
  }
  return "custom";
}

ordered_json matrix_json(const AgentConfig& config, const SegmentPolicy& policy, const MatrixCounts& m,
                         bool now, const std::optional<Extras>& extras) {
  const auto& t = policy.thresholds;
  ordered_json j;
  j["store"] = config.store.id;
  j["day"] = format_local_day(m.day);
  j["source"] = now ? "stats" : "history";
  j["language"] = std::string(language_name(policy.language));
  j["thresholds"] = {{"new_max_purchases", t.new_max_purchases},
                     {"promising_max_purchases", t.promising_max_purchases},
                     {"active_max_days", t.active_max_days},
                     {"slipping_max_days", t.slipping_max_days}};
  j["customers"] = m.customers;
  j["without_purchases"] = m.without_purchases ? ordered_json(*m.without_purchases) : ordered_json(nullptr);
  auto& cells = j["cells"] = ordered_json::array();
  for (int i = 0; i < kCells; ++i) {
    const Cell c = Cell::from_index(i);
    const auto n = m.cells[static_cast<std::size_t>(i)];
    cells.push_back({{"code", std::string(cell_code(c))},
                     {"name", std::string(cell_name(c, policy.language))},
                     {"purchases", purchases_range(c.frequency, t)},
                     {"days_since_last", days_range(c.recency, t)},
                     {"count", n},
                     {"share", round2(m.share(n))}});
  }
  j["active"] = m.active;
  j["active_share"] = round2(m.active_share());
  j["healthy_active_share"] = kHealthyActiveShare;
  j["healthy"] = m.customers > 0 && m.active_share() >= kHealthyActiveShare;
  if (extras) {
    const auto& r = extras->rfm;
    const auto& c = r.cutpoints;
    j["rfm"] = {{"customers", c.customers},
                {"cutpoints",
                 {{"recency_days_below", c.recency},
                  {"frequency_above", c.frequency},
                  {"monetary_cents_above", c.monetary}}},
                {"recency", r.recency},
                {"frequency", r.frequency},
                {"monetary", r.monetary}};
    auto& named = j["segments"] = ordered_json::array();
    for (const auto& n : extras->named) {
      named.push_back({{"name", n.segment.name},
                       {"title", n.segment.title},
                       {"kind", std::string(kind_name(n.segment.kind))},
                       {"filter", n.segment.filter},
                       {"count", n.count}});
    }
  }
  return j;
}

void print_csv(const SegmentPolicy& policy, const MatrixCounts& m) {
  fmt::print("code,name,purchases,days_since_last,count,share\n");
  for (int i = 0; i < kCells; ++i) {
    const Cell c = Cell::from_index(i);
    const auto n = m.cells[static_cast<std::size_t>(i)];
    fmt::print("{},{},{},{},{},{:.2f}\n", cell_code(c), csv_field(cell_name(c, policy.language)),
               purchases_range(c.frequency, policy.thresholds), days_range(c.recency, policy.thresholds), n,
               round2(m.share(n)));
  }
}

void print_matrix_text(const AgentConfig& config, const SegmentPolicy& policy, const MatrixCounts& m,
                       bool now, const std::optional<Extras>& extras) {
  const auto& t = policy.thresholds;
  if (now) {
    fmt::print("Lifecycle matrix of store {} on {} (from the customer stats kept at ingest)\n",
               config.store.id, format_local_day(m.day));
  } else {
    fmt::print("Lifecycle matrix of store {} at the end of {} (from the sales up to that day)\n",
               config.store.id, format_local_day(m.day));
  }
  fmt::print("Customers with purchases: {}{}\n\n", m.customers,
             m.without_purchases && *m.without_purchases > 0
                 ? fmt::format(" (and {} customer record(s) without any)", *m.without_purchases)
                 : "");
  constexpr int kWidth = 26;
  fmt::print("{:<18}", "purchases \\ days");
  for (const auto r : {Recency::active, Recency::slipping, Recency::inactive})
    fmt::print("{:<{}}", days_range(r, t) + " days", kWidth);
  fmt::print("\n");
  for (const auto f : {Frequency::new_, Frequency::promising, Frequency::loyal}) {
    fmt::print("{:<18}", purchases_range(f, t));
    for (const auto r : {Recency::active, Recency::slipping, Recency::inactive})
      fmt::print("{:<{}}", std::string(cell_name(Cell{f, r}, policy.language)), kWidth);
    fmt::print("\n{:<18}", "");
    for (const auto r : {Recency::active, Recency::slipping, Recency::inactive}) {
      const auto n = m.cells[static_cast<std::size_t>(Cell{f, r}.index())];
      fmt::print("{:<{}}", fmt::format("{} ({:.1f}%)", n, m.share(n)), kWidth);
    }
    fmt::print("\n");
  }
  const bool healthy = m.active_share() >= kHealthyActiveShare;
  fmt::print(
      "\nActive base: {:.1f}% ({} of {} customers bought in the last {} days). Seed 003: at least {:.0f}% "
      "is healthy; {}.\n",
      m.active_share(), m.active, m.customers, t.slipping_max_days, kHealthyActiveShare,
      m.customers == 0 ? "no customer has bought yet"
      : healthy        ? "this store is healthy"
                       : "this store is below it");
  if (!extras) return;
  const auto& r = extras->rfm;
  fmt::print("\nRFM scores of {} customers (5 is best; customers per score 1..5):\n", r.cutpoints.customers);
  const auto row = [](std::string_view label, const std::array<std::int64_t, 5>& n) {
    fmt::print("  {:<10} {:>8} {:>8} {:>8} {:>8} {:>8}\n", label, n[0], n[1], n[2], n[3], n[4]);
  };
  row("recency", r.recency);
  row("frequency", r.frequency);
  row("monetary", r.monetary);
  fmt::print("\nNamed segments (regua-agent customers --segment NAME lists one):\n");
  for (const auto& n : extras->named) {
    fmt::print("  {:<16} {:<26} {:>8}  {}\n", n.segment.name, n.segment.title, n.count, n.segment.filter);
  }
}

}  // namespace

int segments_command(const AgentConfig& config, const SegmentsOptions& options) {
  if (options.json && options.csv)
    return report_error(make_error(ErrorKind::usage, "choose one of --json and --csv"));
  if (options.all && options.at) {
    return report_error(make_error(
        ErrorKind::usage, "--all shows today's segments; --at shows the matrix of a past day: use one"));
  }
  if (options.all && options.csv) {
    return report_error(make_error(ErrorKind::usage, "--csv writes the matrix only; use --json with --all"));
  }
  auto policy = analysis_policy(config);
  if (!policy) return report_error(policy.error());
  std::optional<std::int64_t> at;
  if (options.at) {
    auto day = parse_day_option(*options.at, "--at");
    if (!day) return report_error(day.error());
    at = *day;
  }
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto& db = ledger->db();
  // One snapshot for everything printed, however long it takes, while `run` keeps writing.
  if (auto s = db.exec("BEGIN"); !s) return report_error(s.error());
  const std::int64_t today = policy->local_day(clock.now());
  auto matrix = at ? matrix_at(db, *policy, *at) : matrix_now(db, *policy, today);
  if (!matrix) return report_error(matrix.error());
  std::optional<Extras> extras;
  if (options.all) {
    auto e = load_extras(db, config, *policy, today);
    if (!e) return report_error(e.error());
    extras = std::move(*e);
  }
  (void)db.exec("COMMIT");
  if (options.json) {
    fmt::print("{}\n", matrix_json(config, *policy, *matrix, !at, extras)
                           .dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  } else if (options.csv) {
    print_csv(*policy, *matrix);
  } else {
    print_matrix_text(config, *policy, *matrix, !at, extras);
  }
  return kExitOk;
}

Result<nlohmann::ordered_json> segments_today_json(sqlite::Db& db, const AgentConfig& config,
                                                   const SegmentPolicy& policy, std::int64_t today) {
  auto matrix = matrix_now(db, policy, today);
  if (!matrix) return matrix.error();
  auto extras = load_extras(db, config, policy, today);
  if (!extras) return extras.error();
  return matrix_json(config, policy, *matrix, true, std::move(*extras));
}

}  // namespace regua
