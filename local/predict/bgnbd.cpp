#include "local/predict/bgnbd.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "local/predict/hypergeometric.hpp"
#include "local/predict/optimiser.hpp"

namespace regua {
namespace {

// log(e^u + e^v) without overflow.
double log_add_exp(double u, double v) {
  const double hi = std::max(u, v);
  if (hi == -INFINITY) return hi;
  return hi + std::log1p(std::exp(std::min(u, v) - hi));
}

// log of a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x): the odds of having dropped out
// against being alive, for a customer with x > 0.
double log_dropout_odds(const BgNbdParams& p, double x, double t_x, double T) {
  return std::log(p.a) - std::log(p.b + x - 1.0) +
         (p.r + x) * (std::log(p.alpha + T) - std::log(p.alpha + t_x));
}

// Customers with the same (x, t_x, T) have the same likelihood; counting days makes such ties
// common (all one-time buyers of one day), so each distinct triple is evaluated once.
struct Group {
  double x, t_x, T, count;
};

std::vector<Group> group(std::span<const CustomerSummary> customers) {
  std::map<std::tuple<double, double, double>, double> counts;
  for (const auto& c : customers)
    counts[{c.x, c.t_x, c.T}] += 1.0;
  std::vector<Group> out;
  out.reserve(counts.size());
  for (const auto& [key, n] : counts)
    out.push_back(Group{std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
  return out;
}

double total_log_likelihood(const BgNbdParams& p, std::span<const Group> groups) {
  double sum = 0;
  for (const auto& g : groups)
    sum += g.count * bgnbd_log_likelihood(p, g.x, g.t_x, g.T);
  return sum;
}

}  // namespace

double bgnbd_log_likelihood(const BgNbdParams& p, double x, double t_x, double T) {
  // L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
  //          + [x > 0] B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x)).
  // Both terms share Gamma(r+x) alpha^r / Gamma(r) and B(a, b+x)/B(a, b); the second term's beta
  // ratio is then a / (b+x-1) times the first's.
  const double shared = std::lgamma(p.r + x) - std::lgamma(p.r) + p.r * std::log(p.alpha) +
                        std::lgamma(p.a + p.b) + std::lgamma(p.b + x) - std::lgamma(p.b) -
                        std::lgamma(p.a + p.b + x);
  const double alive = -(p.r + x) * std::log(p.alpha + T);
  if (x <= 0) return shared + alive;
  const double dropped = std::log(p.a) - std::log(p.b + x - 1.0) - (p.r + x) * std::log(p.alpha + t_x);
  return shared + log_add_exp(alive, dropped);
}

double bgnbd_log_likelihood(const BgNbdParams& p, std::span<const CustomerSummary> customers) {
  const auto groups = group(customers);
  return total_log_likelihood(p, groups);
}

double bgnbd_p_alive(const BgNbdParams& p, double x, double t_x, double T) {
  if (x <= 0) return 1.0;
  // 1 / (1 + odds); exp() overflowing to infinity gives the right limit, 0.
  return 1.0 / (1.0 + std::exp(log_dropout_odds(p, x, t_x, T)));
}

Result<double> bgnbd_expected_purchases(const BgNbdParams& p, double x, double t_x, double T, double t) {
  if (t <= 0) return 0.0;
  // Eq. 10: (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)] / (1 + odds)
  // with z = t / (alpha+T+t). Euler's transformation 2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z)
  // turns the bracket into 1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): the same number, but the
  // factor (1-z)^(r+x), tiny for a frequent buyer, no longer multiplies a 2F1 that is huge (it grows
  // like (1-z)^(a-1-r-x)), so nothing overflows and nothing cancels.
  const double z = t / (p.alpha + T + t);
  const double log_one_minus_z = std::log1p(-z);
  auto bracket_over_a_minus_1 = [&](double a) -> Result<double> {
    auto f = hyp2f1(a + p.b - 1.0 - p.r, a - 1.0, a + p.b + x - 1.0, z);
    if (!f) return f.error();
    return (1.0 - std::exp((a - 1.0) * log_one_minus_z) * *f) / (a - 1.0);
  };
  // At a = 1 the ratio is 0/0 with a finite limit; the function is smooth in a, so near 1 take the
  // mean of two points symmetric about it (the error is of the order of the step squared).
  constexpr double kNearOne = 1e-6;
  Result<double> ratio = 0.0;
  if (std::fabs(p.a - 1.0) < kNearOne) {
    auto lo = bracket_over_a_minus_1(1.0 - kNearOne);
    auto hi = bracket_over_a_minus_1(1.0 + kNearOne);
    if (!lo) return lo.error();
    if (!hi) return hi.error();
    ratio = 0.5 * (*lo + *hi);
  } else {
    ratio = bracket_over_a_minus_1(p.a);
  }
  if (!ratio) return ratio.error().within("expected purchases (BG/NBD eq. 10)");
  const double numerator = (p.a + p.b + x - 1.0) * *ratio;
  if (x <= 0) return numerator;
  return numerator * bgnbd_p_alive(p, x, t_x, T);
}

Result<BgNbdFit> fit_bgnbd(std::span<const CustomerSummary> customers) {
  if (customers.empty()) return make_error(ErrorKind::input, "BG/NBD fit: there are no customers to fit on");
  const auto groups = group(customers);
  auto params_of = [](std::span<const double> v) {
    return BgNbdParams{std::exp(v[0]), std::exp(v[1]), std::exp(v[2]), std::exp(v[3])};
  };
  auto objective = [&](std::span<const double> v) { return -total_log_likelihood(params_of(v), groups); };
  // Start from r = a = b = 1 and alpha = the customers' mean age, which has the unit of time and
  // puts the first simplex near the right scale whether time is in days or weeks.
  double mean_T = 0;
  for (const auto& c : customers)
    mean_T += c.T / static_cast<double>(customers.size());
  const Minimum m = minimise(objective, {0.0, std::log(std::max(mean_T, 1.0)), 0.0, 0.0});
  const BgNbdParams p = params_of(m.point);
  if (!m.converged || !std::isfinite(m.value)) {
    return make_error(ErrorKind::internal,
                      "BG/NBD fit on " + std::to_string(customers.size()) +
                          " customers did not converge after " + std::to_string(m.evaluations) +
                          " evaluations of the likelihood: the history may be too irregular to fit; "
                          "try again with a later --at date or report it with the ledger");
  }
  return BgNbdFit{p, -m.value, static_cast<std::int64_t>(customers.size()), m.evaluations};
}

}  // namespace regua
