#pragma once
// The texts of rules: a message, a task's title and instructions, with placeholders filled per
// customer at the moment the action fires. docs/rules.md has the syntax:
//
//   {first_name}            a value (the placeholders are listed by template_placeholders());
//                           when the customer has none, the placeholder's own default in the
//                           rules' language ("cliente" for a name), never a blank
//   {first_name|cliente}    a value, or the text after '|' when the customer has none
//   {?, {first_name}}       an optional part: left out whole when a value inside it is missing
//                           (and has no '|' fallback), so "Oi{?, {first_name}}!" reads "Oi, Ana!"
//                           or "Oi!"
//   {{ and }}               literal braces
//
// Templates are parsed when a rule is built, so an unknown placeholder is an error at load time,
// never a blank in a customer's SMS. sms_length() counts what a rendered text costs as SMS.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/result.hpp"

namespace regua {

struct PlaceholderInfo {
  std::string_view key;
  std::string_view meaning;
  bool is_link;  // a link from the store's configuration: a rule using one needs it set
  // What a value outside an optional part reads when the customer has none (pt-BR, English).
  // Empty for values every customer has (the store's name, a configured link, purchases).
  std::string_view default_pt, default_en;
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

// A value missing outside an optional part reads its '|' fallback, else the placeholder's default
// in `language` (PlaceholderInfo).
std::string render_template(const Template& t, const TemplateValues& values,
                            Language language = Language::pt_br);

// What a text costs as SMS (3GPP TS 23.038): GSM-7 when every character is in the GSM 7-bit
// alphabet (its extension table's ^ { } \ [ ~ ] | € count two septets), else UCS-2 (UTF-16 code
// units: an emoji outside the Basic Multilingual Plane counts two). One SMS holds 160 septets or 70
// units; a longer text is sent in parts of 153 septets or 67 units (the rest carries the header
// that joins them), and a two-septet character or a surrogate pair is never split between parts.
enum class SmsEncoding { gsm7, ucs2 };
std::string_view sms_encoding_name(SmsEncoding encoding);  // "GSM-7", "UCS-2"

struct SmsLength {
  SmsEncoding encoding = SmsEncoding::gsm7;
  int units = 0;              // septets (GSM-7) or UTF-16 code units (UCS-2)
  int segments = 0;           // SMS billed; 0 for an empty text
  std::string first_non_gsm;  // UCS-2: the first character that is not in GSM-7 (UTF-8), for messages
};
SmsLength sms_length(std::string_view utf8);

// Percent-encoding of everything but unreserved characters (RFC 3986), UTF-8 byte by byte.
std::string url_encode(std::string_view text);

// https://wa.me/5511987654321?text=... for an E.164 number ("+5511987654321") and a text.
std::string whatsapp_link(std::string_view e164, std::string_view text);

}  // namespace regua
