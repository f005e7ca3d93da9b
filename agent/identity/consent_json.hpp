#pragma once
// A customer's consent as JSON, the same for `regua-agent customers consent --json` and the HTTP
// API (docs/cli.md, docs/http-api.md): {"customer": {id, pos_id, name}, "consents": [{channel, state,
// source, at, policy, messages_allowed}]}.

#include <vector>

#include <nlohmann/json.hpp>

#include "local/identity/customer_ref.hpp"
#include "local/rules/consent_overview.hpp"

namespace regua {

nlohmann::ordered_json consent_json(const CustomerRef& customer, const std::vector<ChannelConsent>& consents);

}  // namespace regua
