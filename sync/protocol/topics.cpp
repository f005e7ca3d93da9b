#include "sync/protocol/topics.hpp"

#include <vector>

namespace regua::sync {

bool is_sync_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string topic_for(std::string_view network, std::string_view store, Direction direction,
                      std::string_view what) {
  std::string t(kTopicRoot);
  t.append("/").append(network).append("/").append(store);
  t.append(direction == Direction::up ? "/up/" : "/down/").append(what);
  return t;
}

std::string store_filter(std::string_view network, std::string_view store, Direction direction) {
  return topic_for(network, store, direction, "#");
}

std::string hub_filter(std::string_view network, std::string_view group) {
  std::string filter = group.empty() ? "" : "$share/" + std::string(group) + "/";
  filter.append(kTopicRoot).append("/").append(network).append("/+/up/#");
  return filter;
}

std::optional<TopicAddress> parse_topic(std::string_view topic) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto slash = topic.find('/', start);
    parts.push_back(
        topic.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 6 || parts[0] != "regua" || parts[1] != "v1") return std::nullopt;
  if (!is_sync_id(parts[2]) || !is_sync_id(parts[3]) || parts[5].empty()) return std::nullopt;
  TopicAddress a;
  a.network = parts[2];
  a.store = parts[3];
  if (parts[4] == "up") {
    a.direction = Direction::up;
  } else if (parts[4] == "down") {
    a.direction = Direction::down;
  } else {
    return std::nullopt;
  }
  a.what = parts[5];
  return a;
}

}  // namespace regua::sync
