#pragma once
// The providers' callbacks on the agent's HTTP server (docs/http-api.md, docs/channels.md):
//   POST /api/v1/channels/twilio/status    Twilio's StatusCallback (MessageSid, MessageStatus)
//   POST /api/v1/channels/twilio/inbound   Twilio's incoming-message webhook (From, Body)
//   GET  /api/v1/channels/whatsapp         Meta's verification handshake (hub.verify_token)
//   POST /api/v1/channels/whatsapp         WhatsApp Cloud webhooks: statuses and messages
//   POST /api/v1/channels/webhook/status   the webhook channel's receipts: {"ref", "status", "error"}
// Each is checked against its provider's signature (X-Twilio-Signature; X-Hub-Signature-256 with the
// app secret; our X-Regua-Signature-256 with [channels.webhook] secret) before anything is read.
// Receipts record delivered / read / failed per message; replies asking to stop (SAIR, STOP, ...)
// record an opt-out of that channel. A callback that is unsigned, wrongly signed, malformed or
// about no message of this ledger is refused with the reason and counted in the ledger
// (callback_refusals; `regua-agent status` shows them).

#include <memory>

#include "agent/config/config.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace httplib {
class Server;
}

namespace regua {

class CallbackService;

// Opens the service's own ledger connection and adds the routes to `server`; the service must
// outlive the server's use of them.
Result<std::shared_ptr<CallbackService>> add_channel_routes(httplib::Server& server,
                                                            const AgentConfig& config, const Clock& clock);

}  // namespace regua
