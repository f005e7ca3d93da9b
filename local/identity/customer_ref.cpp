#include "local/identity/customer_ref.hpp"

#include <algorithm>
#include <charconv>

namespace regua {

Result<std::optional<CustomerRef>> find_customer_ref(sqlite::Db& db, std::string_view ref) {
  if (ref.starts_with("pos:")) ref.remove_prefix(4);
  const bool number = ref.size() > 1 && ref.size() <= 18 && ref.front() == '#' &&
                      std::all_of(ref.begin() + 1, ref.end(), [](char c) { return c >= '0' && c <= '9'; });
  auto stmt = db.prepare(
      number ? std::string_view("SELECT id, pos_id, name, erased_at IS NOT NULL FROM customers WHERE id = ?1")
             : std::string_view(
                   "SELECT id, pos_id, name, erased_at IS NOT NULL FROM customers WHERE pos_id = ?1 "
                   "UNION ALL SELECT c.id, c.pos_id, c.name, c.erased_at IS NOT NULL FROM customer_pos_ids a "
                   "JOIN customers c ON c.id = a.customer_id WHERE a.pos_id = ?1 LIMIT 1"));
  if (!stmt) return stmt.error();
  if (number) {
    std::int64_t id = 0;
    std::from_chars(ref.data() + 1, ref.data() + ref.size(), id);  // at most 17 digits: it fits
    stmt->bind(1, id);
  } else {
    stmt->bind(1, ref);
  }
  auto row = stmt->step();
  if (!row) return row.error().within("finding customer " + std::string(ref));
  if (!*row) return std::optional<CustomerRef>{};
  CustomerRef c{stmt->int64(0), stmt->optional_text(1), stmt->optional_text(2), stmt->int64(3) != 0};
  stmt->reset();
  return std::optional<CustomerRef>(std::move(c));
}

std::string describe_customer(const CustomerRef& c) {
  const std::string tag = c.pos_id ? "(" + *c.pos_id + ")" : "(#" + std::to_string(c.id) + ")";
  return c.name ? *c.name + " " + tag : tag;
}

}  // namespace regua
