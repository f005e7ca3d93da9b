#include "local/identity/customer_search.hpp"

#include "local/identity/cpf.hpp"
#include "local/identity/name.hpp"

namespace regua {
namespace {

std::string search_digits(std::string_view text) {
  std::string digits;
  for (const char c : text)
    if (c >= '0' && c <= '9') digits += c;
  return digits;
}

// Only digits and the punctuation people write numbers with: then the query is a number, not a name.
bool looks_like_number(std::string_view text) {
  return text.find_first_not_of("0123456789 .-()/+") == std::string_view::npos;
}

std::string like_pattern(std::string_view text) {
  std::string out = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

}  // namespace

Result<CustomerSearch> search_customers(sqlite::Db& db, std::string_view query, const PhoneNormaliser& phones,
                                        std::int64_t limit) {
  while (!query.empty() && query.front() == ' ')
    query.remove_prefix(1);
  while (!query.empty() && query.back() == ' ')
    query.remove_suffix(1);
  CustomerSearch out;
  std::string sql;
  std::string key;
  const std::string digits = search_digits(query);
  if (looks_like_number(query) && !digits.empty()) {
    if (auto cpf = valid_cpf(query); cpf && digits.size() >= 9) {
      out.kind = CustomerSearchKind::cpf;
      sql = "SELECT id FROM customers WHERE cpf_valid = 1 AND cpf = ?1";
      key = *cpf;
    } else {
      const auto phone = phones.normalise(query);
      if (!phone.valid()) {
        return make_error(ErrorKind::usage, "\"" + std::string(query) +
                                                "\" is neither a valid CPF nor a phone number: check the "
                                                "digits (a phone with its area code, e.g. (11) 98765-4321)");
      }
      out.kind = CustomerSearchKind::phone;
      sql = "SELECT id FROM customers WHERE phone_e164 = ?1";
      key = phone.e164;
    }
  } else {
    const auto name = normalise_name(query);
    if (!name || name->size() < 2) {
      return make_error(ErrorKind::usage,
                        "type at least two letters of a name, a phone number, a CPF or a POS customer id");
    }
    // The POS id and "#N" answer exactly; a name matches anywhere (ASCII letters in any case; the
    // rest as normalise_name writes them, which is how names are stored).
    sql =
        "SELECT id FROM customers WHERE pos_id = ?2 OR '#' || id = ?2 "
        "OR id IN (SELECT customer_id FROM customer_pos_ids WHERE pos_id = ?2) "
        "OR name LIKE ?1 ESCAPE '\\'";
    key = like_pattern(*name);
  }
  auto stmt = db.prepare("SELECT c.id FROM customers c WHERE c.id IN (" + sql +
                         ") ORDER BY c.name IS NULL, c.name, c.id LIMIT ?3");
  if (!stmt) return stmt.error();
  stmt->bind(1, key).bind(2, query).bind(3, limit + 1);
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    if (static_cast<std::int64_t>(out.ids.size()) == limit) {
      out.more = true;
      break;
    }
    out.ids.push_back(stmt->int64(0));
  }
  return out;
}

}  // namespace regua
