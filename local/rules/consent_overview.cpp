#include "local/rules/consent_overview.hpp"

namespace regua {

ContactChannel contact_channel_of(Channel channel) {
  switch (channel) {
    case Channel::sms:
      return ContactChannel::sms;
    case Channel::whatsapp:
      return ContactChannel::whatsapp;
    case Channel::email:
      return ContactChannel::email;
  }
  return ContactChannel::sms;
}

Result<std::vector<ChannelConsent>> consent_overview(sqlite::Db& db, std::int64_t customer_id,
                                                     const ConsentPolicy& policy) {
  auto answers = consents_of(db, customer_id);
  if (!answers) return answers.error();
  std::vector<ChannelConsent> out;
  for (const Channel channel : {Channel::sms, Channel::whatsapp, Channel::email}) {
    ChannelConsent c;
    c.channel = channel;
    for (const auto& a : *answers) {
      if (a.channel == channel) c.answer = a;
    }
    c.rule = policy.for_channel(contact_channel_of(channel));
    c.messages_allowed = c.answer ? c.answer->granted : c.rule == ConsentRule::opt_out;
    out.push_back(std::move(c));
  }
  return out;
}

std::string_view consent_state_name(const ChannelConsent& c) {
  if (!c.answer) return "never_answered";
  return c.answer->granted ? "granted" : "refused";
}

}  // namespace regua
