#pragma once
// The "Base de dados" diagnostic of the BAAR method: how much of the store's data can be used for
// retention. Identified sales, customers reachable on a mobile, with a CPF and an e-mail, duplicate
// records, and inputs that could not be taken. Read-only: `status` and `doctor` show it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"
#include "local/identity/duplicates.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct QuarantineReason {
  std::string reason;  // reason_pattern() of the reasons counted here
  std::int64_t count = 0;
};

struct DataQuality {
  std::int64_t sales = 0;  // not cancelled
  std::int64_t identified_sales = 0;
  std::int64_t customers = 0;
  std::int64_t valid_mobile = 0;
  std::int64_t phone_not_mobile = 0;  // a real number, but a landline (or another kind): no SMS/WhatsApp
  std::int64_t invalid_phone = 0;
  std::int64_t valid_cpf = 0;
  std::int64_t invalid_cpf = 0;
  std::int64_t valid_email = 0;
  std::int64_t invalid_email = 0;
  std::int64_t valid_birthday = 0;
  std::int64_t invalid_birthday = 0;
  std::int64_t duplicate_groups = 0;
  std::int64_t duplicate_records = 0;     // records in those groups
  std::vector<SharedValue> placeholders;  // values typed on too many records (duplicates.hpp)
  std::int64_t quarantined = 0;
  std::vector<QuarantineReason> quarantine_by_reason;  // most frequent first
};

// `part` of `whole` as a fraction 0..1; nothing when `whole` is 0.
std::optional<double> share(std::int64_t part, std::int64_t whole);

// Call inside a read transaction for figures of one moment (status and doctor do).
Result<DataQuality> measure_quality(sqlite::Db& db);

// A quarantine reason with its specific values left out, so that reasons of one kind count
// together: "\"total\": \"12,50\" is not an amount: unexpected character ','" becomes
// "\"total\": \"…\" is not an amount: unexpected character '…'". The first quoted word (the field)
// is kept, later quoted values become …, digits become N, a closing parenthesised detail is cut.
std::string reason_pattern(std::string_view reason);

}  // namespace regua
