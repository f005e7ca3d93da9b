#include "local/core/prometheus_text.hpp"

#include <cmath>
#include <cstdio>

namespace regua {

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  for (const char c : help) {  // HELP escapes only the backslash and the newline
    if (c == '\\') {
      out_ += "\\\\";
    } else if (c == '\n') {
      out_ += "\\n";
    } else {
      out_ += c;
    }
  }
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusText::labels_of(MetricLabels labels) {
  if (labels.size() == 0) return;
  out_ += '{';
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out_ += ',';
    first = false;
    out_ += key;
    out_ += "=\"";
    for (const char c : value) {
      if (c == '\\') {
        out_ += "\\\\";
      } else if (c == '"') {
        out_ += "\\\"";
      } else if (c == '\n') {
        out_ += "\\n";
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }
  out_ += '}';
}

void PrometheusText::sample(std::string_view name, std::int64_t value, MetricLabels labels) {
  out_ += name;
  labels_of(labels);
  out_ += ' ';
  out_ += std::to_string(value);
  out_ += '\n';
}

void PrometheusText::sample(std::string_view name, double value, MetricLabels labels) {
  out_ += name;
  labels_of(labels);
  out_ += ' ';
  if (std::isnan(value)) {
    out_ += "NaN";
  } else if (std::isinf(value)) {
    out_ += value > 0 ? "+Inf" : "-Inf";
  } else {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    out_ += text;
  }
  out_ += '\n';
}

}  // namespace regua
