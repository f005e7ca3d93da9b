#pragma once
// Finds the customer an input describes and records what it says, for ingest: every path that
// writes sales (tailing, import, HTTP, the hub) goes through the Ingestor and so through here, so
// customers are normalised and matched one way.
//
// The matching rule (docs/identity.md): the POS customer id (also the POS ids of records merged
// into a customer); else a valid CPF; else a mobile, unless the two records have different valid
// CPFs or different first names; else a new customer.

#include <cstdint>
#include <optional>
#include <string_view>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/identity/customer_record.hpp"
#include "local/identity/phone.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/model/events.hpp"

namespace regua {

enum class MatchedBy { none, pos_id, cpf, mobile };

struct CustomerMatch {
  std::optional<CustomerRecord> record;  // the customer found, as stored; empty for a new customer
  MatchedBy by = MatchedBy::none;
  std::optional<CustomerFields> news;  // the input, normalised (computed when matching needed it)
};

class CustomerBook {
 public:
  // Prepares its statements once; must not outlive `db` or `phones`.
  static Result<CustomerBook> create(sqlite::Db& db, const PhoneNormaliser& phones, const Clock& clock);

  // Reads what matching caches about the ledger. Call at the start of each write transaction (the
  // Ingestor does): inside it no other writer can change the ledger.
  Status refresh();

  // Which customer `info` is, without writing anything.
  Result<CustomerMatch> match(const CustomerInfo& info, std::int64_t info_at);

  // Records `info` into the matched customer (absorb_news), or creates it; links a new POS id to a
  // customer matched by CPF or mobile; applies consent changes (the newest wins). Returns its id.
  Result<std::int64_t> save(const CustomerInfo& info, CustomerMatch& match, std::int64_t info_at,
                            std::string_view source);

 private:
  CustomerBook(sqlite::Db& db, const PhoneNormaliser& phones, const Clock& clock)
      : db_(&db), phones_(&phones), clock_(&clock) {}
  Result<std::optional<CustomerRecord>> find_one(sqlite::Stmt& stmt, std::string_view key);
  Status link_pos_id(const CustomerRecord& record, const std::string& pos_id);

  sqlite::Db* db_;
  const PhoneNormaliser* phones_;
  const Clock* clock_;
  sqlite::Stmt by_pos_id_, by_cpf_, by_mobile_, insert_, update_, touch_, set_pos_id_, add_pos_id_,
      upsert_consent_, any_without_pos_id_, erased_pos_id_seen_;
  // Whether a customer without a POS id may exist: only such a customer can match a new POS id by
  // its mobile, so when there is none the probe is skipped (most of a new customer's cost).
  bool any_without_pos_id_cached_ = true;
};

// Normalises the customer rows a ledger older than schema 2 stored raw, once (a marker in
// ledger_info says whether it is still to do), in its own transaction. Call outside a transaction.
Status normalise_stored_customers(sqlite::Db& db, const PhoneNormaliser& phones);

}  // namespace regua
