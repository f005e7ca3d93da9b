#include "local/analysis/action_effects.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace regua {
namespace {

constexpr std::array<std::string_view, 4> kVerdicts{"too_small", "no_measurable_effect", "positive",
                                                    "negative"};

// A customer's exposures to one rule, as read from the decisions.
struct Exposures {
  std::int64_t customer_id = 0;
  bool fired = false, held_out = false;
  std::int64_t messages = 0, tasks = 0;
  std::vector<std::int64_t> at;  // Unix seconds, ascending
};

// Mean and sample variance of the outcomes, filled into `g`.
void describe_group(GroupEffect& g, const std::vector<double>& outcomes) {
  g.customers = static_cast<std::int64_t>(outcomes.size());
  if (outcomes.empty()) return;
  double sum = 0;
  for (const double y : outcomes)
    sum += y;
  const double n = static_cast<double>(outcomes.size());
  const double mean = sum / n;
  g.revenue_per_customer = mean;
  g.conversion_rate = static_cast<double>(g.converted) / n;
  if (outcomes.size() > 1) {
    double squares = 0;
    for (const double y : outcomes)
      squares += (y - mean) * (y - mean);
    g.variance = squares / (n - 1);
  }
}

void compare(RuleEffect& e) {
  const auto& t = e.treated;
  const auto& c = e.holdout;
  if (!t.revenue_per_customer || !c.revenue_per_customer) return;
  const double diff = *t.revenue_per_customer - *c.revenue_per_customer;
  // A group of one has no variance of its own to estimate: its interval stays unknown.
  if (t.variance && c.variance) {
    const double se = std::sqrt(*t.variance / static_cast<double>(t.customers) +
                                *c.variance / static_cast<double>(c.customers));
    e.uplift_low = diff - kZ95 * se;
    e.uplift_high = diff + kZ95 * se;
    e.incremental_low = *e.uplift_low * static_cast<double>(t.customers);
    e.incremental_high = *e.uplift_high * static_cast<double>(t.customers);
  }
  e.uplift = diff;
  e.incremental = diff * static_cast<double>(t.customers);
  if (t.customers < kMinGroupForVerdict || c.customers < kMinGroupForVerdict || !e.uplift_low) {
    e.verdict = EffectVerdict::too_small;
  } else if (*e.uplift_low > 0) {
    e.verdict = EffectVerdict::positive;
  } else if (*e.uplift_high < 0) {
    e.verdict = EffectVerdict::negative;
  } else {
    e.verdict = EffectVerdict::no_measurable_effect;
  }
}

class EffectReader {
 public:
  explicit EffectReader(sqlite::Db& db) : db_(db) {}

  Status prepare() {
    auto sales = db_.prepare(
        "SELECT sold_at, total_cents FROM sales WHERE customer_id = ?1 AND cancelled_at IS NULL AND "
        "sold_at > ?2 AND sold_at <= ?3 ORDER BY sold_at");
    if (!sales) return sales.error();
    sales_ = std::move(*sales);
    return {};
  }

  // Revenue of the purchases within `window` after any of the exposures, each counted once.
  Result<std::pair<std::int64_t, bool>> outcome(const Exposures& x, std::int64_t window) {
    sales_.bind(1, x.customer_id).bind(2, x.at.front()).bind(3, x.at.back() + window);
    std::int64_t revenue = 0;
    bool converted = false;
    std::size_t k = 0;  // the last exposure at or before the sale
    for (;;) {
      auto row = sales_.step();
      if (!row)
        return row.error().within("reading the purchases of customer " + std::to_string(x.customer_id));
      if (!*row) break;
      const std::int64_t sold = sales_.int64(0);
      while (k + 1 < x.at.size() && x.at[k + 1] < sold)
        ++k;
      if (x.at[k] < sold && sold <= x.at[k] + window) {
        revenue += sales_.int64(1);
        converted = true;
      }
    }
    return std::pair{revenue, converted};
  }

 private:
  sqlite::Db& db_;
  sqlite::Stmt sales_;
};

}  // namespace

std::string_view effect_verdict_name(EffectVerdict verdict) {
  return kVerdicts[static_cast<std::size_t>(verdict)];
}

Result<std::vector<RuleEffect>> compute_action_effects(sqlite::Db& db, const ActionEffectsQuery& query) {
  auto stmt = db.prepare(
      "SELECT rule_id, customer_id, at, decision, action FROM decisions "
      "WHERE (decision = 'fired' OR decision = 'holdout') AND at >= ?1 AND at < ?2 "
      "ORDER BY rule_id, customer_id, at");
  if (!stmt) return stmt.error().within("reading the rules' sends");
  stmt->bind(1,
             query.from ? query.from->time_since_epoch().count() : std::numeric_limits<std::int64_t>::min())
      .bind(2, query.to ? query.to->time_since_epoch().count() : std::numeric_limits<std::int64_t>::max());
  EffectReader reader(db);
  if (auto s = reader.prepare(); !s) return s.error();

  std::vector<RuleEffect> out;
  std::vector<double> treated, held_out;
  std::int64_t window = 0;
  const auto finish_customer = [&](Exposures& x) -> Status {
    if (x.at.empty()) return {};
    auto& e = out.back();
    if (x.fired && x.held_out) {
      ++e.mixed_customers;
      return {};
    }
    auto result = reader.outcome(x, window);
    if (!result) return result.error();
    auto& g = x.fired ? e.treated : e.holdout;
    g.actions += static_cast<std::int64_t>(x.at.size());
    g.revenue_cents += result->first;
    if (result->second) ++g.converted;
    (x.fired ? treated : held_out).push_back(static_cast<double>(result->first));
    e.messages += x.messages;
    e.tasks += x.tasks;
    const std::int64_t now = query.now.time_since_epoch().count();
    for (const auto t : x.at)
      if (t + window > now) ++e.open_windows;
    return {};
  };
  const auto finish_rule = [&] {
    if (out.empty()) return;
    describe_group(out.back().treated, treated);
    describe_group(out.back().holdout, held_out);
    compare(out.back());
    treated.clear();
    held_out.clear();
  };

  Exposures current;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("reading the rules' sends");
    if (!*row) break;
    const std::string_view rule_id = stmt->text(0);
    const std::int64_t customer = stmt->int64(1);
    if (out.empty() || out.back().rule_id != rule_id) {
      if (auto s = finish_customer(current); !s) return s.error();
      current = Exposures{};
      finish_rule();
      RuleEffect e;
      e.rule_id = std::string(rule_id);
      e.window = query.window ? query.window(rule_id) : std::chrono::seconds{std::chrono::days{7}};
      window = e.window.count();
      out.push_back(std::move(e));
    }
    if (current.customer_id != customer) {
      if (auto s = finish_customer(current); !s) return s.error();
      current = Exposures{};
      current.customer_id = customer;
    }
    current.at.push_back(stmt->int64(2));
    if (stmt->text(3) == "fired") {
      current.fired = true;
      (stmt->text(4) == "task" ? current.tasks : current.messages) += 1;
    } else {
      current.held_out = true;
    }
  }
  if (auto s = finish_customer(current); !s) return s.error();
  finish_rule();
  return out;
}

}  // namespace regua
