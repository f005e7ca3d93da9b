#include "local/identity/customer_record.hpp"

#include <array>

namespace regua {
namespace {

constexpr std::array<std::string_view, 13> kCustomerColumns{
    "id",    "pos_id",      "info_at", "name",      "phone",    "phone_e164",    "phone_kind",
    "email", "email_valid", "cpf",     "cpf_valid", "birthday", "birthday_valid"};

std::optional<CheckedText> checked_column(const sqlite::Stmt& row, int text, int valid) {
  if (row.is_null(text)) return std::nullopt;
  return CheckedText{std::string(row.text(text)), row.int64(valid) != 0};
}

void bind_checked(sqlite::Stmt& stmt, int index, const std::optional<CheckedText>& v) {
  if (v) {
    stmt.bind_ref(index, std::string_view(v->text)).bind(index + 1, std::int64_t{v->valid ? 1 : 0});
  } else {
    stmt.bind_null(index).bind(index + 1, std::int64_t{0});
  }
}

}  // namespace

std::string customer_columns(std::string_view alias) {
  std::string out;
  for (const auto column : kCustomerColumns) {
    if (!out.empty()) out += ", ";
    if (!alias.empty()) out += std::string(alias) + ".";
    out += column;
  }
  return out;
}

CustomerRecord read_customer(const sqlite::Stmt& row) {
  CustomerRecord r;
  r.id = row.int64(0);
  r.pos_id = row.optional_text(1);
  r.info_at = row.int64(2);
  r.fields.name = row.optional_text(3);
  if (!row.is_null(4)) {
    PhoneField p;
    p.raw = std::string(row.text(4));
    p.parsed.kind = phone_kind_from_name(row.text(6)).value_or(PhoneKind::invalid);
    if (p.parsed.valid()) p.parsed.e164 = std::string(row.text(5));
    r.fields.phone = std::move(p);
  }
  r.fields.email = checked_column(row, 7, 8);
  r.fields.cpf = checked_column(row, 9, 10);
  r.fields.birthday = checked_column(row, 11, 12);
  return r;
}

void bind_fields(sqlite::Stmt& stmt, int first, const CustomerFields& f) {
  if (f.name) {
    stmt.bind_ref(first, std::string_view(*f.name));
  } else {
    stmt.bind_null(first);
  }
  if (f.phone) {
    stmt.bind(first + 1, std::string_view(f.phone->raw))
        .bind(first + 3, phone_kind_name(f.phone->parsed.kind));
    if (f.phone->parsed.valid()) {
      stmt.bind_ref(first + 2, std::string_view(f.phone->parsed.e164));
    } else {
      stmt.bind_null(first + 2);
    }
  } else {
    stmt.bind_null(first + 1).bind_null(first + 2).bind_null(first + 3);
  }
  bind_checked(stmt, first + 4, f.email);
  bind_checked(stmt, first + 6, f.cpf);
  bind_checked(stmt, first + 8, f.birthday);
}

}  // namespace regua
