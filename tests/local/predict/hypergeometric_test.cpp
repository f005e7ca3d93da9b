// 2F1 against closed forms and against values computed independently with mpmath 1.3 at 40 digits
// (mpmath.hyp2f1), in the comments next to each.

#include "local/predict/hypergeometric.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace regua {
namespace {

double f(double a, double b, double c, double z) {
  auto r = hyp2f1(a, b, c, z);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : NAN;
}

void expect_relative(double actual, double expected, double tolerance) {
  EXPECT_NEAR(actual, expected, tolerance * std::fabs(expected)) << "expected " << expected;
}

TEST(Hyp2f1, MatchesClosedForms) {
  // 2F1(1, 1; 2; z) = -log(1 - z) / z, also close to z = 1 where the series is slow.
  for (double z : {0.3, 0.9, 0.99, -0.4})
    expect_relative(f(1, 1, 2, z), -std::log1p(-z) / z, 1e-14);
  // 2F1(a, b; b; z) = (1 - z)^-a
  expect_relative(f(2.5, 1.7, 1.7, 0.6), std::pow(0.4, -2.5), 1e-14);
  // 2F1(1/2, 1/2; 3/2; z^2) = asin(z) / z
  expect_relative(f(0.5, 0.5, 1.5, 0.64), std::asin(0.8) / 0.8, 1e-14);
  // 2F1(1/2, 1; 3/2; -z^2) = atan(z) / z: z = -4 goes through Pfaff's transformation, -0.25 does not.
  expect_relative(f(0.5, 1, 1.5, -4.0), std::atan(2.0) / 2.0, 1e-14);
  expect_relative(f(0.5, 1, 1.5, -0.25), std::atan(0.5) / 0.5, 1e-14);
}

TEST(Hyp2f1, MatchesHighPrecisionValues) {
  expect_relative(f(2.243, 4.426, 5.219, 0.5), 3.614707706823282283, 1e-13);
  expect_relative(f(0.5, 1.5, 2.7, 0.95), 1.689799877601313615, 1e-13);
  expect_relative(f(1.3, 2.2, 3.1, -3.0), 0.2497046620025581541, 1e-13);
  expect_relative(f(31.243, 33.426, 34.219, 0.3), 53203.04513176624228, 1e-13);
}

TEST(Hyp2f1, IsAPolynomialWhenAParameterIsANegativeInteger) {
  // 1 + (-3)(2)/(1.5) 0.7 + (-3)(-2)(2)(3)/(1.5 * 2.5 * 2) 0.49 + (-3)(-2)(-1)(2)(3)(4)/(1.5 * 2.5 * 3.5 * 6)
  // 0.343
  EXPECT_NEAR(f(-3, 2, 1.5, 0.7), -0.0752, 1e-15);
}

TEST(Hyp2f1, RefusesWhereItIsUndefinedOrTheSeriesDiverges) {
  for (auto [c, z] : {std::pair{0.0, 0.5}, std::pair{-2.0, 0.5}, std::pair{1.5, 1.0}, std::pair{1.5, 1.5}}) {
    auto r = hyp2f1(1.0, 1.0, c, z);
    ASSERT_FALSE(r.ok()) << "c = " << c << ", z = " << z;
    EXPECT_NE(r.error().message.find("2F1("), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(hyp2f1(NAN, 1, 2, 0.5).ok());
}

}  // namespace
}  // namespace regua
