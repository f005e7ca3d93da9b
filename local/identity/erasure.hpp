#pragma once
// Forgetting a customer (LGPD art. 18: the erasure of personal data): `regua-agent customers forget`.
// In one transaction:
//   - the record loses its POS id, name, phone, e-mail, CPF and birthday and is marked erased; it
//     stays, without them, so that its sales (and their items) are kept, anonymised, for fiscal
//     and aggregate use (KPIs, stats);
//   - its consent answers, its other POS ids and what merge audit rows kept about records merged
//     into it are deleted; its details are replaced by "[erased]" wherever Régua wrote them
//     (messages, tasks, decisions: local/scheduler/erasure_actions.hpp) and in quarantined POS
//     lines that hold them;
//   - its pending rule jobs and open tasks are cancelled with reason `erased`, and messages not
//     yet sent are stopped;
//   - one `erasures` row records it with nothing personal: when, who asked (a role), the ledger's
//     number and every POS id the person had, under a key unique across stores that the hub
//     will receive to erase the same person.
// Forgetting again is a no-op that says when it was done. Afterwards a sale or customer news with
// one of the erased POS ids starts a new record, never the old history (customer_book.cpp), and
// that record refuses every channel until the customer grants one again. The CPF is not kept (not
// even hashed: there are only a billion of them), so a sale known only by it is a new customer.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {

enum class ErasureRequester { customer, store, authority };
std::string_view requester_name(ErasureRequester who);
std::optional<ErasureRequester> requester_from_name(std::string_view name);

struct ErasureRequest {
  std::int64_t customer_id = 0;
  ErasureRequester requested_by = ErasureRequester::customer;
  bool dry_run = false;  // do everything in a transaction that is rolled back
};

struct ErasureCounts {
  std::vector<std::string>
      fields;                 // the details that were on file: "name", "phone", "email", "cpf", "birthday"
  std::int64_t consents = 0;  // consent answers deleted
  std::int64_t other_pos_ids = 0;  // POS ids of the person besides the record's own
  std::int64_t merge_records = 0;  // audit rows of records merged into them, emptied
  std::int64_t messages = 0;       // messages whose recipient and texts were erased
  std::int64_t messages_stopped = 0;
  std::int64_t tasks = 0;  // tasks whose texts, link or note held personal data
  std::int64_t decisions = 0;
  std::int64_t jobs_cancelled = 0;
  std::int64_t tasks_cancelled = 0;
  std::int64_t quarantined_lines = 0;  // quarantined POS lines that held their details
  std::int64_t sales_kept = 0;         // their sales, kept without a person
};

struct Erasure {
  std::string key;  // "<store>:erasure:<customer number>", unique across stores
  std::int64_t customer_id = 0;
  std::vector<std::string> pos_ids;  // every POS id the person had
  ErasureRequester requested_by = ErasureRequester::customer;
  Seconds erased_at{};
  ErasureCounts counts;
  std::int64_t seen_again = 0;  // sales or news later received with one of the POS ids
  std::optional<Seconds> seen_again_at;
};

struct ErasureOutcome {
  Erasure erasure;
  bool already = false;  // forgotten before: nothing was done now
  bool written = false;  // false for a dry run or when already forgotten
};

// ErasureKind::usage for an unknown customer.
Result<ErasureOutcome> forget_customer(Ledger& ledger, const ErasureRequest& request);
// The same inside a transaction the caller holds and commits (an erasure order from HQ is applied
// together with the record of the order); `written` is left false.
Result<ErasureOutcome> forget_customer_in_transaction(sqlite::Db& db, std::string_view store_id, Seconds now,
                                                      const ErasureRequest& request);

// The erasure of a customer record, or of a POS id (the newest, when it was erased twice).
Result<std::optional<Erasure>> erasure_of_customer(sqlite::Db& db, std::int64_t customer_id);
Result<std::optional<Erasure>> erasure_of_pos_id(sqlite::Db& db, std::string_view pos_id);

}  // namespace regua
