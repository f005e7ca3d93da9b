#pragma once
// Waiting on a condition in a test: polled, with a generous limit, never a fixed sleep, so that a
// loaded machine makes a test slower rather than red.

#include <chrono>
#include <functional>
#include <thread>

namespace regua::test {

// True as soon as `done()` is; false if it still is not after `limit`.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

}  // namespace regua::test
