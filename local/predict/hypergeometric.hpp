#pragma once
// The Gaussian hypergeometric function 2F1(a, b; c; z), which the BG/NBD model's conditional
// expectation needs (Fader, Hardie & Lee 2005, eq. 10). C++17 left the hypergeometric functions of
// ISO 29124 out of the standard library, so it is computed here from its power series.

#include "local/core/result.hpp"

namespace regua {

// 2F1(a, b; c; z) = sum over n >= 0 of (a)_n (b)_n / ((c)_n n!) z^n, for real z < 1.
// Summed directly for -0.5 <= z < 1; below -0.5 through Pfaff's transformation, which maps z into
// (1/3, 1) where the series converges. Stops when the bound on the rest of the series is below
// 1e-15 of the sum. An error (never a silent wrong number) when c is 0 or a negative integer,
// when z >= 1, or when the series has not converged after a million terms (z very close to 1).
Result<double> hyp2f1(double a, double b, double c, double z);

}  // namespace regua
