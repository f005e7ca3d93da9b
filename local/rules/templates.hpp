#pragma once
// The texts of rules: a message, a task's title and instructions, with placeholders filled per
// customer at the moment the action fires. docs/rules.md has the syntax:
//
//   {first_name}            a value (the placeholders are listed by template_placeholders())
//   {first_name|cliente}    a value, or the text after '|' when the customer has none
//   {?, {first_name}}       an optional part: left out whole when a value inside it is missing,
//                           so "Oi{?, {first_name}}!" reads "Oi, Ana!" or "Oi!"
//   {{ and }}               literal braces
//
// Templates are parsed when a rule is built, so an unknown placeholder is an error at load time,
// never a blank in a customer's SMS.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"

namespace regua {

struct PlaceholderInfo {
  std::string_view key;
  std::string_view meaning;
  bool is_link;  // a link from the store's configuration: a rule using one needs it set
};
std::span<const PlaceholderInfo> template_placeholders();

struct TemplatePart {
  enum class Kind { text, value, group } kind = Kind::text;
  std::string text;                     // text: the literal; value: the key
  std::optional<std::string> fallback;  // value: written after '|'
  std::vector<TemplatePart> children;   // group: its text and values
};

struct Template {
  std::string source;  // as written
  std::vector<TemplatePart> parts;
  [[nodiscard]] bool empty() const { return source.empty(); }
  // The keys it uses, in order of first use.
  [[nodiscard]] std::vector<std::string> keys() const;
};

// Errors (ErrorKind::config) say where: "at character 12: unknown placeholder {fist_name} (known: ...)".
Result<Template> parse_template(std::string_view text);

// A customer's value for a key; empty (or an empty string) when missing.
using TemplateValues = std::function<std::optional<std::string>(std::string_view key)>;

std::string render_template(const Template& t, const TemplateValues& values);

// Percent-encoding of everything but unreserved characters (RFC 3986), UTF-8 byte by byte.
std::string url_encode(std::string_view text);

// https://wa.me/5511987654321?text=... for an E.164 number ("+5511987654321") and a text.
std::string whatsapp_link(std::string_view e164, std::string_view text);

}  // namespace regua
