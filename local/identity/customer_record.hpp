#pragma once
// How a row of the ledger's `customers` table maps to CustomerFields, for the code that reads and
// writes whole customer records (ingest matching, merge, the normalisation of old rows).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "local/identity/customer_fields.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct CustomerRecord {
  std::int64_t id = 0;
  std::optional<std::string> pos_id;
  std::int64_t info_at = 0;  // POS time of the newest information applied
  CustomerFields fields;
};

// The columns read_customer() expects, in its order, for "SELECT <this> FROM customers ...". Use
// customer_columns("c") when the table has an alias.
std::string customer_columns(std::string_view alias = {});
CustomerRecord read_customer(const sqlite::Stmt& row);

// Binds the fields to ?first .. ?first+9 in the order name, phone, phone_e164, phone_kind, email,
// email_valid, cpf, cpf_valid, birthday, birthday_valid. Bound without a copy (ingest's hot path):
// `fields` must outlive the statement's run.
void bind_fields(sqlite::Stmt& stmt, int first, const CustomerFields& fields);

}  // namespace regua
