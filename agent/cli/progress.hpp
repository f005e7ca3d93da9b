#pragma once
// Progress of a long command (`import`): a redrawn bar on a terminal, a plain line every few
// seconds otherwise (logs, pipes), so that it is readable in both places.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace regua {

class Progress {
 public:
  // `total_bytes` may be 0 when unknown. Draws on `out` (stderr by default); counts are of `unit`.
  Progress(std::string label, std::int64_t total_bytes, std::FILE* out = stderr, std::string unit = "lines");
  void update(std::int64_t bytes, std::int64_t lines);
  void finish(std::int64_t bytes, std::int64_t lines);

 private:
  void draw(std::int64_t bytes, std::int64_t lines, bool last);

  std::string label_;
  std::string unit_;
  std::int64_t total_;
  std::FILE* out_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace regua
