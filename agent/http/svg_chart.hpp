#pragma once
// Charts drawn on the server as SVG, for pages that must work with no internet and no script
// library: a series of values over labelled periods, as lines or grouped bars, with a zero line,
// four grid lines, axis labels formatted per language and a <title> on every point (what a mouse
// or a screen reader reads). Holds nothing about the agent: the hub's dashboard can draw the same.

#include <optional>
#include <string>
#include <vector>

namespace regua {

enum class ChartKind { line, bars };
enum class ChartUnit { percent, count, cents };

struct ChartSeries {
  std::string name;                           // in the page's language; the <title> of its points
  std::vector<std::optional<double>> values;  // one per label; none: no figure for that period
};

struct ChartSpec {
  std::string title;                // the SVG's accessible name
  std::vector<std::string> labels;  // the periods, already formatted
  std::vector<ChartSeries> series;  // drawn in the colours of chart_colour(0), (1), ...
  ChartKind kind = ChartKind::line;
  ChartUnit unit = ChartUnit::count;
  std::string no_data = "-";   // shown instead of axes when no series has a value
  std::string lang = "pt-BR";  // pt-BR or en: decimal comma and "R$ 1.234,56", or "R$1,234.56"
};

// The colour of the i-th series (a page's legend uses the same).
const char* chart_colour(std::size_t i);
std::string render_svg_chart(const ChartSpec& spec);
// A value as the chart labels it: "12,5%", "1.234", "R$ 1.234,56" (pt-BR) or "12.5%", "1,234",
// "R$1,234.56" (en).
std::string chart_value_text(double value, ChartUnit unit, const std::string& lang);

}  // namespace regua
