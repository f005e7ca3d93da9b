#include "local/rules/templates.hpp"

#include <algorithm>
#include <array>

namespace regua {
namespace {

constexpr std::array kPlaceholders{
    PlaceholderInfo{"first_name", "the customer's first name", false},
    PlaceholderInfo{"name", "the customer's full name", false},
    PlaceholderInfo{"store", "the store's name ([store] name)", false},
    PlaceholderInfo{"days_since_last", "days since the last purchase", false},
    PlaceholderInfo{"purchases", "purchases so far (sales not cancelled)", false},
    PlaceholderInfo{"last_purchase", "the date of the last purchase (dd/mm/yyyy)", false},
    PlaceholderInfo{"rating_url", "the service-rating form ([links] rating_url)", true},
    PlaceholderInfo{"review_url", "the product-review form ([links] review_url)", true},
    PlaceholderInfo{"survey_url", "the satisfaction survey ([links] survey_url)", true},
};

bool known(std::string_view key) {
  return std::any_of(kPlaceholders.begin(), kPlaceholders.end(),
                     [&](const PlaceholderInfo& p) { return p.key == key; });
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

Error at(std::size_t index, const std::string& what) {
  return make_error(ErrorKind::config, "at character " + std::to_string(index + 1) + ": " + what);
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

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
        return at(i_, "a '}' without its '{' (write }} for a literal brace)");
      } else if (c == '{') {
        flush();
        const std::size_t start = i_;
        ++i_;
        if (i_ < s_.size() && s_[i_] == '?') {
          if (in_group) return at(start, "an optional part {?...} cannot hold another");
          ++i_;
          auto children = parse(true);
          if (!children) return children.error();
          if (!closed_) return at(start, "the optional part {?... has no closing '}'");
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
      return at(start, "expected a placeholder name after '{' (known: " + known_list() +
                           "; write {{ for a literal brace)");
    }
    if (!known(key)) return at(start, "unknown placeholder {" + key + "} (known: " + known_list() + ")");
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
      return at(start, "the placeholder {" + key + " has no closing '}'");
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
bool render_parts(const std::vector<TemplatePart>& parts, const TemplateValues& values, std::string& out) {
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
        }
        break;
      }
      case TemplatePart::Kind::group: {
        std::string inner;
        if (render_parts(p.children, values, inner)) out += inner;
        break;
      }
    }
  }
  return complete;
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
  Parser parser(text);
  Template t;
  t.source = std::string(text);
  auto parts = parser.parse(false);
  if (!parts) return parts.error();
  t.parts = std::move(*parts);
  return t;
}

std::string render_template(const Template& t, const TemplateValues& values) {
  std::string out;
  render_parts(t.parts, values, out);
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
