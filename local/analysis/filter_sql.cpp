#include "local/analysis/filter_sql.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "local/core/clock.hpp"
#include "local/predict/predictions.hpp"

namespace regua {
namespace {

std::string month_day(std::int64_t day) {
  // "MM-DD" of a local day: how a birthday's yearly date compares.
  return format_local_day(day).substr(5);
}

bool leap(std::int64_t day) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}}.year().is_leap();
}

// How much evaluating a field costs per customer: 0 a column, 1 a function call or a join, 2 a count
// over the customer's recent sales.
int field_cost(FieldId f) {
  switch (f) {
    case FieldId::purchases_last:
      return 2;
    case FieldId::days_since_last:
    case FieldId::birthday_within:
    case FieldId::cell:
    case FieldId::rfm_r:
    case FieldId::p_alive:
    case FieldId::clv:
      return 1;
    default:
      return 0;
  }
}

int cost(const FilterNode& n) {
  int c = 0;
  const auto operand = [&](const Operand& o) {
    if (o.kind == Operand::Kind::field) c = std::max(c, field_cost(o.field));
  };
  operand(n.left);
  for (const auto& r : n.right)
    operand(r);
  for (const auto& child : n.children)
    c = std::max(c, cost(child));
  return c;
}

class Emitter {
 public:
  explicit Emitter(const FilterContext& c) : c_(c) {}

  Status node(const FilterNode& n) {
    switch (n.kind) {
      case FilterNode::Kind::any:
      case FilterNode::Kind::all: {
        // SQLite evaluates the terms in the order written and stops at the first that decides: the
        // cheap ones go first, so a count of recent sales runs only for customers still in play.
        // AND and OR are commutative, also with NULLs, so the result is the same.
        std::vector<const FilterNode*> order;
        for (const auto& c : n.children)
          order.push_back(&c);
        std::stable_sort(order.begin(), order.end(),
                         [](const FilterNode* a, const FilterNode* b) { return cost(*a) < cost(*b); });
        sql += "(";
        for (std::size_t i = 0; i < order.size(); ++i) {
          if (i > 0) sql += n.kind == FilterNode::Kind::any ? " OR " : " AND ";
          if (auto s = node(*order[i]); !s) return s;
        }
        sql += ")";
        return {};
      }
      case FilterNode::Kind::negate: {
        sql += "(NOT ";
        if (auto s = node(n.children.front()); !s) return s;
        sql += ")";
        return {};
      }
      case FilterNode::Kind::flag:
        sql += "(";
        if (auto s = operand(n.left); !s) return s;
        sql += ")";
        return {};
      case FilterNode::Kind::compare: {
        sql += "(";
        if (auto s = operand(n.left); !s) return s;
        sql += op(n.op);
        if (auto s = operand(n.right.front()); !s) return s;
        sql += ")";
        return {};
      }
      case FilterNode::Kind::member: {
        sql += "(";
        if (auto s = operand(n.left); !s) return s;
        sql += " IN (";
        for (std::size_t i = 0; i < n.right.size(); ++i) {
          if (i > 0) sql += ", ";
          if (auto s = operand(n.right[i]); !s) return s;
        }
        sql += "))";
        return {};
      }
    }
    return {};
  }

  std::string sql;
  std::vector<SqlValue> params;
  bool reads_predictions = false;

 private:
  static std::string_view op(CompareOp o) {
    switch (o) {
      case CompareOp::eq:
        return " = ";
      case CompareOp::ne:
        return " != ";
      case CompareOp::lt:
        return " < ";
      case CompareOp::le:
        return " <= ";
      case CompareOp::gt:
        return " > ";
      case CompareOp::ge:
        return " >= ";
    }
    return " = ";
  }

  void param(SqlValue v) {
    sql += "?";
    params.push_back(std::move(v));
  }

  // Days since the last purchase; NULL without one.
  void days_since_last() {
    sql += "max(0, ";
    param(c_.today);
    sql += " - local_day(s.last_at))";
  }

  Status operand(const Operand& o) {
    switch (o.kind) {
      case Operand::Kind::number: {
        // The parser accepted digits with at most one '.' and at most 15 characters.
        const char* end = o.text.data() + o.text.size();
        if (o.text.find('.') == std::string::npos) {
          std::int64_t n = 0;
          std::from_chars(o.text.data(), end, n);
          param(n);
        } else {
          double d = 0;
          std::from_chars(o.text.data(), end, d);
          param(d);
        }
        return {};
      }
      case Operand::Kind::money:
        param(o.cents);
        return {};
      case Operand::Kind::boolean:
        param(std::int64_t{o.boolean ? 1 : 0});
        return {};
      case Operand::Kind::cell:
        param(std::int64_t{o.cell.index()});
        return {};
      case Operand::Kind::text:
        param(o.text);
        return {};
      case Operand::Kind::field:
        return field(o);
    }
    return {};
  }

  Status field(const Operand& o) {
    const auto& t = c_.thresholds;
    switch (o.field) {
      case FieldId::purchases:
        sql += "coalesce(s.purchases, 0)";
        return {};
      case FieldId::purchases_last: {
        // Customers whose last purchase is older than the window skip the count. The others count
        // their recent sales minus the cancelled ones, each from an index alone: sales_by_customer
        // (customer_id, sold_at) and the partial index of cancelled sales (migration 5). Reading
        // cancelled_at from the table instead would cost a random row read per sale.
        const std::int64_t first_day = c_.today - o.days;
        const std::int64_t bound = (first_day - 1) * kSecondsPerDay;
        const auto count = [&](std::string_view cancelled) {
          sql += "(SELECT count(*) FROM sales x WHERE x.customer_id = c.id";
          sql += cancelled;
          sql += " AND x.sold_at >= ";
          param(bound);
          sql += " AND local_day(x.sold_at) BETWEEN ";
          param(first_day);
          sql += " AND ";
          param(c_.today);
          sql += ")";
        };
        sql += "(CASE WHEN s.last_at IS NULL OR s.last_at < ";
        param(bound);
        sql += " THEN 0 ELSE ";
        count("");
        sql += " - ";
        count(" AND x.cancelled_at IS NOT NULL");
        sql += " END)";
        return {};
      }
      case FieldId::days_since_last:
        days_since_last();
        return {};
      case FieldId::total_spent:
        sql += "coalesce(s.total_cents, 0)";
        return {};
      case FieldId::average_ticket:
        sql += "(CASE WHEN s.purchases > 0 THEN s.total_cents * 1.0 / s.purchases END)";
        return {};
      case FieldId::has_valid_mobile:
        sql += "(c.phone_kind IS 'mobile')";
        return {};
      case FieldId::has_valid_email:
        sql += "(c.email_valid = 1)";
        return {};
      case FieldId::birthday_within:
        birthday_within(o.days);
        return {};
      case FieldId::cell:
        sql += "(CASE WHEN s.purchases > 0 THEN (CASE WHEN s.purchases <= ";
        param(std::int64_t{t.new_max_purchases});
        sql += " THEN 0 WHEN s.purchases <= ";
        param(std::int64_t{t.promising_max_purchases});
        sql += " THEN 3 ELSE 6 END) + (CASE WHEN ";
        days_since_last();
        sql += " <= ";
        param(std::int64_t{t.active_max_days});
        sql += " THEN 0 WHEN ";
        days_since_last();
        sql += " <= ";
        param(std::int64_t{t.slipping_max_days});
        sql += " THEN 1 ELSE 2 END) END)";
        return {};
      case FieldId::rfm_r:
      case FieldId::rfm_f:
      case FieldId::rfm_m:
        return rfm(o.field);
      case FieldId::p_alive:
        reads_predictions = true;
        sql += "p.p_alive";
        return {};
      case FieldId::clv:
        reads_predictions = true;
        sql += "p.clv_cents";
        return {};
    }
    return {};
  }

  // 1 + the number of cut points the value is better than (rfm.hpp).
  Status rfm(FieldId f) {
    if (!c_.rfm) return make_error(ErrorKind::internal, "the filter reads RFM scores but none were computed");
    const auto& cuts = f == FieldId::rfm_r   ? c_.rfm->recency
                       : f == FieldId::rfm_f ? c_.rfm->frequency
                                             : c_.rfm->monetary;
    sql += "(CASE WHEN s.purchases > 0 THEN 1";
    for (const auto cut : cuts) {
      sql += " + (";
      if (f == FieldId::rfm_r) {
        days_since_last();
        sql += " < ";
      } else {
        sql += f == FieldId::rfm_f ? "s.purchases > " : "s.total_cents > ";
      }
      param(cut);
      sql += ")";
    }
    sql += " END)";
    return {};
  }

  // The birthday's month and day fall in today .. today + days, wrapping at the year's end. A 29
  // February birthday is kept on 28 February in years without one.
  void birthday_within(int days) {
    if (days >= 365) {
      sql += "(c.birthday_valid = 1)";
      return;
    }
    const std::int64_t end_day = c_.today + days;
    const std::string from = month_day(c_.today);
    std::string to = month_day(end_day);
    if (to == "02-28" && !leap(end_day)) to = "02-29";
    const auto range = [&](const std::string& a, const std::string& b) {
      sql += "substr(c.birthday, 6, 5) BETWEEN ";
      param(a);
      sql += " AND ";
      param(b);
    };
    sql += "(c.birthday_valid = 1 AND (";
    if (from <= to) {
      range(from, to);
    } else {
      range(from, "12-31");
      sql += " OR ";
      range("01-01", to);
    }
    sql += "))";
  }

  const FilterContext& c_;
};

}  // namespace

Result<CompiledFilter> compile_filter(const FilterNode& root, const FilterContext& context) {
  Emitter e(context);
  if (auto s = e.node(root); !s) return s.error();
  return CompiledFilter{std::move(e.sql), std::move(e.params), e.reads_predictions};
}

std::string filter_from_clause(const CompiledFilter& filter) {
  std::string from = "FROM customers c LEFT JOIN customer_stats s ON s.customer_id = c.id";
  if (filter.reads_predictions) from += " LEFT JOIN customer_predictions p ON p.customer_id = c.id";
  return from;
}

void bind_params(sqlite::Stmt& stmt, const std::vector<SqlValue>& params, int first) {
  int i = first;
  for (const auto& v : params) {
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      stmt.bind(i, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      stmt.bind(i, *d);
    } else {
      stmt.bind(i, std::string_view(std::get<std::string>(v)));
    }
    ++i;
  }
}

}  // namespace regua
