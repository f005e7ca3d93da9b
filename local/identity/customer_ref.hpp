#pragma once
// How people and programs name a customer: the POS's customer id as its sales carry it (also an
// id of a record merged into it, or linked to it by CPF or mobile), "#N" for the ledger's number
// (how outputs name a customer the POS gave no id), or "pos:ID" (as `customers merge` writes it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct CustomerRef {
  std::int64_t id = 0;
  std::optional<std::string> pos_id, name;
  bool erased = false;  // forgotten: a record without personal data (erasure.hpp)
};

// nullopt when no record answers to `ref` (a POS id of a forgotten person included: it no longer
// names anyone; erasure_of_pos_id() tells when it was forgotten).
Result<std::optional<CustomerRef>> find_customer_ref(sqlite::Db& db, std::string_view ref);

// "Ana Souza (C-77)", "(#12)": how messages name a customer.
std::string describe_customer(const CustomerRef& customer);

}  // namespace regua
