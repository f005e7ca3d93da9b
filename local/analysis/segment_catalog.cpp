#include "local/analysis/segment_catalog.hpp"

#include <algorithm>
#include <array>

#include "local/analysis/filter_parser.hpp"
#include "local/core/ascii.hpp"

namespace regua {
namespace {

struct RfmSegment {
  std::string_view code, pt_title, en_title, filter, pt_description, en_description;
};

// Fixed filters over the RFM scores (rfm.hpp). They may overlap: each is a list for a campaign.
constexpr std::array kRfmSegments{
    RfmSegment{"champions", "Campeões", "Champions", "rfm_r >= 4 and rfm_f >= 4 and rfm_m >= 4",
               "compraram há pouco, compram muito e gastam muito",
               "bought recently, buy often and spend the most"},
    RfmSegment{"at_risk", "Em risco", "At risk", "rfm_r <= 2 and rfm_f >= 3",
               "compravam com frequência e sumiram", "used to buy often and have gone quiet"},
    RfmSegment{"cant_lose", "Não podemos perder", "Can't lose them",
               "rfm_r <= 2 and rfm_f >= 4 and rfm_m >= 4",
               "entre os que mais compraram, mas não voltam há tempo",
               "among the biggest buyers, but not back for a long time"},
    RfmSegment{"hibernating", "Hibernando", "Hibernating", "rfm_r <= 2 and rfm_f <= 2",
               "poucas compras, há muito tempo", "few purchases, long ago"},
    RfmSegment{"recent_buyers", "Compradores recentes", "Recent buyers", "rfm_r >= 4 and rfm_f <= 2",
               "compraram há pouco, ainda poucas vezes", "bought recently, only a few times so far"},
    RfmSegment{"big_spenders", "Quem mais gasta", "Big spenders", "rfm_m = 5",
               "o quinto que mais gastou na loja", "the fifth who spent the most in the store"},
};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         (static_cast<unsigned char>(c) & 0x80) != 0;  // letters with accents (UTF-8)
}

}  // namespace

std::vector<SegmentDefinition> builtin_segments(Language language) {
  std::vector<SegmentDefinition> out;
  for (int i = 0; i < kCells; ++i) {
    const Cell cell = Cell::from_index(i);
    out.push_back({SegmentDefinition::Kind::cell, std::string(cell_code(cell)),
                   std::string(cell_name(cell, language)), "cell = \"" + std::string(cell_code(cell)) + "\"",
                   std::string(cell_advice(cell, language))});
  }
  for (const auto& r : kRfmSegments) {
    const bool en = language == Language::en;
    out.push_back({SegmentDefinition::Kind::rfm, std::string(r.code),
                   std::string(en ? r.en_title : r.pt_title), std::string(r.filter),
                   std::string(en ? r.en_description : r.pt_description)});
  }
  return out;
}

std::optional<SegmentDefinition> find_segment(std::string_view name, std::span<const CustomSegment> custom,
                                              Language language) {
  for (auto& s : builtin_segments(language)) {
    if (ascii::iequals(name, s.name) || ascii::iequals(name, s.title)) return s;
  }
  if (const auto cell = cell_from_text(name)) {  // a cell's name in the other language
    for (auto& s : builtin_segments(language)) {
      if (s.name == cell_code(*cell)) return s;
    }
  }
  for (const auto& c : custom) {
    if (ascii::iequals(name, c.name)) {
      return SegmentDefinition{SegmentDefinition::Kind::custom, c.name, c.name, c.filter, c.description};
    }
  }
  return std::nullopt;
}

Status check_custom_segment(const CustomSegment& segment) {
  const std::string label = "segment \"" + segment.name + "\"";
  if (segment.name.empty() || segment.name.size() > 64 ||
      !std::all_of(segment.name.begin(), segment.name.end(), is_name_char)) {
    return make_error(ErrorKind::config, label + ": a segment name is 1 to 64 letters, digits, '-' or '_'");
  }
  for (const Language language : {Language::pt_br, Language::en}) {
    for (const auto& s : builtin_segments(language)) {
      if (ascii::iequals(segment.name, s.name) || ascii::iequals(segment.name, s.title)) {
        return make_error(ErrorKind::config, label + ": the name is taken by a built-in segment (" + s.name +
                                                 "); choose another one");
      }
    }
  }
  if (auto parsed = parse_filter(segment.filter); !parsed) return parsed.error().within(label + " filter");
  return {};
}

}  // namespace regua
