#pragma once
// Records that are probably one person: they share a valid CPF, a mobile or a valid e-mail. Listed
// for a person to decide (`regua-agent customers duplicates`), then merged (merge.hpp). Counted by
// data quality.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "local/core/result.hpp"
#include "local/identity/customer_record.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

// A mobile or e-mail on more than this many records is a placeholder someone typed for customers
// who had none ("(11) 99999-9999", "naotem@naotem.com"), not a sign they are one person.
inline constexpr std::int64_t kPlaceholderMinRecords = 11;

enum class SharedKey { cpf, mobile, email };
std::string_view shared_key_name(SharedKey key);  // "cpf", "mobile", "email"

struct SharedValue {
  SharedKey key = SharedKey::cpf;
  std::string value;  // 11 CPF digits, E.164, or the lower-case e-mail
  std::int64_t records = 0;
};

// One customer record with what a person needs to decide about it.
struct CustomerOverview {
  CustomerRecord record;
  std::int64_t sales = 0;  // not cancelled
  std::int64_t total_cents = 0;
  std::optional<std::int64_t> last_sale_at;
};

struct DuplicateGroup {
  std::vector<CustomerOverview> members;  // by customer id
  std::vector<SharedValue> shared;        // what links them
};

struct DuplicateReport {
  std::vector<DuplicateGroup> groups;     // by their first member's id
  std::vector<SharedValue> placeholders;  // values on too many records to mean anything
};

// Groups are connected: two records are linked when they share a valid CPF, or share a mobile or a
// valid e-mail without having different valid CPFs; a group is everything linked, directly or not.
// `with_members` = false leaves the members' overviews out (only their ids are filled), for counts.
Result<DuplicateReport> find_duplicates(sqlite::Db& db, bool with_members = true);

// Overviews of the given customers, in that order; an ErrorKind::usage error for an id not in the ledger.
Result<std::vector<CustomerOverview>> customer_overviews(sqlite::Db& db,
                                                         const std::vector<std::int64_t>& ids);

}  // namespace regua
