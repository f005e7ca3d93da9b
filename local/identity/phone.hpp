#pragma once
// Phone numbers as the ledger keeps them: what the POS wrote, and, when it is a real number, its
// E.164 form ("+5511987654321") and whether it is a mobile. Only mobiles receive SMS and WhatsApp,
// and only a mobile is strong enough to tell two records are one person.
//
// Parsing phone numbers well needs numbering-plan data (libphonenumber), which local/ may not use:
// local/ declares what it needs here and the agent injects an implementation (agent/identity/).

#include <optional>
#include <string>
#include <string_view>

namespace regua {

enum class PhoneKind {
  mobile,      // receives SMS and WhatsApp
  fixed_line,  // a landline: calls only
  other,       // a real number of another kind (toll-free, VoIP, pager, ...)
  invalid,     // not a phone number the numbering plan knows: kept as written, flagged
};

// "mobile", "fixed_line", "other", "invalid": how the ledger's customers.phone_kind spells them.
std::string_view phone_kind_name(PhoneKind kind);
std::optional<PhoneKind> phone_kind_from_name(std::string_view name);

struct NormalisedPhone {
  std::string e164;  // "+5511987654321"; empty when the number is invalid
  PhoneKind kind = PhoneKind::invalid;

  [[nodiscard]] bool valid() const { return kind != PhoneKind::invalid; }
  friend bool operator==(const NormalisedPhone&, const NormalisedPhone&) = default;
};

class PhoneNormaliser {
 public:
  virtual ~PhoneNormaliser() = default;
  // Never fails: input that is not a valid number comes back as PhoneKind::invalid. Must not throw.
  [[nodiscard]] virtual NormalisedPhone normalise(std::string_view raw) const = 0;
};

}  // namespace regua
