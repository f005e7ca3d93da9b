#include "local/analysis/filter_parser.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "local/analysis/filter_lexer.hpp"
#include "local/core/ascii.hpp"

namespace regua {
namespace {

constexpr std::array kFilterFields{
    FieldInfo{FieldId::purchases, "purchases", FieldType::count, false, 0,
              "purchases (sales not cancelled), ever"},
    FieldInfo{FieldId::purchases_last, "purchases_last", FieldType::count, true, 3660,
              "purchases made in the last N days (today and the N days before it)"},
    FieldInfo{FieldId::days_since_last, "days_since_last", FieldType::count, false, 0,
              "store-local calendar days since the last purchase (0: today)"},
    FieldInfo{FieldId::total_spent, "total_spent", FieldType::money, false, 0, "sum of the purchases"},
    FieldInfo{FieldId::average_ticket, "average_ticket", FieldType::money, false, 0,
              "total_spent / purchases"},
    FieldInfo{FieldId::has_valid_mobile, "has_valid_mobile", FieldType::flag, false, 0,
              "the phone on file is a valid mobile number"},
    FieldInfo{FieldId::has_valid_email, "has_valid_email", FieldType::flag, false, 0,
              "the e-mail on file is a valid address"},
    FieldInfo{FieldId::birthday_within, "birthday_within", FieldType::flag, true, 366,
              "the birthday falls today or in the next N days"},
    FieldInfo{FieldId::cell, "cell", FieldType::cell, false, 0, "the lifecycle matrix cell today"},
    FieldInfo{FieldId::rfm_r, "rfm_r", FieldType::count, false, 0, "RFM recency score, 1-5 (5: most recent)"},
    FieldInfo{FieldId::rfm_f, "rfm_f", FieldType::count, false, 0,
              "RFM frequency score, 1-5 (5: most purchases)"},
    FieldInfo{FieldId::rfm_m, "rfm_m", FieldType::count, false, 0, "RFM monetary score, 1-5 (5: most spent)"},
    FieldInfo{FieldId::p_alive, "p_alive", FieldType::ratio, false, 0,
              "predicted probability of still being a customer (regua-agent predict)"},
    FieldInfo{FieldId::clv, "clv", FieldType::money, false, 0, "predicted CLV (regua-agent predict)"},
};

bool is_word(const Token& t, std::string_view w) {
  return t.kind == TokenKind::word && t.text.size() == w.size() &&
         std::equal(w.begin(), w.end(), t.text.begin(),
                    [](char a, char b) { return a == ascii::to_lower(b); });
}

bool is_keyword(const Token& t) {
  for (const auto* k : {"and", "or", "not", "in", "true", "false"}) {
    if (is_word(t, k)) return true;
  }
  return false;
}

const FieldInfo* find_filter_field(const Token& t) {
  for (const auto& f : kFilterFields) {
    if (is_word(t, f.name)) return &f;
  }
  return nullptr;
}

std::string field_list() {
  std::string out;
  for (const auto& f : kFilterFields)
    out += (out.empty() ? "" : ", ") + std::string(f.name) + (f.takes_days ? "(N)" : "");
  return out;
}

std::string cell_list() {
  std::string out;
  for (int i = 0; i < kCells; ++i)
    out += (out.empty() ? "" : ", ") + std::string(cell_code(Cell::from_index(i)));
  return out;
}

std::string_view type_name(FieldType t) {
  switch (t) {
    case FieldType::count:
      return "a number";
    case FieldType::ratio:
      return "a number";
    case FieldType::money:
      return "an amount of money";
    case FieldType::flag:
      return "true or false";
    case FieldType::cell:
      return "a cell";
  }
  return "a value";
}

// What may stand on the other side of a field of type `t`, for messages.
std::string_view expected_value(FieldType t) {
  switch (t) {
    case FieldType::count:
    case FieldType::ratio:
      return "a number";
    case FieldType::money:
      return "a number (an amount such as 150 or 99.90)";
    case FieldType::flag:
      return "true or false";
    case FieldType::cell:
      return "a cell in double quotes (e.g. \"loyal_slipping\")";
  }
  return "a value";
}

bool numeric(FieldType t) {
  return t == FieldType::count || t == FieldType::ratio;
}

bool comparable(FieldType a, FieldType b) {
  return a == b || (numeric(a) && numeric(b));
}

CompareOp op_from(std::string_view t) {
  if (t == "!=") return CompareOp::ne;
  if (t == "<") return CompareOp::lt;
  if (t == "<=") return CompareOp::le;
  if (t == ">") return CompareOp::gt;
  if (t == ">=") return CompareOp::ge;
  return CompareOp::eq;
}

// a op b == b mirrored(op) a
CompareOp mirrored(CompareOp op) {
  switch (op) {
    case CompareOp::lt:
      return CompareOp::gt;
    case CompareOp::le:
      return CompareOp::ge;
    case CompareOp::gt:
      return CompareOp::lt;
    case CompareOp::ge:
      return CompareOp::le;
    default:
      return op;
  }
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<FilterNode> parse() {
    FilterNode root = parse_or();
    if (!error_ && peek().kind != TokenKind::end) {
      fail(peek().column, "expected \"and\", \"or\" or the end of the filter, found " + describe(peek()));
    }
    if (error_) return *error_;
    return root;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

  void fail(int column, const std::string& what) {
    if (!error_) error_ = filter_error(column, what);
  }

  // Nesting costs stack in this parser and in everything that walks the tree (SQL, evaluation),
  // so a filter may nest only as deep as a person would ever write one.
  bool enter(const Token& at) {
    if (++depth_ <= kMaxFilterNesting) return true;
    fail(at.column, "the filter nests \"(\" and \"not\" more than " + std::to_string(kMaxFilterNesting) +
                        " deep; write it with fewer levels");
    return false;
  }

  FilterNode parse_or() {
    FilterNode first = parse_and();
    if (error_ || !is_word(peek(), "or")) return first;
    FilterNode any;
    any.kind = FilterNode::Kind::any;
    any.children.push_back(std::move(first));
    while (!error_ && is_word(peek(), "or")) {
      next();
      any.children.push_back(parse_and());
    }
    return any;
  }

  FilterNode parse_and() {
    FilterNode first = parse_unary();
    if (error_ || !is_word(peek(), "and")) return first;
    FilterNode all;
    all.kind = FilterNode::Kind::all;
    all.children.push_back(std::move(first));
    while (!error_ && is_word(peek(), "and")) {
      next();
      all.children.push_back(parse_unary());
    }
    return all;
  }

  FilterNode parse_unary() {
    if (is_word(peek(), "not")) {
      if (!enter(peek())) return {};
      next();
      FilterNode n;
      n.kind = FilterNode::Kind::negate;
      n.children.push_back(parse_unary());
      --depth_;
      return n;
    }
    return parse_primary();
  }

  FilterNode parse_primary() {
    if (error_) return {};
    if (peek().kind == TokenKind::lparen) {
      if (!enter(peek())) return {};
      const Token open = next();
      FilterNode inner = parse_or();
      --depth_;
      if (error_) return {};
      if (peek().kind != TokenKind::rparen) {
        fail(peek().column, "expected \"and\", \"or\" or \")\" to close the \"(\" at column " +
                                std::to_string(open.column) + ", found " + describe(peek()));
        return {};
      }
      next();
      return inner;
    }
    if (peek().kind == TokenKind::end) {
      fail(peek().column, "expected a condition (e.g. purchases >= 2), found the end of the filter");
      return {};
    }
    auto left = parse_operand();
    if (error_) return {};
    if (!left) {
      const Token& t = peek();
      if (t.kind == TokenKind::word && !is_keyword(t)) {
        fail(t.column, "unknown field \"" + t.text + "\" (fields: " + field_list() + ")");
      } else {
        fail(t.column, "expected a condition (e.g. purchases >= 2), found " + describe(t));
      }
      return {};
    }
    const Token& after = peek();
    if (after.kind == TokenKind::op) return parse_comparison(std::move(*left));
    if (is_word(after, "in")) return parse_member(std::move(*left));
    if (left->kind == Operand::Kind::field && field_info(left->field).type == FieldType::flag) {
      FilterNode n;
      n.kind = FilterNode::Kind::flag;
      n.left = std::move(*left);
      return n;
    }
    fail(after.column, "expected a comparison (=, !=, <, <=, >, >=, in) after " + operand_text(*left) +
                           ", found " + describe(after));
    return {};
  }

  std::string operand_text(const Operand& o) const {
    if (o.kind != Operand::Kind::field) return "\"" + o.text + "\"";
    const auto& f = field_info(o.field);
    return "\"" + std::string(f.name) + (f.takes_days ? "(" + std::to_string(o.days) + ")" : "") + "\"";
  }

  // A field, a number, a text or true/false; empty (without consuming) when the token is none.
  std::optional<Operand> parse_operand() {
    const Token& t = peek();
    Operand o;
    o.column = t.column;
    o.text = t.text;
    if (t.kind == TokenKind::number) {
      next();
      o.kind = Operand::Kind::number;
      return o;
    }
    if (t.kind == TokenKind::text) {
      next();
      o.kind = Operand::Kind::text;
      return o;
    }
    if (is_word(t, "true") || is_word(t, "false")) {
      next();
      o.kind = Operand::Kind::boolean;
      o.boolean = is_word(t, "true");
      return o;
    }
    const FieldInfo* f = find_filter_field(t);
    if (f == nullptr) return std::nullopt;
    next();
    o.kind = Operand::Kind::field;
    o.field = f->id;
    if (!f->takes_days) {
      if (peek().kind == TokenKind::lparen) {
        fail(peek().column, "\"" + std::string(f->name) + "\" takes no argument: remove the \"(\"");
      }
      return o;
    }
    const std::string usage =
        std::string(f->name) + "(N), N whole days from 0 to " + std::to_string(f->max_days);
    if (peek().kind != TokenKind::lparen) {
      fail(peek().column, "expected \"(\" after \"" + std::string(f->name) + "\" (write " + usage +
                              "), found " + describe(peek()));
      return o;
    }
    next();
    const Token& n = peek();
    int days = -1;
    if (n.kind == TokenKind::number && n.text.find('.') == std::string::npos && n.text.size() <= 6) {
      std::from_chars(n.text.data(), n.text.data() + n.text.size(), days);
    }
    if (days < 0 || days > f->max_days) {
      fail(n.column, "expected a number of days after \"" + std::string(f->name) + "(\" (write " + usage +
                         "), found " + describe(n));
      return o;
    }
    o.days = days;
    next();
    if (peek().kind != TokenKind::rparen) {
      fail(peek().column,
           "expected \")\" after \"" + std::string(f->name) + "(" + n.text + "\", found " + describe(peek()));
    } else {
      next();
    }
    return o;
  }

  // Checks `value` against a field of type `t` and converts it (money to cents, text to a cell).
  // `where` says where it is, for the message ("after \">=\"").
  void check_value(FieldType t, Operand& value, const std::string& where) {
    if (value.kind == Operand::Kind::field) return;  // field against field: checked by the caller
    const std::string found =
        value.kind == Operand::Kind::text ? "the text \"" + value.text + "\"" : "\"" + value.text + "\"";
    const auto wrong = [&] {
      fail(value.column, "expected " + std::string(expected_value(t)) + " " + where + ", found " + found);
    };
    switch (t) {
      case FieldType::count:
      case FieldType::ratio:
        if (value.kind != Operand::Kind::number) return wrong();
        if (value.text.size() > 15) return fail(value.column, "the number " + value.text + " is too large");
        return;
      case FieldType::money: {
        if (value.kind != Operand::Kind::number) return wrong();
        auto cents = parse_amount(value.text);
        if (!cents) {
          return fail(value.column,
                      "expected an amount with at most two decimals " + where + ", found " + found);
        }
        value.kind = Operand::Kind::money;
        value.cents = *cents;
        return;
      }
      case FieldType::flag:
        if (value.kind != Operand::Kind::boolean) return wrong();
        return;
      case FieldType::cell: {
        if (value.kind != Operand::Kind::text) return wrong();
        auto cell = cell_from_text(value.text);
        if (!cell) {
          return fail(value.column, "unknown cell \"" + value.text + "\" (cells: " + cell_list() +
                                        ", or their names in Portuguese or English)");
        }
        value.kind = Operand::Kind::cell;
        value.cell = *cell;
        return;
      }
    }
  }

  FilterNode parse_comparison(Operand left) {
    const Token op_token = next();
    CompareOp op = op_from(op_token.text);
    const std::string after = "\"" + op_token.text + "\"";
    auto right = parse_operand();
    if (error_) return {};
    if (!right) {
      const FieldType t = left.kind == Operand::Kind::field ? field_info(left.field).type : FieldType::count;
      const Token& found = peek();
      if (left.kind == Operand::Kind::field) {
        fail(found.column,
             "expected " + std::string(expected_value(t)) + " after " + after + ", found " + describe(found));
      } else {
        fail(found.column,
             "expected a field after " + after + " (fields: " + field_list() + "), found " + describe(found));
      }
      return {};
    }
    if (left.kind != Operand::Kind::field && right->kind != Operand::Kind::field) {
      fail(left.column, "a comparison needs a field on one side (e.g. purchases >= 2), found " +
                            operand_text(left) + " " + op_token.text + " " + operand_text(*right));
      return {};
    }
    if (left.kind != Operand::Kind::field) {  // 30 < days_since_last: the field goes left
      std::swap(left, *right);
      op = mirrored(op);
    }
    const auto& lf = field_info(left.field);
    if ((lf.type == FieldType::flag || lf.type == FieldType::cell) && op != CompareOp::eq &&
        op != CompareOp::ne) {
      fail(op_token.column, "\"" + std::string(lf.name) + "\" is " + std::string(type_name(lf.type)) +
                                ": compare it with = or != only, found \"" + op_token.text + "\"");
      return {};
    }
    if (right->kind == Operand::Kind::field) {
      const auto& rf = field_info(right->field);
      if (!comparable(lf.type, rf.type)) {
        fail(right->column, "cannot compare \"" + std::string(lf.name) + "\" (" +
                                std::string(type_name(lf.type)) + ") with \"" + std::string(rf.name) +
                                "\" (" + std::string(type_name(rf.type)) + ")");
        return {};
      }
    } else {
      check_value(lf.type, *right,
                  right->column > left.column ? "after " + after : "to compare with " + operand_text(left));
      if (error_) return {};
    }
    FilterNode n;
    n.kind = FilterNode::Kind::compare;
    n.left = std::move(left);
    n.op = op;
    n.right.push_back(std::move(*right));
    return n;
  }

  FilterNode parse_member(Operand left) {
    const Token in = next();
    if (left.kind != Operand::Kind::field) {
      fail(left.column, "expected a field before \"in\", found " + operand_text(left));
      return {};
    }
    const auto& f = field_info(left.field);
    if (f.type == FieldType::flag) {
      fail(in.column,
           "\"" + std::string(f.name) + "\" is true or false: compare it with = or !=, not \"in\"");
      return {};
    }
    if (peek().kind != TokenKind::lparen) {
      fail(peek().column,
           "expected \"(\" after \"in\" (write in (value, value, ...)), found " + describe(peek()));
      return {};
    }
    next();
    FilterNode n;
    n.kind = FilterNode::Kind::member;
    n.left = std::move(left);
    for (;;) {
      const Token& t = peek();
      auto value = parse_operand();
      if (error_) return {};
      if (!value || value->kind == Operand::Kind::field) {
        fail(t.column, "expected " + std::string(expected_value(f.type)) +
                           " in the list after \"in\", found " + describe(t));
        return {};
      }
      check_value(f.type, *value, "in the list after \"in\"");
      if (error_) return {};
      n.right.push_back(std::move(*value));
      if (peek().kind == TokenKind::comma) {
        next();
        continue;
      }
      if (peek().kind == TokenKind::rparen) {
        next();
        return n;
      }
      fail(peek().column, "expected \",\" or \")\" in the list after \"in\", found " + describe(peek()));
      return {};
    }
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::optional<Error> error_;
};

}  // namespace

std::span<const FieldInfo> filter_fields() {
  return kFilterFields;
}

const FieldInfo& field_info(FieldId id) {
  return kFilterFields[static_cast<std::size_t>(id)];
}

Result<FilterNode> parse_filter(std::string_view filter) {
  auto tokens = tokenize_filter(filter);
  if (!tokens) return tokens.error();
  return Parser(std::move(*tokens)).parse();
}

bool filter_uses(const FilterNode& node, std::span<const FieldId> fields) {
  const auto reads = [&](const Operand& o) {
    return o.kind == Operand::Kind::field && std::find(fields.begin(), fields.end(), o.field) != fields.end();
  };
  if (node.kind == FilterNode::Kind::compare || node.kind == FilterNode::Kind::member ||
      node.kind == FilterNode::Kind::flag) {
    if (reads(node.left)) return true;
    return std::any_of(node.right.begin(), node.right.end(), reads);
  }
  return std::any_of(node.children.begin(), node.children.end(),
                     [&](const FilterNode& c) { return filter_uses(c, fields); });
}

}  // namespace regua
