#include "local/rules/guards.hpp"

#include <array>

#include "local/core/enum_names.hpp"
#include "local/core/hash.hpp"
#include "local/rules/durations.hpp"

namespace regua {
namespace {

constexpr std::array<std::string_view, 19> kCodes{
    "due",          "quiet_hours", "cap",           "late",           "no_mobile", "no_email", "no_phone",
    "opted_out",    "holdout",     "bought",        "sale_cancelled", "condition", "lapsed",   "rule_off",
    "rule_changed", "merged",      "customer_gone", "no_consent",     "erased"};

constexpr std::array<std::string_view, 2> kConsentRules{"opt_out", "opt_in"};

// SplitMix64's finaliser: FNV-1a alone spreads short keys that differ in their last digits badly
// over a small modulus; mixed, the buckets of consecutive customer numbers are uniform.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::string_view reason_code(Reason reason) {
  return kCodes[static_cast<std::size_t>(reason)];
}

std::optional<Reason> reason_from_code(std::string_view code) {
  return enum_from_name<Reason>(kCodes, code);
}

std::optional<Verdict> check_reachable(ContactChannel channel, const ContactFacts& facts) {
  switch (channel) {
    case ContactChannel::sms:
    case ContactChannel::whatsapp:
      if (!facts.mobile) return Verdict{Reason::no_mobile, "no valid mobile number on file"};
      return std::nullopt;
    case ContactChannel::email:
      if (!facts.email) return Verdict{Reason::no_email, "no valid e-mail address on file"};
      return std::nullopt;
    case ContactChannel::call:
      if (!facts.phone) return Verdict{Reason::no_phone, "no valid phone number on file"};
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view consent_rule_name(ConsentRule rule) {
  return kConsentRules[static_cast<std::size_t>(rule)];
}

std::optional<ConsentRule> consent_rule_from_name(std::string_view name) {
  return enum_from_name<ConsentRule>(kConsentRules, name);
}

ConsentRule ConsentPolicy::for_channel(ContactChannel channel) const {
  switch (channel) {
    case ContactChannel::sms:
      return sms;
    case ContactChannel::whatsapp:
      return whatsapp;
    case ContactChannel::email:
      return email;
    case ContactChannel::call:
      return ConsentRule::opt_out;
  }
  return ConsentRule::opt_in;
}

std::optional<bool> consent_on_file(ContactChannel channel, const ContactFacts& facts) {
  switch (channel) {
    case ContactChannel::sms:
      return facts.sms;
    case ContactChannel::whatsapp:
      return facts.whatsapp;
    case ContactChannel::email:
      return facts.email_consent;
    case ContactChannel::call:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Verdict> check_consent(ContactChannel channel, ActionKind action, const ContactFacts& facts,
                                     const ConsentPolicy& policy) {
  const auto answer = consent_on_file(channel, facts);
  const std::string name(contact_channel_name(channel));
  if (answer && !*answer) return Verdict{Reason::opted_out, "the customer opted out of " + name};
  if (!answer && action == ActionKind::message && channel != ContactChannel::call &&
      policy.for_channel(channel) == ConsentRule::opt_in) {
    return Verdict{Reason::no_consent, "the customer never agreed to " + name + " messages, and [consent] " +
                                           name + " = \"opt_in\" needs a recorded grant"};
  }
  return std::nullopt;
}

std::optional<std::string> recipient(ContactChannel channel, const ContactFacts& facts) {
  switch (channel) {
    case ContactChannel::sms:
    case ContactChannel::whatsapp:
      return facts.mobile;
    case ContactChannel::email:
      return facts.email;
    case ContactChannel::call:
      return facts.phone;
  }
  return std::nullopt;
}

bool too_late(Seconds planned, Seconds now, std::chrono::seconds max_lateness) {
  return now - planned > max_lateness;
}

int holdout_bucket(std::string_view rule_id, std::int64_t customer_id) {
  const std::string key = std::string(rule_id) + ":" + std::to_string(customer_id);
  return static_cast<int>(mix64(fnv1a64(key)) % 10'000);
}

bool in_holdout(std::string_view rule_id, std::int64_t customer_id, int percent) {
  return percent > 0 && holdout_bucket(rule_id, customer_id) < percent * 100;
}

}  // namespace regua
