#pragma once
// A customer's consent as people and the web app read it: per channel, the answer on file (with
// its source and moment) and what it allows under the store's [consent] policy. Shared by
// `regua-agent customers consent` and the HTTP API, so both say the same.

#include <cstdint>
#include <optional>
#include <vector>

#include "local/core/result.hpp"
#include "local/identity/consents.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/rules/guards.hpp"

namespace regua {

struct ChannelConsent {
  Channel channel = Channel::sms;
  std::optional<ConsentRecord> answer;      // none: never answered
  ConsentRule rule = ConsentRule::opt_out;  // the store's policy for the channel
  bool messages_allowed = false;  // may an automatic message go out on it now (tasks: unless refused)
};

// The three channels, in channel order (sms, whatsapp, email).
Result<std::vector<ChannelConsent>> consent_overview(sqlite::Db& db, std::int64_t customer_id,
                                                     const ConsentPolicy& policy);

// "granted", "refused", "never_answered"
std::string_view consent_state_name(const ChannelConsent& c);

ContactChannel contact_channel_of(Channel channel);

}  // namespace regua
