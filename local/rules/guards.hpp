#pragma once
// The guards every action passes when it fires, and the reasons the scheduler records for each
// decision. Reasons have stable codes (JSON, `why`, simulate); docs/rules.md lists them.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "local/core/clock.hpp"
#include "local/rules/rule.hpp"

namespace regua {

enum class Reason {
  due,             // fired: everything held
  quiet_hours,     // deferred to the end of quiet hours; skipped when that is past the lateness
  cap,             // deferred by the per-customer cap; skipped when that is past the lateness
  late,            // skipped: found past its maximum lateness (the agent was down, the clock jumped)
  no_mobile,       // skipped: SMS/WhatsApp needs a valid mobile
  no_email,        // skipped: e-mail needs a valid address
  no_phone,        // skipped: a call needs a valid phone number
  opted_out,       // skipped: the customer refused the channel
  holdout,         // skipped: the customer is in the rule's control group (issue 6)
  bought,          // cancelled: the customer bought after the trigger
  sale_cancelled,  // cancelled: the purchase that triggered it was cancelled
  condition,       // cancelled: the rule's conditions no longer hold
  lapsed,          // cancelled: the trigger no longer holds (birthday changed, left the cell or segment, ...)
  rule_off,        // cancelled: the rule was turned off or removed
  rule_changed,    // cancelled: the rule was changed so that this occurrence no longer applies
  merged,          // cancelled: the customer record was merged into another
  customer_gone,   // cancelled: the customer record no longer exists
};
std::string_view reason_code(Reason reason);
std::optional<Reason> reason_from_code(std::string_view code);

// What the guards need to know about the customer.
struct ContactFacts {
  std::optional<std::string> mobile;  // E.164, only when the phone is a valid mobile
  std::optional<std::string> phone;   // E.164 of any valid phone
  std::optional<std::string> email;   // only when valid
  // Per channel: nullopt when the customer never said; false when they opted out.
  std::optional<bool> sms, whatsapp, email_consent;
};

struct Verdict {
  Reason reason;
  std::string detail;
};

// Whether the customer can be reached on the channel at all.
std::optional<Verdict> check_reachable(ContactChannel channel, const ContactFacts& facts);
// Whether they refused it. Consent is honoured at the moment of sending, also for jobs planned
// before the opt-out. A call has no consent of its own.
std::optional<Verdict> check_consent(ContactChannel channel, const ContactFacts& facts);
// Where the recipient of a message is: the mobile, or the e-mail address.
std::optional<std::string> recipient(ContactChannel channel, const ContactFacts& facts);

// Past its maximum lateness at `now`?
bool too_late(Seconds planned, Seconds now, std::chrono::seconds max_lateness);

// The rule's control group (issue 6 adds a share per rule; until then nobody is held out). The
// scheduler asks it right before the action, so a held-out customer is decided like a sent one.
bool in_holdout(const Rule& rule, std::int64_t customer_id);

}  // namespace regua
