#pragma once
// A customer's details as the ledger keeps them: normalised when they pass their checks, else kept as
// written with a flag, and the two rules that combine two versions of them: ingest (news about a
// known customer) and merge (two records of one person). docs/identity.md explains both rules.

#include <cstdint>
#include <optional>
#include <string>

#include "local/identity/phone.hpp"
#include "local/model/events.hpp"

namespace regua {

// A value with its check: `text` is the normalised value when `valid`, else what was written.
struct CheckedText {
  std::string text;
  bool valid = false;
  friend bool operator==(const CheckedText&, const CheckedText&) = default;
};

struct PhoneField {
  std::string raw;  // as written (trimmed)
  NormalisedPhone parsed;
  friend bool operator==(const PhoneField&, const PhoneField&) = default;
};

struct CustomerFields {
  std::optional<std::string> name;  // normalised (name.hpp)
  std::optional<PhoneField> phone;
  std::optional<CheckedText> email;     // lower case when valid
  std::optional<CheckedText> cpf;       // 11 digits when valid
  std::optional<CheckedText> birthday;  // YYYY-MM-DD when valid
  friend bool operator==(const CustomerFields&, const CustomerFields&) = default;
};

// True when `info` says anything at all about someone: a POS id or any detail.
bool describes_anyone(const CustomerInfo& info);

// Checks and normalises what an input said. `reference_year` is the year the information was given
// (for two-digit birth years and impossible future birthdays). When `known` holds a phone written
// exactly as this one, its parse is reused: parsing is the costly part of ingesting a customer.
CustomerFields normalise_fields(const CustomerInfo& info, const PhoneNormaliser& phones, int reference_year,
                                const CustomerFields* known = nullptr);

// News about a known customer: each field given replaces the stored one when it is better (a valid
// value beats an invalid one, which beats none), or as good and not older (`news_at >= stored_at`).
// So a newer typo never erases a good value, and older news only fills gaps or fixes bad values.
// Returns whether anything changed.
bool absorb_news(CustomerFields& stored, std::int64_t stored_at, const CustomerFields& news,
                 std::int64_t news_at);

// True when absorb_news(stored, _, news, _) would change nothing whatever the two times: each field
// of `news` equals the stored one or is worse. Then the same news, given again, is a no-op.
bool absorbs_nothing(const CustomerFields& stored, const CustomerFields& news);

// A fingerprint of everything an input says about a customer except its consents, to recognise the
// same input given again without normalising it (64-bit FNV-1a of the fields with their presence).
std::uint64_t news_fingerprint(const CustomerInfo& info);

// Merge: each field of `survivor` is taken from `other` only when other's is strictly better
// (survivor has none, or an invalid one and other's is valid). Returns whether anything changed.
bool fill_gaps(CustomerFields& survivor, const CustomerFields& other);

// The year of a Unix time, for normalise_fields.
int year_of(std::int64_t unix_seconds);

}  // namespace regua
