#pragma once
// Prometheus' text exposition format, version 0.0.4: what `/metrics` answers on the agent (and the
// hub). One family at a time: its # HELP and # TYPE lines, then its samples, each with its labels.
// Pure formatting, so that both programs share it: names are the caller's (regua_..., with the
// unit in the name: _seconds, _bytes, _total); label values and help texts are escaped here.
//
//   # HELP regua_outbox_records Records waiting in the outbox for the hub's acknowledgement.
//   # TYPE regua_outbox_records gauge
//   regua_outbox_records 42

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace regua {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

using MetricLabels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class PrometheusText {
 public:
  // `type`: "counter" or "gauge".
  void family(std::string_view name, std::string_view type, std::string_view help);
  // A sample of the current family (its name, or the name with a suffix for a summary).
  void sample(std::string_view name, std::int64_t value, MetricLabels labels = {});
  void sample(std::string_view name, double value, MetricLabels labels = {});

  [[nodiscard]] const std::string& text() const { return out_; }

 private:
  void labels_of(MetricLabels labels);
  std::string out_;
};

}  // namespace regua
