#pragma once
// The store's segmentation settings: [segments] (the lifecycle matrix's limits, the language of
// its cell names, how often aging is recorded) and [[segment]] (the store's own segments, written
// in the filter language). docs/config.md lists the keys; docs/segments.md says what they mean.

#include <vector>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/analysis/segment_catalog.hpp"

namespace regua {

struct SegmentsConfig {
  LifecycleThresholds thresholds;
  Language language = Language::pt_br;
  int refresh_minutes = 5;  // how often `run` records the cell changes that time alone makes
  std::vector<CustomSegment> custom;
};

}  // namespace regua
