#pragma once
// Merging customer records that are one person into one: the single place that does it, so that
// everything derived from customers follows (sales now; stats, segments, open jobs and tasks as
// later versions add them: see merge_dependants() in merge.cpp). docs/identity.md has the rules.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"
#include "local/identity/customer_record.hpp"
#include "local/ledger/ledger.hpp"
#include "local/model/events.hpp"

namespace regua {

struct MergeRequest {
  std::int64_t keep = 0;             // customers.id of the survivor
  std::vector<std::int64_t> others;  // merged into it, then deleted
  bool dry_run = false;              // do everything, report it, and roll it back
};

struct ConsentState {
  Channel channel = Channel::sms;
  bool granted = false;
  std::int64_t at = 0;
  friend bool operator==(const ConsentState&, const ConsentState&) = default;
};

struct MergedAway {
  std::int64_t id = 0;
  std::optional<std::string> pos_id;
  std::int64_t sales_moved = 0;
};

struct MergeOutcome {
  CustomerRecord before;               // the survivor as it was
  CustomerRecord after;                // and as it is (would be, for a dry run)
  std::vector<ConsentState> consents;  // the survivor's, after
  std::vector<MergedAway> merged;
  std::int64_t sales_moved = 0;
  std::int64_t survivor_sales = 0;  // all sales of the survivor after, cancelled included
  bool written = false;
};

// Merges `others` into `keep` in one transaction:
//  - every sale (and everything else that points at a customer) moves to the survivor;
//  - each field of the survivor that is empty or invalid is filled from the others (the one with
//    the newest information first) when theirs is better (fill_gaps);
//  - consent per channel is the most restrictive: an opt-out on any record stays an opt-out;
//  - the survivor takes a POS id when it had none; every other POS id of the merged records keeps
//    meaning the survivor, so a later sale with it goes to the survivor;
//  - one customer_merges row per merged record keeps what it was (JSON);
//  - the merged records are deleted.
// Refused: unknown ids, the survivor among the others, a repeated id, and records with different
// valid CPFs (different people: correct the CPF in the POS first).
Result<MergeOutcome> merge_customers(Ledger& ledger, const MergeRequest& request);

// A customer named on the command line: its number in the ledger ("42", as `customers duplicates`
// shows it) or "pos:ID" for the POS's customer id (also a merged record's). ErrorKind::usage when
// there is no such customer.
Result<std::int64_t> resolve_customer(sqlite::Db& db, std::string_view ref);

// The tables that refer to customers(id) and what merge does with their rows; a table that refers
// to customers and is missing here makes merge refuse to run (and a unit test fail).
struct CustomerDependant {
  std::string_view table;
  std::string_view column;
  enum class Action { move, drop, combine } action;
};
std::vector<CustomerDependant> customer_dependants();

}  // namespace regua
