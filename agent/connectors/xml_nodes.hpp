#pragma once
// Namespace-blind navigation of a pugixml tree, as fiscal XML needs it: elements are found by their
// local name (without a "prefix:"), text is trimmed, and an element can say where it is (its path
// of local names and its line) for messages.

#include <cstdint>
#include <string>
#include <string_view>

#include <pugixml.hpp>

namespace regua::xml {

// "nfe:infNFe" -> "infNFe".
std::string_view local_name(const char* name);

// The first child element with this local name; an empty node when there is none.
pugi::xml_node child(pugi::xml_node node, std::string_view local);

// The first element with this local name along a path of children ("total/ICMSTot/vNF").
pugi::xml_node descend(pugi::xml_node node, std::string_view path);

// Calls f(element) for each child element with this local name, in order.
template <class F>
void for_each_child(pugi::xml_node node, std::string_view local, F&& f) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c.name()) == local) f(c);
  }
}

// The element's text with surrounding white space removed.
std::string_view text(pugi::xml_node node);

// "NFe/infNFe/ide/dhEmi": the local names from the document's root to the element.
std::string path_of(pugi::xml_node node);

}  // namespace regua::xml
