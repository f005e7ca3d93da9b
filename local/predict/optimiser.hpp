#pragma once
// Minimises a smooth function of a few real variables without derivatives (Nelder–Mead), for the
// maximum-likelihood fits of the prediction models.
//
// Why Nelder–Mead over log-parameters rather than a quasi-Newton method: the models' parameters are
// all positive, so the fits optimise over their logarithms, where every point is a valid parameter
// set and no step can leave the valid region (the bounds below only keep exp() finite). A
// quasi-Newton method would need the likelihood's gradient, which involves the digamma function
// that the standard library lacks (finite differences are noisy in the flat directions of these
// likelihoods). Nelder–Mead needs only values; it can stall on a collapsed simplex, which the
// restarts from the best point found (with a fresh simplex) cure. With four parameters and a
// likelihood that costs one pass over the customers, it is fast enough.

#include <functional>
#include <span>
#include <vector>

namespace regua {

struct MinimiseOptions {
  double initial_step = 0.5;           // size of the first simplex along each axis
  double lower = -30.0, upper = 30.0;  // box on every variable; outside it the function is +infinity
  double value_tolerance = 1e-12;      // relative spread of the values across the simplex
  double point_tolerance = 1e-9;       // largest distance of a vertex from the best one, per axis
  int max_evaluations = 20'000;        // per start
  int restarts = 4;                    // fresh simplices around the best point found
};

struct Minimum {
  std::vector<double> point;
  double value = 0;
  int evaluations = 0;
  bool converged = false;  // the last start met both tolerances within its evaluations
};

// `f` may return +infinity or NaN where it is not defined; both count as worse than any number.
Minimum minimise(const std::function<double(std::span<const double>)>& f, std::vector<double> start,
                 const MinimiseOptions& options = {});

}  // namespace regua
