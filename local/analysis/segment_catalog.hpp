#pragma once
// Every segment a store can name: the nine cells of the lifecycle matrix, the RFM-derived segments
// (fixed filters over the RFM scores) and the store's own, defined in its configuration with the
// filter language. `regua-agent customers --segment NAME` and rules look them up here.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/result.hpp"

namespace regua {

// A segment the store defines: [[segment]] name = "...", filter = "..." (docs/segments.md).
struct CustomSegment {
  std::string name;
  std::string filter;
  std::string description;
};

struct SegmentDefinition {
  enum class Kind { cell, rfm, custom } kind = Kind::custom;
  std::string name;    // what --segment takes: a cell's code, an RFM segment's code, a custom name
  std::string title;   // what people read, in the store's language
  std::string filter;  // in the filter language
  std::string description;
};

// The nine cells, then the RFM segments, in the store's language.
std::vector<SegmentDefinition> builtin_segments(Language language);

// A name as --segment takes it: a built-in code, a cell's name in either language, or a custom
// segment's name (ASCII letters compared without case).
std::optional<SegmentDefinition> find_segment(std::string_view name, std::span<const CustomSegment> custom,
                                              Language language);

// A custom segment is usable: its name is 1-64 letters, digits, '-', '_' or spaces and is not
// already a built-in segment's, and its filter parses. The error reads
//   segment "vip" filter: at column 14: expected a number after ">=", found "abc"
Status check_custom_segment(const CustomSegment& segment);

}  // namespace regua
