#pragma once
// The network's customers across its stores: a person who buys in two or more stores of the
// network is recognised by the CPF or the mobile number their stores sent, under the network's PII
// policy (docs/sync.md): `hashed` sends HMAC-SHA256 under the network's key, the same in every
// store, so equal hashes are one person; `full` sends the numbers, compared once normalised (the
// CPF's 11 digits, the E.164 phone); `none` sends nothing to recognise anyone by, and such stores'
// customers are counted as their own. Records linked by either number are one person (a CPF in one
// store and the same mobile with that CPF in another join all three).
//
// Pure: over each store's newest `customer` and `sale` records (HubStore::entities).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cloud/storage/hub_store.hpp"
#include "local/core/money.hpp"

namespace regua::hub {

struct CrossStoreInput {
  std::string store;
  std::vector<StoredRecord> customers;  // kind "customer"
  std::vector<StoredRecord> sales;      // kind "sale"
};

struct StorePolicySeen {
  std::string store;
  std::string policy;  // "hashed", "full", "none", or "unknown" (no customer record yet)
  std::int64_t customers = 0;
};

struct CrossStoreMember {
  std::string store;
  std::int64_t customer = 0;  // the store's customer number
  std::int64_t purchases = 0;
  Cents revenue = 0;
};

struct CrossStoreCustomer {
  std::string matched_by;  // "cpf", "mobile", or "cpf+mobile"
  std::vector<std::string> stores;
  std::vector<CrossStoreMember> members;
  std::int64_t purchases = 0;
  Cents revenue = 0;
};

struct CrossStoreReport {
  std::vector<StorePolicySeen> stores;
  std::int64_t customer_records = 0;           // the stores' customer records (removed ones aside)
  std::int64_t unique_customers = 0;           // people, once the recognised ones are joined
  std::int64_t shared_customers = 0;           // people with records in two or more stores
  Cents revenue = 0;                           // every sale not cancelled, anonymous included
  Cents identified_revenue = 0;                // of them, sales to a customer
  Cents shared_revenue = 0;                    // of them, sales to a shared customer (in any store)
  std::optional<double> shared_revenue_share;  // shared_revenue / revenue x 100
  std::vector<CrossStoreCustomer> shared;      // the shared customers, most revenue first
};

CrossStoreReport cross_store_customers(const std::vector<CrossStoreInput>& stores);

}  // namespace regua::hub
