#pragma once
// Customers drawn from the BG/NBD and Gamma-Gamma models with known parameters, from a fixed seed,
// to check that the fits find those parameters again.

#include <cmath>
#include <random>
#include <vector>

#include "local/predict/bgnbd.hpp"
#include "local/predict/gamma_gamma.hpp"
#include "local/predict/summaries.hpp"

namespace regua::test {

// `n` customers observed for T uniform in [T_min, T_max] units of time; times are whole days, as the
// ledger counts them. Spend per purchase follows Gamma-Gamma(spend) when given.
inline std::vector<CustomerSummary> simulate_customers(const BgNbdParams& p, int n, double T_min,
                                                       double T_max, const GammaGammaParams* spend = nullptr,
                                                       unsigned seed = 20050101) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> rate(p.r, 1.0 / p.alpha);
  std::gamma_distribution<double> beta_a(p.a, 1.0), beta_b(p.b, 1.0);
  std::uniform_real_distribution<double> age(T_min, T_max), unit(0.0, 1.0);
  std::vector<CustomerSummary> out;
  for (int i = 0; i < n; ++i) {
    const double lambda = rate(rng);
    const double ga = beta_a(rng), gb = beta_b(rng);
    const double dropout = ga / (ga + gb);
    const double T = std::round(age(rng) * 7.0) / 7.0;
    double nu = 0;
    if (spend != nullptr) nu = std::gamma_distribution<double>(spend->q, 1.0 / spend->v)(rng);
    CustomerSummary c;
    c.customer_id = i + 1;
    c.T = T;
    double t = 0;
    double spent = 0;
    for (;;) {
      t += std::exponential_distribution<double>(lambda)(rng);
      if (t > T) break;
      c.x += 1;
      c.t_x = std::min(T, std::round(t * 7.0) / 7.0);
      if (spend != nullptr) spent += std::gamma_distribution<double>(spend->p, 1.0 / nu)(rng);
      if (unit(rng) < dropout) break;
    }
    c.occasions = static_cast<std::int64_t>(c.x) + 1;
    c.repeat_spend = static_cast<Cents>(std::llround(spent * 100.0));
    out.push_back(c);
  }
  return out;
}

}  // namespace regua::test
