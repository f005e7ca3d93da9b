#include "agent/cli/progress.hpp"

#include <algorithm>

#include <unistd.h>

namespace regua {
namespace {

std::string duration_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace

Progress::Progress(std::string label, std::int64_t total_bytes, std::FILE* out, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total_bytes),
      out_(out),
      terminal_(::isatty(::fileno(out)) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::update(std::int64_t bytes, std::int64_t lines) {
  const auto now = std::chrono::steady_clock::now();
  const auto every = terminal_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
  if (now - last_draw_ < every) return;
  last_draw_ = now;
  draw(bytes, lines, false);
}

void Progress::finish(std::int64_t bytes, std::int64_t lines) {
  draw(bytes, lines, true);
}

void Progress::draw(std::int64_t bytes, std::int64_t lines, bool last) {
  const double elapsed =
      std::max(1e-6, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  const double rate = static_cast<double>(lines) / elapsed;
  const double fraction =
      total_ > 0 ? std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_)) : 0;
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
  if (terminal_) {
    constexpr int kWidth = 28;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '-');
    std::fprintf(out_, "\r%s [%s] %3.0f%%  %lld %s  %.0f %s/s  %s %s\x1b[K", label_.c_str(), bar.c_str(),
                 fraction * 100, static_cast<long long>(lines), unit_.c_str(), rate, unit_.c_str(),
                 last ? "took" : "ETA", duration_text(last ? elapsed : eta).c_str());
    if (last) std::fputc('\n', out_);
  } else {
    std::fprintf(out_, "%s: %.0f%% (%lld %s, %.0f %s/s, %s %s)\n", label_.c_str(), fraction * 100,
                 static_cast<long long>(lines), unit_.c_str(), rate, unit_.c_str(), last ? "took" : "ETA",
                 duration_text(last ? elapsed : eta).c_str());
  }
  std::fflush(out_);
}

}  // namespace regua
