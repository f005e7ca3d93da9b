#include "local/analysis/filter_lexer.hpp"

#include "local/core/ascii.hpp"

namespace regua {
namespace {

bool is_word_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_word_char(char c) {
  return is_word_start(c) || ascii::is_digit(c);
}

class Columns {
 public:
  explicit Columns(std::string_view text) : text_(text) {}
  // Columns count characters, not bytes: UTF-8 continuation bytes do not start one.
  int at(std::size_t offset) {
    for (; seen_ < offset && seen_ < text_.size(); ++seen_) {
      if ((static_cast<unsigned char>(text_[seen_]) & 0xC0) != 0x80) ++column_;
    }
    return column_;
  }

 private:
  std::string_view text_;
  std::size_t seen_ = 0;
  int column_ = 1;
};

// The character at `i` as people read it (a whole UTF-8 sequence).
std::string character_at(std::string_view s, std::size_t i) {
  std::size_t n = 1;
  while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80)
    ++n;
  return std::string(s.substr(i, n));
}

}  // namespace

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::end:
      return "the end of the filter";
    case TokenKind::text:
      return "the text \"" + token.text + "\"";
    default:
      return "\"" + token.text + "\"";
  }
}

Error filter_error(int column, const std::string& what) {
  return make_error(ErrorKind::config, "at column " + std::to_string(column) + ": " + what);
}

Result<std::vector<Token>> tokenize_filter(std::string_view s) {
  std::vector<Token> out;
  Columns columns(s);
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    const int column = columns.at(i);
    const std::size_t start = i;
    if (is_word_start(c)) {
      while (i < s.size() && is_word_char(s[i]))
        ++i;
      out.push_back({TokenKind::word, std::string(s.substr(start, i - start)), column});
    } else if (ascii::is_digit(c) || (c == '.' && i + 1 < s.size() && ascii::is_digit(s[i + 1]))) {
      // Digits, at most one '.', digits: "30", "0.5", "129.90". A word glued to it ("30d") is left
      // for the parser to refuse as what follows the number.
      bool dot = false;
      while (i < s.size() && (ascii::is_digit(s[i]) || (s[i] == '.' && !dot))) {
        dot = dot || s[i] == '.';
        ++i;
      }
      out.push_back({TokenKind::number, std::string(s.substr(start, i - start)), column});
    } else if (c == '"') {
      const auto close = s.find('"', i + 1);
      if (close == std::string_view::npos) {
        return filter_error(column, "the text starting here has no closing quote (\")");
      }
      out.push_back({TokenKind::text, std::string(s.substr(i + 1, close - i - 1)), column});
      i = close + 1;
    } else if (c == '(' || c == ')' || c == ',') {
      out.push_back({c == '('   ? TokenKind::lparen
                     : c == ')' ? TokenKind::rparen
                                : TokenKind::comma,
                     std::string(1, c), column});
      ++i;
    } else if (c == '=' || c == '<' || c == '>' || c == '!') {
      std::string op(s.substr(i, 2));
      if (op == "<=" || op == ">=" || op == "!=" || op == "<>" || op == "==") {
        i += 2;
      } else if (c == '!') {
        return filter_error(column, "unexpected character \"!\" (did you mean \"!=\"?)");
      } else {
        op = std::string(1, c);
        ++i;
      }
      if (op == "<>") op = "!=";
      if (op == "==") op = "=";
      out.push_back({TokenKind::op, op, column});
    } else {
      const std::string ch = character_at(s, i);
      std::string hint;
      if (c == '\'') hint = " (text goes between double quotes: \"...\")";
      if (c == '&' || c == '|') hint = " (write \"and\" / \"or\")";
      return filter_error(column, "unexpected character \"" + ch + "\"" + hint);
    }
  }
  out.push_back({TokenKind::end, "", columns.at(s.size())});
  return out;
}

}  // namespace regua
