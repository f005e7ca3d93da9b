#include "local/core/toml_text.hpp"

#include <optional>
#include <string>

namespace regua {
namespace {

// The line of the first dotted key or header of more than kMaxTomlKeyParts parts, if any. A cheap
// scan: dots outside strings and comments, counted until something that ends a key (",=[]{}" or a
// newline); a float or a date in a value holds at most one or two.
std::optional<std::uint32_t> toml_line_too_deep(std::string_view text) {
  std::uint32_t line = 1;
  int dots = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      dots = 0;
      ++i;
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (c == '"' || c == '\'') {
      const bool triple = text.substr(i, 3) == std::string(3, c);
      const std::size_t open = triple ? 3 : 1;
      i += open;
      while (i < text.size()) {
        if (c == '"' && text[i] == '\\') {
          if (i + 1 < text.size() && text[i + 1] == '\n') ++line;
          i += 2;
          continue;
        }
        if (text[i] == '\n') {
          if (!triple) break;  // a broken string: toml++ says so
          ++line;
        }
        if (text.substr(i, open) == std::string(open, c)) {
          i += open;
          break;
        }
        ++i;
      }
    } else {
      if (c == '.' && ++dots >= kMaxTomlKeyParts) return line;
      if (c == ',' || c == '=' || c == '[' || c == ']' || c == '{' || c == '}') dots = 0;
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<toml::table> parse_toml_text(std::string_view text, const std::filesystem::path& file) {
  if (const auto line = toml_line_too_deep(text)) {
    return make_error(ErrorKind::config, file.string() + ":" + std::to_string(*line) +
                                             ": a key or table name of more than " +
                                             std::to_string(kMaxTomlKeyParts) +
                                             " dotted parts: no section of this file nests that deep");
  }
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    return make_error(ErrorKind::config, file.string() + ":" + std::to_string(e.source().begin.line) + ":" +
                                             std::to_string(e.source().begin.column) +
                                             ": not valid TOML: " + std::string(e.description()));
  }
}

std::string_view describe_type(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number with a fraction";
    case toml::node_type::boolean:
      return "true or false";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date or time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

}  // namespace regua
