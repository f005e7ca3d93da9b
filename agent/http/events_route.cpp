#include "agent/http/events_route.hpp"

#include <mutex>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/connectors/http_events.hpp"
#include "agent/connectors/jsonl_decoder.hpp"
#include "agent/http/api_auth.hpp"
#include "agent/http/bearer_token.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {

// One ledger connection, ingestor and decoder, used by one request at a time.
class EventsService {
 public:
  static Result<std::shared_ptr<EventsService>> open(const AgentConfig& config, const Clock& clock) {
    // The agent has just opened (and checked, and migrated) the same ledger.
    auto ledger = Ledger::open(LedgerOptions{config.ledger.path, config.store.id, false, false}, clock);
    if (!ledger) return ledger.error();
    auto phones = LibphonenumberNormaliser::create(config.store.country);
    if (!phones) return phones.error();
    return std::shared_ptr<EventsService>(
        new EventsService(config, clock, std::move(*ledger), std::move(*phones)));
  }

  Result<EventsAnswer> ingest(std::string_view body) {
    std::lock_guard lock(mutex_);
    if (!ingestor_) {
      auto in = Ingestor::create(ledger_, phones_);
      if (!in) return in.error();
      ingestor_.emplace(std::move(*in));
    }
    return ingest_events_body(ledger_, *ingestor_, decoder_, body);
  }

  [[nodiscard]] const std::string& token() const { return token_; }

 private:
  EventsService(const AgentConfig& config, const Clock& clock, Ledger ledger, LibphonenumberNormaliser phones)
      : ledger_(std::move(ledger)),
        phones_(std::move(phones)),
        decoder_(config.store, clock),
        token_(config.http.token) {}

  std::mutex mutex_;
  Ledger ledger_;
  LibphonenumberNormaliser phones_;
  JsonlDecoder decoder_;
  std::optional<Ingestor> ingestor_;
  std::string token_;
};

namespace {

nlohmann::json to_json(const EventsAnswer& answer) {
  auto lines = nlohmann::json::array();
  for (const auto& l : answer.lines) {
    nlohmann::json j{{"line", l.line}, {"status", outcome_name(l.status)}};
    if (!l.reason.empty()) j["reason"] = l.reason;
    lines.push_back(std::move(j));
  }
  return {{"accepted", answer.accepted},
          {"duplicates", answer.duplicates},
          {"quarantined", answer.quarantined},
          {"lines", std::move(lines)}};
}

}  // namespace

Result<std::shared_ptr<EventsService>> add_events_route(httplib::Server& server, const AgentConfig& config,
                                                        const Clock& clock,
                                                        std::function<void()> on_accepted) {
  auto service = EventsService::open(config, clock);
  if (!service) return service.error();
  std::weak_ptr<EventsService> weak = *service;
  server.Post("/api/v1/events", [weak, on_accepted = std::move(on_accepted)](const httplib::Request& req,
                                                                             httplib::Response& res) {
    auto self = weak.lock();
    if (!self) return reply_api_error(res, 503, "the agent is stopping; send the events again in a moment");
    switch (check_bearer(req.get_header_value("Authorization"), self->token())) {
      case TokenCheck::ok:
        break;
      case TokenCheck::not_configured:
        return reply_api_error(
            res, 403,
            "event ingest over HTTP is off: set [http] token in the agent's configuration (or "
            "$REGUA_HTTP_TOKEN) and send it as `Authorization: Bearer <token>`");
      case TokenCheck::missing:
        res.set_header("WWW-Authenticate", "Bearer");
        return reply_api_error(res, 401, "send the agent's token as `Authorization: Bearer <token>`");
      case TokenCheck::wrong:
        res.set_header("WWW-Authenticate", "Bearer");
        return reply_api_error(res, 401, "the token is not this agent's ([http] token in its configuration)");
    }
    auto answer = self->ingest(req.body);
    if (!answer) {
      spdlog::error("POST /api/v1/events: {}", answer.error().message);
      return reply_api_error(res, 503,
                             "nothing was stored, send the events again: " + answer.error().message);
    }
    if (answer->accepted > 0 && on_accepted) on_accepted();
    res.status = 200;
    res.set_content(to_json(*answer).dump(), kJsonContentType);
  });
  return service;
}

}  // namespace regua
