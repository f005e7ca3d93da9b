#include "local/rules/templates.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace regua {
namespace {

constexpr std::array kPlaceholders{
    PlaceholderInfo{"first_name", "the customer's first name", false, "cliente", "customer"},
    PlaceholderInfo{"name", "the customer's full name", false, "cliente", "customer"},
    PlaceholderInfo{"store", "the store's name ([store] name)", false, "", ""},
    PlaceholderInfo{"days_since_last", "days since the last purchase", false, "alguns", "some"},
    PlaceholderInfo{"purchases", "purchases so far (sales not cancelled)", false, "", ""},
    PlaceholderInfo{"last_purchase", "the date of the last purchase (dd/mm/yyyy)", false, "nenhuma data",
                    "no date"},
    PlaceholderInfo{"rating_url", "the service-rating form ([links] rating_url)", true, "", ""},
    PlaceholderInfo{"review_url", "the product-review form ([links] review_url)", true, "", ""},
    PlaceholderInfo{"survey_url", "the satisfaction survey ([links] survey_url)", true, "", ""},
};

const PlaceholderInfo* placeholder_info(std::string_view key) {
  for (const auto& p : kPlaceholders) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

bool known(std::string_view key) {
  return placeholder_info(key) != nullptr;
}

std::string known_list() {
  std::string out;
  for (const auto& p : kPlaceholders)
    out += (out.empty() ? "" : ", ") + std::string("{") + std::string(p.key) + "}";
  return out;
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || c == '_';
}

Error template_error(std::size_t index, const std::string& what) {
  return make_error(ErrorKind::config, "at character " + std::to_string(index + 1) + ": " + what);
}

class TemplateParser {
 public:
  explicit TemplateParser(std::string_view s) : s_(s) {}

  Result<std::vector<TemplatePart>> parse(bool in_group) {
    std::vector<TemplatePart> parts;
    std::string text;
    const auto flush = [&] {
      if (!text.empty()) parts.push_back({TemplatePart::Kind::text, std::move(text), {}, {}});
      text.clear();
    };
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '{' && i_ + 1 < s_.size() && s_[i_ + 1] == '{') {
        text += '{';
        i_ += 2;
      } else if (c == '}' && in_group) {
        // Inside an optional part the first lone '}' ends it (no literal braces there).
        flush();
        ++i_;
        closed_ = true;
        return parts;
      } else if (c == '}' && i_ + 1 < s_.size() && s_[i_ + 1] == '}') {
        text += '}';
        i_ += 2;
      } else if (c == '}') {
        return template_error(i_, "a '}' without its '{' (write }} for a literal brace)");
      } else if (c == '{') {
        flush();
        const std::size_t start = i_;
        ++i_;
        if (i_ < s_.size() && s_[i_] == '?') {
          if (in_group) return template_error(start, "an optional part {?...} cannot hold another");
          ++i_;
          auto children = parse(true);
          if (!children) return children.error();
          if (!closed_) return template_error(start, "the optional part {?... has no closing '}'");
          closed_ = false;
          TemplatePart g;
          g.kind = TemplatePart::Kind::group;
          g.children = std::move(*children);
          parts.push_back(std::move(g));
        } else {
          auto value = parse_value(start);
          if (!value) return value.error();
          parts.push_back(std::move(*value));
        }
      } else {
        text += c;
        ++i_;
      }
    }
    flush();
    return parts;  // inside a group the caller sees closed_ == false
  }

  bool closed_ = false;

 private:
  Result<TemplatePart> parse_value(std::size_t start) {
    std::string key;
    while (i_ < s_.size() && is_key_char(s_[i_]))
      key += s_[i_++];
    if (key.empty()) {
      return template_error(start, "expected a placeholder name after '{' (known: " + known_list() +
                                       "; write {{ for a literal brace)");
    }
    if (!known(key))
      return template_error(start, "unknown placeholder {" + key + "} (known: " + known_list() + ")");
    TemplatePart p;
    p.kind = TemplatePart::Kind::value;
    p.text = key;
    if (i_ < s_.size() && s_[i_] == '|') {
      ++i_;
      std::string fallback;
      while (i_ < s_.size() && s_[i_] != '}' && s_[i_] != '{')
        fallback += s_[i_++];
      p.fallback = std::move(fallback);
    }
    if (i_ >= s_.size() || s_[i_] != '}') {
      return template_error(start, "the placeholder {" + key + " has no closing '}'");
    }
    ++i_;
    return p;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

void collect_keys(const std::vector<TemplatePart>& parts, std::vector<std::string>& out) {
  for (const auto& p : parts) {
    if (p.kind == TemplatePart::Kind::value && std::find(out.begin(), out.end(), p.text) == out.end()) {
      out.push_back(p.text);
    }
    if (p.kind == TemplatePart::Kind::group) collect_keys(p.children, out);
  }
}

// Renders `parts`; false when a value without a fallback is missing (a group is then left out).
// Outside a group such a value reads the placeholder's default, so no text ever has a hole.
bool render_parts(const std::vector<TemplatePart>& parts, const TemplateValues& values, Language language,
                  bool in_group, std::string& out) {
  bool complete = true;
  for (const auto& p : parts) {
    switch (p.kind) {
      case TemplatePart::Kind::text:
        out += p.text;
        break;
      case TemplatePart::Kind::value: {
        auto v = values(p.text);
        if (v && !v->empty()) {
          out += *v;
        } else if (p.fallback) {
          out += *p.fallback;
        } else {
          complete = false;
          if (const PlaceholderInfo* info = placeholder_info(p.text); info != nullptr && !in_group)
            out += language == Language::en ? info->default_en : info->default_pt;
        }
        break;
      }
      case TemplatePart::Kind::group: {
        std::string inner;
        if (render_parts(p.children, values, language, true, inner)) out += inner;
        break;
      }
    }
  }
  return complete;
}

// The GSM 7-bit default alphabet beyond letters and digits, and its extension table (3GPP TS
// 23.038). Portuguese loses most of its accents to UCS-2: 'é' and 'à' are in GSM-7, 'á', 'ã', 'ê',
// 'í', 'ó', 'õ', 'ú' and 'ç' are not.
constexpr std::u32string_view kGsm7Basic =
    U"\n\r !\"#$%&'()*+,-./:;<=>?@_£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà";
constexpr std::u32string_view kGsm7Extension = U"\f^{}\\[~]|€";

// Septets a code point takes in GSM-7: 1 in the basic alphabet, 2 in its extension table (an
// escape and the character), 0 when it is not in GSM-7 at all.
int gsm7_septets(char32_t cp) {
  if ((cp >= U'A' && cp <= U'Z') || (cp >= U'a' && cp <= U'z') || (cp >= U'0' && cp <= U'9')) return 1;
  if (kGsm7Basic.find(cp) != std::u32string_view::npos) return 1;
  if (kGsm7Extension.find(cp) != std::u32string_view::npos) return 2;
  return 0;
}

// The next code point of `s` from `i` (moved past it); an invalid byte reads as U+FFFD.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const int extra = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xe ? 2 : (b >> 3) == 0x1e ? 3 : -1;
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
    ++i;
    return 0xfffd;
  }
  char32_t cp = extra == 0 ? b : b & (0x3f >> extra);
  for (int k = 1; k <= extra; ++k) {
    const auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((c & 0xc0) != 0x80) {
      ++i;
      return 0xfffd;
    }
    cp = (cp << 6) | (c & 0x3f);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

// Parts needed for characters of widths `widths` in parts of `per_part` units, none split.
int concatenated_parts(const std::vector<int>& widths, int per_part) {
  int parts = 1;
  int used = 0;
  for (const int w : widths) {
    if (used + w > per_part) {
      ++parts;
      used = 0;
    }
    used += w;
  }
  return parts;
}

}  // namespace

std::span<const PlaceholderInfo> template_placeholders() {
  return kPlaceholders;
}

std::vector<std::string> Template::keys() const {
  std::vector<std::string> out;
  collect_keys(parts, out);
  return out;
}

Result<Template> parse_template(std::string_view text) {
  TemplateParser parser(text);
  Template t;
  t.source = std::string(text);
  auto parts = parser.parse(false);
  if (!parts) return parts.error();
  t.parts = std::move(*parts);
  return t;
}

std::string render_template(const Template& t, const TemplateValues& values, Language language) {
  std::string out;
  render_parts(t.parts, values, language, false, out);
  return out;
}

std::string_view sms_encoding_name(SmsEncoding encoding) {
  return encoding == SmsEncoding::gsm7 ? "GSM-7" : "UCS-2";
}

SmsLength sms_length(std::string_view utf8) {
  std::vector<int> septets, units;
  SmsLength out;
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t start = i;
    const char32_t cp = next_code_point(utf8, i);
    const int gsm = gsm7_septets(cp);
    if (gsm == 0 && out.first_non_gsm.empty()) out.first_non_gsm = std::string(utf8.substr(start, i - start));
    septets.push_back(gsm);
    units.push_back(cp > 0xffff ? 2 : 1);
  }
  const bool gsm = out.first_non_gsm.empty();
  out.encoding = gsm ? SmsEncoding::gsm7 : SmsEncoding::ucs2;
  const auto& widths = gsm ? septets : units;
  for (const int w : widths)
    out.units += w;
  const int single = gsm ? 160 : 70;
  const int per_part = gsm ? 153 : 67;
  out.segments = out.units == 0 ? 0 : out.units <= single ? 1 : concatenated_parts(widths, per_part);
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

std::string whatsapp_link(std::string_view e164, std::string_view text) {
  std::string digits;
  for (const char c : e164) {
    if (c >= '0' && c <= '9') digits += c;
  }
  std::string link = "https://wa.me/" + digits;
  if (!text.empty()) link += "?text=" + url_encode(text);
  return link;
}

}  // namespace regua
