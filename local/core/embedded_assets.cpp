#include "local/core/embedded_assets.hpp"

#include <algorithm>

namespace regua {

const EmbeddedAsset* find_asset(std::span<const EmbeddedAsset> assets, std::string_view path) {
  const auto it = std::find_if(assets.begin(), assets.end(), [&](const auto& a) { return a.path == path; });
  return it == assets.end() ? nullptr : &*it;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  std::size_t start = 0;
  while (start < if_none_match.size()) {
    auto end = if_none_match.find(',', start);
    if (end == std::string_view::npos) end = if_none_match.size();
    auto item = if_none_match.substr(start, end - start);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);  // weak comparison is what If-None-Match uses
    if (item == "*" || item == etag) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace regua
