#pragma once
// Finds the customer an input describes and records what it says, for ingest: every path that
// writes sales (tailing, import, HTTP, the hub) goes through the Ingestor and so through here, so
// customers are normalised and matched one way.
//
// The matching rule (docs/identity.md): the POS customer id (also the POS ids of records merged
// into a customer); else a valid CPF; else a mobile, unless the two records have different valid
// CPFs or different first names; else a new customer.
//
// Most sales come from returning customers who repeat their details word for word. The book keeps
// a bounded map from POS customer id to what it last wrote for that customer, so such a sale
// costs neither a lookup nor a normalisation nor a write: only the customer's info_at moves, and
// that once per customer per transaction (flush(), in the same transaction). The map is only
// trusted while nothing but this book has written to the ledger: forget() must be called when
// another writer may have (the Ingestor detects it; refresh() sees other connections' commits).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

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
  // Set instead of `record` when the input repeats what the book last wrote for this POS id:
  // the customer, and that saving the input changes nothing but its info_at.
  std::optional<std::int64_t> repeated;

  // The customer matched; empty for a new one.
  [[nodiscard]] std::optional<std::int64_t> customer_id() const {
    return repeated ? repeated : record ? std::optional<std::int64_t>(record->id) : std::nullopt;
  }
};

class CustomerBook {
 public:
  // Prepares its statements once; must not outlive `db` or `phones`.
  static Result<CustomerBook> create(sqlite::Db& db, const PhoneNormaliser& phones, const Clock& clock);

  // Reads what matching caches about the ledger, and forgets the known customers when another
  // connection committed since. Call at the start of each write transaction (the Ingestor does):
  // inside it no other connection can change the ledger.
  Status refresh();
  // Forgets the known customers: another writer on this connection may have changed them. The
  // deferred info_at writes stay (they only ever move a time forward).
  void forget() { known_.clear(); }
  // Writes the deferred info_at moves. Call before the transaction commits (the Ingestor does).
  Status flush();
  // The transaction was rolled back: forgets what it wrote and what it deferred.
  void rollback();

  // Which customer `info` is, without writing anything.
  Result<CustomerMatch> match(const CustomerInfo& info, std::int64_t info_at);

  // Records `info` into the matched customer (absorb_news), or creates it; links a new POS id to a
  // customer matched by CPF or mobile; applies consent changes (the newest wins). Returns its id.
  Result<std::int64_t> save(const CustomerInfo& info, CustomerMatch& match, std::int64_t info_at,
                            std::string_view source);

 private:
  CustomerBook(sqlite::Db& db, const PhoneNormaliser& phones, const Clock& clock)
      : db_(&db), phones_(&phones), clock_(&clock) {}
  // What the book last wrote for a POS id, kept only while no other writer touches the ledger.
  struct Known {
    std::int64_t id = 0;
    std::uint64_t news_hash = 0;  // of the CustomerInfo (news_fingerprint)
    int year = 0;                 // normalising depends on the year the news was given (birthdays)
    bool settled = false;         // saving that same news again can change no field
  };
  // Bounds the map: 128Ki customers take about 12 MiB; past that it starts again empty.
  static constexpr std::size_t kMaxKnown = std::size_t{1} << 17;

  Result<std::optional<CustomerRecord>> find_one(sqlite::Stmt& stmt, std::string_view key);
  Status link_pos_id(const CustomerRecord& record, const std::string& pos_id);
  // The stored info_at, or the later one this transaction deferred for the customer.
  [[nodiscard]] std::int64_t effective_info_at(const CustomerRecord& record) const;
  void defer_info_at(std::int64_t id, std::int64_t info_at);
  void remember(const CustomerInfo& info, std::int64_t id, std::int64_t info_at, bool settled);

  sqlite::Db* db_;
  const PhoneNormaliser* phones_;
  const Clock* clock_;
  sqlite::Stmt by_pos_id_, by_cpf_, by_mobile_, insert_, customer_to_outbox_, update_, touch_, set_pos_id_,
      add_pos_id_, upsert_consent_, any_without_pos_id_, erased_pos_id_seen_, data_version_;
  std::unordered_map<std::string, Known> known_;
  std::unordered_map<std::int64_t, std::int64_t> deferred_info_at_;  // customer id -> POS time
  std::int64_t data_version_seen_ = -1;
  // Whether a customer without a POS id may exist: only such a customer can match a new POS id by
  // its mobile, so when there is none the probe is skipped (most of a new customer's cost).
  bool any_without_pos_id_cached_ = true;
};

// Normalises the customer rows a ledger older than schema 2 stored raw, once (a marker in
// ledger_info says whether it is still to do), in its own transaction. Call outside a transaction.
Status normalise_stored_customers(sqlite::Db& db, const PhoneNormaliser& phones);

}  // namespace regua
