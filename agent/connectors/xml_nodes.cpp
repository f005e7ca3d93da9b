#include "agent/connectors/xml_nodes.hpp"

#include <cstring>
#include <vector>

namespace regua::xml {

std::string_view local_name(const char* name) {
  std::string_view n(name);
  const auto colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c.name()) == local) return c;
  }
  return {};
}

pugi::xml_node descend(pugi::xml_node node, std::string_view path) {
  while (node && !path.empty()) {
    const auto slash = path.find('/');
    node = child(node, path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return node;
}

std::string_view text(pugi::xml_node node) {
  std::string_view s(node.child_value());
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::string path_of(pugi::xml_node node) {
  std::vector<std::string_view> names;
  for (; node && node.type() == pugi::node_element; node = node.parent())
    names.push_back(local_name(node.name()));
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (!out.empty()) out += '/';
    out += *it;
  }
  return out;
}

}  // namespace regua::xml
