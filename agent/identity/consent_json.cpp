#include "agent/identity/consent_json.hpp"

#include "local/core/timestamp.hpp"

namespace regua {

nlohmann::ordered_json consent_json(const CustomerRef& customer,
                                    const std::vector<ChannelConsent>& consents) {
  using nlohmann::ordered_json;
  const auto or_null = [](const std::optional<std::string>& v) {
    return v ? ordered_json(*v) : ordered_json(nullptr);
  };
  ordered_json list = ordered_json::array();
  for (const auto& c : consents) {
    list.push_back({{"channel", channel_name(c.channel)},
                    {"state", consent_state_name(c)},
                    {"source", c.answer ? ordered_json(c.answer->source) : ordered_json(nullptr)},
                    {"at", c.answer ? ordered_json(format_utc(c.answer->at)) : ordered_json(nullptr)},
                    {"policy", consent_rule_name(c.rule)},
                    {"messages_allowed", c.messages_allowed}});
  }
  return {{"customer",
           {{"id", customer.id}, {"pos_id", or_null(customer.pos_id)}, {"name", or_null(customer.name)}}},
          {"consents", std::move(list)}};
}

}  // namespace regua
