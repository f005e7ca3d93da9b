#include "local/rules/frequency_cap.hpp"

#include <algorithm>
#include <vector>

#include "local/rules/durations.hpp"

namespace regua {

CapCheck check_cap(const FrequencyCap& cap, Seconds now, std::span<const Seconds> contacts,
                   std::span<const Seconds> reserved) {
  CapCheck out;
  if (!cap.enabled()) return out;
  const auto limit = static_cast<std::size_t>(cap.max);
  // A contact at c counts at time t while c > t - window.
  std::vector<Seconds> recent;
  for (const Seconds c : contacts) {
    if (c > now - cap.window) recent.push_back(c);
  }
  std::sort(recent.begin(), recent.end());
  if (recent.size() + 1 > limit) {
    out.allowed = false;
    // Room comes when all but limit - 1 of them have aged out.
    out.retry_at = recent[recent.size() - limit] + cap.window;
    out.why = std::to_string(recent.size()) + " contact(s) in the last " + describe_duration(cap.window) +
              " (cap: " + std::to_string(cap.max) + ")";
    return out;
  }
  std::vector<Seconds> ahead;
  for (const Seconds r : reserved) {
    if (r > now && r <= now + cap.window) ahead.push_back(r);
  }
  std::sort(ahead.begin(), ahead.end());
  for (const Seconds r : ahead) {
    // The window that ends when the higher-priority action is due: the contacts still in it, this
    // one, and the reserved ones due in it up to r (r included).
    std::size_t n = 0;
    for (const Seconds c : recent)
      n += c > r - cap.window ? 1 : 0;
    n += now > r - cap.window ? 1 : 0;
    for (const Seconds q : ahead)
      n += q > r - cap.window && q <= r ? 1 : 0;
    if (n > limit) {
      out.allowed = false;
      out.retry_at = r + std::chrono::seconds{1};
      out.why = "yields to a higher-priority action due within " + describe_duration(r - now) +
                " (cap: " + std::to_string(cap.max) + " in " + describe_duration(cap.window) + ")";
      return out;
    }
  }
  return out;
}

}  // namespace regua
