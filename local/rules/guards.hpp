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
  holdout,         // holdout: the customer is in the rule's control group, nothing was sent
  bought,          // cancelled: the customer bought after the trigger
  sale_cancelled,  // cancelled: the purchase that triggered it was cancelled
  condition,       // cancelled: the rule's conditions no longer hold
  lapsed,          // cancelled: the trigger no longer holds (birthday changed, left the cell or segment, ...)
  rule_off,        // cancelled: the rule was turned off or removed
  rule_changed,    // cancelled: the rule was changed so that this occurrence no longer applies
  merged,          // cancelled: the customer record was merged into another
  customer_gone,   // cancelled: the customer record no longer exists
  no_consent,      // skipped: the customer never answered and the channel needs a recorded grant
  erased,          // cancelled: the customer's personal data was erased (customers forget)
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

// What an automatic message may do when the customer never answered for its channel, per channel
// (`[consent]`, docs/rules.md#consent): `opt_out` sends unless refused, `opt_in` only with a
// recorded grant. A refusal always stops everything, tasks included.
enum class ConsentRule { opt_out, opt_in };
std::string_view consent_rule_name(ConsentRule rule);
std::optional<ConsentRule> consent_rule_from_name(std::string_view name);

struct ConsentPolicy {
  // WhatsApp Business needs the customer's opt-in before a business starts a conversation; SMS and
  // e-mail to the store's own customers about what they bought rest on legitimate interest with an
  // easy way out (docs/rules.md#consent says why).
  ConsentRule sms = ConsentRule::opt_out;
  ConsentRule whatsapp = ConsentRule::opt_in;
  ConsentRule email = ConsentRule::opt_out;
  [[nodiscard]] ConsentRule for_channel(ContactChannel channel) const;
};

struct Verdict {
  Reason reason;
  std::string detail;
};

// Whether the customer can be reached on the channel at all.
std::optional<Verdict> check_reachable(ContactChannel channel, const ContactFacts& facts);
// Whether the action may reach them on the channel: never after a refusal (`opted_out`); an
// automatic message on an `opt_in` channel only after a grant (`no_consent`). A task is a person's
// judgement: only a refusal stops it. Consent is read at the moment of sending, so an answer given
// after a job was planned is honoured. A call has no consent of its own.
std::optional<Verdict> check_consent(ContactChannel channel, ActionKind action, const ContactFacts& facts,
                                     const ConsentPolicy& policy);
// The answer on file for the channel (nullopt: never answered; calls: always nullopt).
std::optional<bool> consent_on_file(ContactChannel channel, const ContactFacts& facts);
// Where the recipient of a message is: the mobile, or the e-mail address.
std::optional<std::string> recipient(ContactChannel channel, const ContactFacts& facts);

// Past its maximum lateness at `now`?
bool too_late(Seconds planned, Seconds now, std::chrono::seconds max_lateness);

// The rule's control group: a customer is in it when holdout_bucket(rule id, customer id), a
// number from 0 to 9999 that never changes for the pair, is below percent x 100. So the same
// customer is always in or always out of a rule's group, independently from rule to rule, and a
// larger share keeps everyone a smaller one held out. The scheduler asks it once every other guard
// passed, so a held-out customer is decided exactly like a sent one (docs/kpis.md).
int holdout_bucket(std::string_view rule_id, std::int64_t customer_id);
bool in_holdout(std::string_view rule_id, std::int64_t customer_id, int percent);

}  // namespace regua
