#include "agent/http/svg_chart.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace regua {
namespace {

constexpr double kWidth = 640, kHeight = 260;
constexpr double kLeft = 100, kRight = 12, kTop = 14, kBottom = 40;

std::string svg_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Digits grouped by thousands, `decimals` after the separator, in the language's way.
std::string grouped_number(double v, int decimals, bool comma_decimal) {
  const bool negative = v < 0;
  const std::string plain = fmt::format("{:.{}f}", std::fabs(v), decimals);
  const auto dot = plain.find('.');
  const std::string whole = plain.substr(0, dot);
  std::string out;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += comma_decimal ? '.' : ',';
    out += whole[i];
  }
  if (dot != std::string::npos) out += (comma_decimal ? ',' : '.') + plain.substr(dot + 1);
  return (negative ? "-" : "") + out;
}

// A round step for about four grid lines over [0, span].
double grid_step(double span) {
  if (span <= 0) return 1;
  const double raw = span / 4;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * magnitude) return m * magnitude;
  return 10 * magnitude;
}

}  // namespace

const char* chart_colour(std::size_t i) {
  static constexpr const char* kColours[] = {"#0b6b4f", "#1a5fd0", "#b35c00", "#7a3fb0"};
  return kColours[i % 4];
}

std::string chart_value_text(double value, ChartUnit unit, const std::string& lang) {
  const bool pt = lang != "en";
  switch (unit) {
    case ChartUnit::percent:
      return grouped_number(value, std::fabs(value - std::round(value)) < 0.05 ? 0 : 1, pt) + "%";
    case ChartUnit::count:
      return grouped_number(value, std::fabs(value - std::round(value)) < 1e-9 ? 0 : 2, pt);
    case ChartUnit::cents:
      return (value < 0 ? "-" : "") + std::string(pt ? "R$ " : "R$") +
             grouped_number(std::fabs(value) / 100, 2, pt);
  }
  return {};
}

std::string render_svg_chart(const ChartSpec& spec) {
  double low = 0, high = 0;
  bool any = false;
  for (const auto& s : spec.series) {
    for (const auto& v : s.values) {
      if (!v) continue;
      any = true;
      low = std::min(low, *v);
      high = std::max(high, *v);
    }
  }
  if (spec.unit == ChartUnit::percent && high <= 100 && low >= 0) high = std::max(high, 10.0);
  if (high == low) high = low + 1;
  const double step = grid_step(high - low);
  low = std::floor(low / step) * step;
  high = std::ceil(high / step) * step;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const auto y_of = [&](double v) { return kTop + plot_h * (high - v) / (high - low); };
  const std::size_t n = spec.labels.size();
  const double slot = n == 0 ? plot_w : plot_w / static_cast<double>(n);
  const auto x_of = [&](std::size_t i) { return kLeft + slot * (static_cast<double>(i) + 0.5); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" "
      "font-family=\"system-ui, sans-serif\" font-size=\"16\">\n<title>{}</title>\n",
      kWidth, kHeight, svg_escape(spec.title), svg_escape(spec.title));
  if (!any) {
    return svg +
           fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#5b6475\">{}</text>\n</svg>\n",
                       kWidth / 2, kHeight / 2, svg_escape(spec.no_data));
  }
  for (double v = low; v <= high + step / 2; v += step) {
    const double y = y_of(v);
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#5b6475\">{}</text>\n",
        kLeft, y, kWidth - kRight, y, std::fabs(v) < step / 2 ? "#5b6475" : "#e3e6eb", kLeft - 6, y + 4,
        svg_escape(chart_value_text(v, spec.unit, spec.lang)));
  }
  // At most about six period labels fit under the axis.
  const std::size_t every = std::max<std::size_t>(1, (n + 5) / 6);
  for (std::size_t i = 0; i < n; i += every) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#5b6475\">{}</text>\n",
                       x_of(i), kHeight - kBottom + 22, svg_escape(spec.labels[i]));
  }
  const std::size_t k = spec.series.size();
  for (std::size_t s = 0; s < k; ++s) {
    const auto& series = spec.series[s];
    const char* colour = chart_colour(s);
    if (spec.kind == ChartKind::line) {
      std::string points;
      for (std::size_t i = 0; i < n && i < series.values.size(); ++i) {
        if (!series.values[i]) continue;
        points += fmt::format("{:.1f},{:.1f} ", x_of(i), y_of(*series.values[i]));
      }
      if (!points.empty())
        svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\" points=\"{}\"/>\n",
                           colour, points);
    }
    for (std::size_t i = 0; i < n && i < series.values.size(); ++i) {
      if (!series.values[i]) continue;
      const double v = *series.values[i];
      const std::string tip =
          svg_escape(series.name + ", " + spec.labels[i] + ": " + chart_value_text(v, spec.unit, spec.lang));
      if (spec.kind == ChartKind::line) {
        svg += fmt::format(
            "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"><title>{}</title></circle>\n", x_of(i),
            y_of(v), colour, tip);
      } else {
        const double bar_w = slot * 0.8 / static_cast<double>(k);
        const double x = kLeft + slot * static_cast<double>(i) + slot * 0.1 + bar_w * static_cast<double>(s);
        const double y0 = y_of(0), y1 = y_of(v);
        svg += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
            "fill=\"{}\"><title>{}</title></rect>\n",
            x, std::min(y0, y1), bar_w, std::fabs(y0 - y1), colour, tip);
      }
    }
  }
  return svg + "</svg>\n";
}

}  // namespace regua
