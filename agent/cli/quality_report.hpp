#pragma once
// How the data-quality figures (local/identity/quality.hpp) are shown: the `quality` object of
// `status --json` (docs/cli.md documents it; fields are only ever added) and its one-line summary.

#include <string>

#include <nlohmann/json.hpp>

#include "local/identity/quality.hpp"

namespace regua {

nlohmann::ordered_json render_quality_json(const DataQuality& q);
std::string render_quality_line(const DataQuality& q);

// "92%" for 0.92; "-" when there is nothing to compare with.
std::string percent(std::optional<double> share);

}  // namespace regua
