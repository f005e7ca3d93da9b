#pragma once
// Reads [segments] and [[segment]] with the same strictness as the rest of the configuration: a
// custom segment's filter is parsed at load, so a mistake in it stops the agent with its line and
// column instead of surfacing at the first campaign.

#include <toml++/toml.h>

#include "agent/config/segments_options.hpp"
#include "agent/config/toml_reader.hpp"

namespace regua {

void read_segments(const toml::table& root, SegmentsConfig& segments, ConfigErrors& errors);

}  // namespace regua
