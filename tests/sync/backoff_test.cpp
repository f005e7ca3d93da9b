// Reconnecting: full jitter under an exponentially growing cap, a random first delay, a reset
// after a connection that worked; and thousands of stores back from an outage spread out.

#include "sync/backoff.hpp"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

namespace regua::test {
namespace {

using ms = std::chrono::milliseconds;
using sync::ReconnectBackoff;

TEST(ReconnectBackoff, EachDelayIsUniformUnderACapThatDoublesUpToTheMaximum) {
  constexpr int kStores = 2000;
  // The n-th failure's delay of many stores: never above base * 2^n (nor the maximum), and spread
  // over that whole range (full jitter), not clustered at its top as plain exponential backoff is.
  for (int failure = 0; failure < 8; ++failure) {
    const auto cap = std::min<std::int64_t>(100LL << failure, 5000);
    std::int64_t lowest = cap, highest = 0, below_half = 0;
    for (int store = 0; store < kStores; ++store) {
      ReconnectBackoff b(ms(100), ms(5000), ms(0), 1000 + store);
      ms d{};
      for (int i = 0; i <= failure; ++i)
        d = b.next_delay();
      EXPECT_EQ(b.failures(), failure + 1);
      ASSERT_GE(d.count(), 0);
      ASSERT_LE(d.count(), cap) << "failure " << failure;
      lowest = std::min(lowest, d.count());
      highest = std::max(highest, d.count());
      below_half += d.count() < cap / 2 ? 1 : 0;
    }
    EXPECT_LT(lowest, cap / 10) << "failure " << failure;
    EXPECT_GT(highest, cap * 9 / 10) << "failure " << failure;
    EXPECT_GT(below_half, kStores / 3) << "failure " << failure;
    EXPECT_LT(below_half, kStores * 2 / 3) << "failure " << failure;
  }
}

TEST(ReconnectBackoff, TheFirstAttemptWaitsARandomInitialDelay) {
  std::set<std::int64_t> first;
  for (int store = 0; store < 500; ++store) {
    ReconnectBackoff b(ms(100), ms(5000), ms(30'000), 77 + store);
    const auto d = b.initial_delay();
    ASSERT_GE(d.count(), 0);
    ASSERT_LE(d.count(), 30'000);
    first.insert(d.count() / 1000);
  }
  EXPECT_GT(first.size(), 25u) << "500 agents started together spread over the 30 s";
  ReconnectBackoff none(ms(100), ms(5000), ms(0), 1);
  EXPECT_EQ(none.initial_delay(), ms(0));
}

TEST(ReconnectBackoff, AConnectionThatWorkedStartsTheNextFailureFromTheBase) {
  ReconnectBackoff b(ms(100), ms(60'000), ms(0), 5);
  for (int i = 0; i < 20; ++i)
    (void)b.next_delay();  // far past the maximum: no overflow
  EXPECT_LE(b.next_delay(), ms(60'000));
  b.reset();
  EXPECT_EQ(b.failures(), 0);
  EXPECT_LE(b.next_delay(), ms(100));
}

}  // namespace
}  // namespace regua::test
