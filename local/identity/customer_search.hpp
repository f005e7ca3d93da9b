#pragma once
// Finding a customer the way staff ask for one at the counter: by a CPF, a phone number, a name (or
// part of it), the POS's customer id or the ledger's "#N". The query is read as the most specific
// thing it can be: a valid CPF matches only that CPF, a phone only that number (as ingest
// normalised it), anything else names. Matches the stored, normalised values, so "ana souza",
// "ANA SOUZA" and "Souza" all find "Ana Souza".

#include <cstdint>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"
#include "local/identity/phone.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

enum class CustomerSearchKind { cpf, phone, name };

struct CustomerSearch {
  CustomerSearchKind kind = CustomerSearchKind::name;
  std::vector<std::int64_t> ids;  // customers.id, by name then id; at most the limit asked
  bool more = false;              // more customers matched than the limit
};

// ErrorKind::usage for a query with nothing to search by (empty, or one character of a name).
Result<CustomerSearch> search_customers(sqlite::Db& db, std::string_view query, const PhoneNormaliser& phones,
                                        std::int64_t limit);

}  // namespace regua
