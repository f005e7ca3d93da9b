#include "local/predict/hypergeometric.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace regua {
namespace {

constexpr double kRelativeTolerance = 1e-15;
constexpr long kMaxTerms = 1'000'000;

std::string describe_arguments(double a, double b, double c, double z) {
  return "2F1(" + std::to_string(a) + ", " + std::to_string(b) + "; " + std::to_string(c) + "; " +
         std::to_string(z) + ")";
}

Result<double> series(double a, double b, double c, double z) {
  double term = 1.0;
  double sum = 1.0;
  // Past this index the ratio of consecutive terms moves monotonically towards |z|, which is what
  // makes the geometric bound on the tail below a true bound.
  const double monotone_from = 2.0 * (std::fabs(a) + std::fabs(b) + std::fabs(c)) + 4.0;
  for (long n = 0; n < kMaxTerms; ++n) {
    const double k = static_cast<double>(n);
    term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
    sum += term;
    if (term == 0.0) return sum;  // a or b is a non-positive integer: a polynomial, summed exactly
    if (!std::isfinite(sum)) break;
    if (k < monotone_from) continue;
    const double next_ratio = std::fabs((a + k + 1.0) * (b + k + 1.0) / ((c + k + 1.0) * (k + 2.0)) * z);
    const double rho = std::max(next_ratio, std::fabs(z));
    if (rho >= 1.0) continue;
    const double tail_bound = std::fabs(term) * rho / (1.0 - rho);
    if (tail_bound <= kRelativeTolerance * std::fabs(sum)) return sum;
  }
  return make_error(ErrorKind::internal, describe_arguments(a, b, c, z) +
                                             ": the series did not converge (z too close to 1 or the "
                                             "parameters too large); use a shorter horizon");
}

}  // namespace

Result<double> hyp2f1(double a, double b, double c, double z) {
  if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c) || !std::isfinite(z)) {
    return make_error(ErrorKind::internal,
                      describe_arguments(a, b, c, z) + ": an argument is not a finite number");
  }
  if (c <= 0.0 && c == std::floor(c)) {
    return make_error(ErrorKind::internal, describe_arguments(a, b, c, z) +
                                               ": c is zero or a negative integer, where 2F1 is undefined");
  }
  if (z >= 1.0) {
    return make_error(ErrorKind::internal, describe_arguments(a, b, c, z) +
                                               ": only z < 1 is supported (the series diverges at z >= 1)");
  }
  if (z < -0.5) {
    // Pfaff: 2F1(a, b; c; z) = (1 - z)^(-a) 2F1(a, c - b; c; z / (z - 1)).
    auto inner = series(a, c - b, c, z / (z - 1.0));
    if (!inner) return inner.error();
    return std::pow(1.0 - z, -a) * *inner;
  }
  return series(a, b, c, z);
}

}  // namespace regua
