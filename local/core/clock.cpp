#include "local/core/clock.hpp"

namespace regua {

Seconds SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace regua
