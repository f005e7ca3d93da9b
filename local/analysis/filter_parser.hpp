#pragma once
// The segment filter language: a filter such as
//     purchases_last(90) >= 4 and days_since_last > 30 and has_valid_mobile
// is parsed by recursive descent into a type-checked tree (FilterNode); filter_sql.hpp turns the
// tree into a parameterised SQL condition. Every error names the column where it happened and what
// was expected there. docs/segments.md has the grammar and every field.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/money.hpp"
#include "local/core/result.hpp"

namespace regua {

// What a field holds decides what it may be compared with.
enum class FieldType {
  count,  // whole numbers: purchases, days, RFM scores
  ratio,  // a real number: P(alive)
  money,  // cents in the ledger, written in currency units in filters ("150", "99.90")
  flag,   // true or false
  cell,   // a lifecycle cell, written as its code or name in double quotes
};

enum class FieldId {
  purchases,
  purchases_last,
  days_since_last,
  total_spent,
  average_ticket,
  has_valid_mobile,
  has_valid_email,
  birthday_within,
  cell,
  rfm_r,
  rfm_f,
  rfm_m,
  p_alive,
  clv,
};

struct FieldInfo {
  FieldId id;
  std::string_view name;
  FieldType type;
  bool takes_days;  // written name(N): N whole days, 0..max_days
  int max_days;
  std::string_view meaning;
};

std::span<const FieldInfo> filter_fields();
const FieldInfo& field_info(FieldId id);

enum class CompareOp { eq, ne, lt, le, gt, ge };

struct Operand {
  enum class Kind { field, number, money, text, boolean, cell } kind = Kind::number;
  FieldId field = FieldId::purchases;
  int days = 0;          // the argument of a field written name(N)
  std::string text;      // a number as written; the content of text
  Cents cents = 0;       // Kind::money: a number compared with a money field
  bool boolean = false;  // Kind::boolean
  Cell cell;             // Kind::cell: text that named a cell
  int column = 1;
};

struct FilterNode {
  enum class Kind {
    any,
    all,
    negate,
    compare,
    member,
    flag
  } kind = Kind::flag;               // or, and, not, a op b, a in (...), a flag
  std::vector<FilterNode> children;  // any, all, negate
  Operand left;                      // compare, member, flag: a field
  CompareOp op = CompareOp::eq;
  std::vector<Operand> right;  // compare: one value or field; member: the list
};

// How deep "(" and "not" may nest in a filter; deeper is refused with an error, not a stack overflow.
inline constexpr int kMaxFilterNesting = 64;

// Parses and type-checks a filter. Errors are ErrorKind::config: "at column N: expected ..., found ...".
Result<FilterNode> parse_filter(std::string_view filter);

// Whether the filter reads a field (e.g. the RFM scores, which are computed only when needed).
bool filter_uses(const FilterNode& node, std::span<const FieldId> fields);

}  // namespace regua
