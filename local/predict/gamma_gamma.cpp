#include "local/predict/gamma_gamma.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "local/predict/optimiser.hpp"

namespace regua {
namespace {

struct Observation {
  double x, m;
};

}  // namespace

double gamma_gamma_log_likelihood(const GammaGammaParams& g, double x, double m) {
  const double px = g.p * x;
  return std::lgamma(px + g.q) - std::lgamma(px) - std::lgamma(g.q) + g.q * std::log(g.v) + px * std::log(x) +
         (px - 1.0) * std::log(m) - (px + g.q) * std::log(g.v + x * m);
}

std::optional<double> gamma_gamma_expected_spend(const GammaGammaParams& g, double x, double m) {
  const double denominator = g.p * x + g.q - 1.0;
  if (!(denominator > 0)) return std::nullopt;
  return g.p * (g.v + x * m) / denominator;
}

Result<GammaGammaFit> fit_gamma_gamma(std::span<const CustomerSummary> customers) {
  std::vector<Observation> data;
  double mean_m = 0;
  for (const auto& c : customers) {
    const double m = c.average_repeat_value();
    if (c.x > 0 && m > 0) data.push_back(Observation{c.x, m});
  }
  if (data.empty()) {
    return make_error(
        ErrorKind::input,
        "Gamma-Gamma fit: no customer has a repeat purchase of positive value to learn spend from");
  }
  for (const auto& o : data)
    mean_m += o.m / static_cast<double>(data.size());
  auto params_of = [](std::span<const double> v) {
    return GammaGammaParams{std::exp(v[0]), std::exp(v[1]), std::exp(v[2])};
  };
  auto objective = [&](std::span<const double> v) {
    const GammaGammaParams g = params_of(v);
    double sum = 0;
    for (const auto& o : data)
      sum += gamma_gamma_log_likelihood(g, o.x, o.m);
    return -sum;
  };
  // p = 1, q = 2 and v = the mean value put the population mean p v / (q - 1) at the observed mean.
  const Minimum m = minimise(objective, {0.0, std::log(2.0), std::log(mean_m)});
  if (!m.converged || !std::isfinite(m.value)) {
    return make_error(ErrorKind::internal, "Gamma-Gamma fit on " + std::to_string(data.size()) +
                                               " customers did not converge after " +
                                               std::to_string(m.evaluations) +
                                               " evaluations of the likelihood");
  }
  return GammaGammaFit{params_of(m.point), -m.value, static_cast<std::int64_t>(data.size()), m.evaluations};
}

}  // namespace regua
