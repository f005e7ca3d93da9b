#include "local/predict/optimiser.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace regua {
namespace {

using Point = std::vector<double>;

class Objective {
 public:
  Objective(const std::function<double(std::span<const double>)>& f, const MinimiseOptions& options)
      : f_(f), options_(options) {}

  double operator()(const Point& x) {
    ++evaluations_;
    for (double v : x) {
      if (!(v >= options_.lower && v <= options_.upper)) return kWorst;
    }
    const double value = f_(x);
    return std::isnan(value) ? kWorst : value;
  }
  [[nodiscard]] int evaluations() const { return evaluations_; }

  static constexpr double kWorst = std::numeric_limits<double>::infinity();

 private:
  const std::function<double(std::span<const double>)>& f_;
  const MinimiseOptions& options_;
  int evaluations_ = 0;
};

struct Run {
  Point best;
  double value;
  bool converged;
};

// One Nelder–Mead descent with the standard coefficients (reflection 1, expansion 2, contraction
// 1/2, shrink 1/2).
Run descend(Objective& f, const Point& start, const MinimiseOptions& options) {
  const std::size_t n = start.size();
  std::vector<Point> simplex(n + 1, start);
  std::vector<double> values(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    // Step towards the middle of the box so that a start near a bound still spans a simplex.
    const double mid = 0.5 * (options.lower + options.upper);
    simplex[i + 1][i] += start[i] <= mid ? options.initial_step : -options.initial_step;
  }
  for (std::size_t i = 0; i <= n; ++i)
    values[i] = f(simplex[i]);

  std::vector<std::size_t> order(n + 1);
  const int budget_end = f.evaluations() + options.max_evaluations;
  bool converged = false;
  while (f.evaluations() < budget_end) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    const std::size_t best = order.front(), worst = order.back(), second_worst = order[n - 1];

    double spread_x = 0;
    for (std::size_t i = 0; i <= n; ++i) {
      for (std::size_t j = 0; j < n; ++j)
        spread_x = std::max(spread_x, std::fabs(simplex[i][j] - simplex[best][j]));
    }
    const double spread_f = std::fabs(values[worst] - values[best]);
    if (std::isfinite(values[worst]) &&
        spread_f <= options.value_tolerance * (std::fabs(values[best]) + options.value_tolerance) &&
        spread_x <= options.point_tolerance) {
      converged = true;
      break;
    }

    Point centroid(n, 0.0);
    for (std::size_t i = 0; i <= n; ++i) {
      if (i == worst) continue;
      for (std::size_t j = 0; j < n; ++j)
        centroid[j] += simplex[i][j] / static_cast<double>(n);
    }
    auto along = [&](double t) {
      Point p(n);
      for (std::size_t j = 0; j < n; ++j)
        p[j] = centroid[j] + t * (simplex[worst][j] - centroid[j]);
      return p;
    };

    Point reflected = along(-1.0);
    const double fr = f(reflected);
    if (fr < values[best]) {
      Point expanded = along(-2.0);
      const double fe = f(expanded);
      if (fe < fr) {
        simplex[worst] = std::move(expanded);
        values[worst] = fe;
      } else {
        simplex[worst] = std::move(reflected);
        values[worst] = fr;
      }
      continue;
    }
    if (fr < values[second_worst]) {
      simplex[worst] = std::move(reflected);
      values[worst] = fr;
      continue;
    }
    // Contract: outside when the reflection improved on the worst point, inside otherwise.
    const bool outside = fr < values[worst];
    Point contracted = along(outside ? -0.5 : 0.5);
    const double fc = f(contracted);
    if (fc < (outside ? fr : values[worst])) {
      simplex[worst] = std::move(contracted);
      values[worst] = fc;
      continue;
    }
    for (std::size_t i = 0; i <= n; ++i) {
      if (i == best) continue;
      for (std::size_t j = 0; j < n; ++j)
        simplex[i][j] = simplex[best][j] + 0.5 * (simplex[i][j] - simplex[best][j]);
      values[i] = f(simplex[i]);
    }
  }
  const auto best = static_cast<std::size_t>(std::min_element(values.begin(), values.end()) - values.begin());
  return Run{simplex[best], values[best], converged};
}

}  // namespace

Minimum minimise(const std::function<double(std::span<const double>)>& f, std::vector<double> start,
                 const MinimiseOptions& options) {
  Objective objective(f, options);
  Run run = descend(objective, start, options);
  for (int i = 0; i < options.restarts; ++i) {
    Run again = descend(objective, run.best, options);
    const bool improved = again.value < run.value - options.value_tolerance * (std::fabs(run.value) + 1.0);
    if (again.value <= run.value) run = std::move(again);
    if (!improved && run.converged) break;
  }
  return Minimum{std::move(run.best), run.value, objective.evaluations(), run.converged};
}

}  // namespace regua
