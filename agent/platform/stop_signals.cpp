#include "agent/platform/stop_signals.hpp"

#include <csignal>

namespace regua {
namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void remember_stop(int) {
  g_stop = 1;
}

}  // namespace

void catch_stop_signals_early() {
  std::signal(SIGINT, remember_stop);
  std::signal(SIGTERM, remember_stop);
}

bool stop_requested() {
  return g_stop != 0;
}

}  // namespace regua
