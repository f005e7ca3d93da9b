#pragma once
// `GET` and `POST /api/v1/customers/{customer}/consents`: a customer's consent per channel, read and
// set by the store's web app (docs/http-api.md). Same bearer token as the events API; an answer
// set here is recorded as the customer's newest and committed with a full sync before the reply.

#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "agent/config/config.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/model/events.hpp"

namespace httplib {
class Server;
}

namespace regua {

class ConsentsService;

// A customer's answers as a request body says them: {"sms": false, "email": true, "source": "balcao"}
// (true: agrees, false: refuses); `source` is "http" or "http:<source>". The web app reads the same
// body (and records its own source).
struct ConsentAnswers {
  std::vector<std::pair<Channel, bool>> changes;
  std::string source;
};
// The answers, or the sentence saying what is wrong with the body.
std::variant<ConsentAnswers, std::string> read_consent_answers(const std::string& body);

// Opens the service's own ledger connection and adds the routes to `server`; the service must
// outlive the server's use of them.
Result<std::shared_ptr<ConsentsService>> add_consents_route(httplib::Server& server,
                                                            const AgentConfig& config, const Clock& clock);

}  // namespace regua
