#pragma once
// The tokens of the segment filter language (docs/segments.md has the grammar): words, numbers,
// "quoted text", comparison operators, parentheses and commas, each with the column where it
// starts, so that every error can point at it.

#include <string>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"

namespace regua {

enum class TokenKind { word, number, text, op, lparen, rparen, comma, end };

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;  // as written; for TokenKind::text, the content without the quotes
  int column = 1;    // 1-based, in characters (UTF-8 code points) of the filter
};

// How a token is named in messages: "\">=\"", "\"abc\"", "the end of the filter".
std::string describe(const Token& token);

// An error at a column: "at column 14: <what>".
Error filter_error(int column, const std::string& what);

// Splits a filter into tokens; the last one is TokenKind::end. Refuses characters the language does
// not use (with their column) and text without its closing quote.
Result<std::vector<Token>> tokenize_filter(std::string_view filter);

}  // namespace regua
