#include "agent/http/consents_route.hpp"

#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/http/api_auth.hpp"
#include "agent/identity/consent_json.hpp"
#include "local/identity/erasure.hpp"
#include "local/ledger/durable_commits.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {

// An HTTP failure: the status and the sentence for {"error": ...}.
struct ConsentsFailure {
  int status;
  std::string message;
};

// One ledger connection, used by one request at a time.
class ConsentsService {
 public:
  static Result<std::shared_ptr<ConsentsService>> open(const AgentConfig& config, const Clock& clock) {
    auto ledger = Ledger::open(LedgerOptions{config.ledger.path, config.store.id, false, false}, clock);
    if (!ledger) return ledger.error();
    return std::shared_ptr<ConsentsService>(new ConsentsService(config, clock, std::move(*ledger)));
  }

  [[nodiscard]] const std::string& token() const { return token_; }

  // The customer's consents; with `changes`, after recording them (source "http" or "http:<label>").
  std::variant<nlohmann::ordered_json, ConsentsFailure> handle(
      std::string_view ref, const std::vector<std::pair<Channel, bool>>* changes, const std::string& source) {
    std::lock_guard lock(mutex_);
    auto& db = ledger_.db();
    std::optional<DurableCommits> durable;
    if (changes != nullptr) {
      durable.emplace(ledger_);
      if (!durable->status()) return ConsentsFailure{503, durable->status().error().message};
    }
    auto txn = sqlite::Transaction::begin(db);
    if (!txn) return ConsentsFailure{503, txn.error().message};
    auto found = find_customer_ref(db, ref);
    if (!found) return ConsentsFailure{503, found.error().message};
    if (!*found || (*found)->erased) {
      auto erased = *found ? erasure_of_customer(db, (*found)->id) : erasure_of_pos_id(db, ref);
      if (!erased) return ConsentsFailure{503, erased.error().message};
      if (*erased) {
        return ConsentsFailure{410, "customer " + std::string(ref) + " was forgotten (erasure " +
                                        (*erased)->key + "): nothing is kept about them, consent included"};
      }
      return ConsentsFailure{
          404, "no customer \"" + std::string(ref) +
                   "\": give the POS's customer id (as in its sales), or #N (%23N in a URL) for "
                   "the ledger's number"};
    }
    nlohmann::ordered_json changed = nlohmann::ordered_json::object();
    if (changes != nullptr) {
      for (const auto& [channel, granted] : *changes) {
        auto recorded = record_consent_now(db, (*found)->id, channel, granted, source, clock_.now());
        if (!recorded)
          return ConsentsFailure{503, "nothing was recorded, send it again: " + recorded.error().message};
        changed[std::string(channel_name(channel))] = *recorded;
      }
      if (auto s = txn->commit(); !s)
        return ConsentsFailure{503, "nothing was recorded, send it again: " + s.error().message};
    }
    auto overview = consent_overview(db, (*found)->id, policy_);
    if (!overview) return ConsentsFailure{503, overview.error().message};
    auto j = consent_json(**found, *overview);
    if (changes != nullptr) j["changed"] = std::move(changed);
    return j;
  }

 private:
  ConsentsService(const AgentConfig& config, const Clock& clock, Ledger ledger)
      : ledger_(std::move(ledger)), clock_(clock), policy_(config.consent), token_(config.http.token) {}

  std::mutex mutex_;
  Ledger ledger_;
  const Clock& clock_;
  ConsentPolicy policy_;
  std::string token_;
};

namespace {

constexpr std::string_view kWhat = "consent over HTTP";

void reply_consents(httplib::Response& res, std::variant<nlohmann::ordered_json, ConsentsFailure> result) {
  if (auto* failure = std::get_if<ConsentsFailure>(&result)) {
    if (failure->status >= 500) spdlog::error("consent over HTTP: {}", failure->message);
    return reply_api_error(res, failure->status, failure->message);
  }
  res.status = 200;
  res.set_content(std::get<nlohmann::ordered_json>(result).dump(
                      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                  kJsonContentType);
}

}  // namespace

// {"sms": false, "email": true, "source": "balcao"}: the answers and where they were given.
std::variant<ConsentAnswers, std::string> read_consent_answers(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return std::string(
        "the body must be a JSON object such as {\"sms\": false} (true: the customer agrees, false: "
        "refuses)");
  }
  std::vector<std::pair<Channel, bool>> changes;
  std::string source = "http";
  for (const auto& [key, value] : j.items()) {
    if (key == "source") {
      const bool ok = value.is_string() && !value.get<std::string>().empty() &&
                      value.get<std::string>().size() <= 32 &&
                      value.get<std::string>().find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") ==
                          std::string::npos;
      if (!ok)
        return std::string(
            "\"source\" must be 1 to 32 lower-case letters, digits, '_' or '-' (where the "
            "answer was given, e.g. \"balcao\"; never a name)");
      source = "http:" + value.get<std::string>();
      continue;
    }
    const auto channel = channel_from_name(key);
    if (!channel) {
      return "unknown key \"" + key +
             "\" (allowed: \"sms\", \"whatsapp\", \"email\" with true or false, \"source\")";
    }
    if (!value.is_boolean()) {
      return "\"" + key + "\" must be true (the customer agrees) or false (refuses), not " +
             std::string(value.type_name());
    }
    changes.emplace_back(*channel, value.get<bool>());
  }
  if (changes.empty()) return std::string("say at least one channel's answer, e.g. {\"sms\": false}");
  return ConsentAnswers{std::move(changes), std::move(source)};
}

Result<std::shared_ptr<ConsentsService>> add_consents_route(httplib::Server& server,
                                                            const AgentConfig& config, const Clock& clock) {
  auto service = ConsentsService::open(config, clock);
  if (!service) return service.error();
  std::weak_ptr<ConsentsService> weak = *service;
  constexpr const char* kPath = R"(/api/v1/customers/([^/]+)/consents)";
  server.Get(kPath, [weak](const httplib::Request& req, httplib::Response& res) {
    auto self = weak.lock();
    if (!self) return reply_api_error(res, 503, "the agent is stopping; ask again in a moment");
    if (!api_token_accepted(req, res, self->token(), kWhat)) return;
    reply_consents(res, self->handle(req.matches[1].str(), nullptr, {}));
  });
  server.Post(kPath, [weak](const httplib::Request& req, httplib::Response& res) {
    auto self = weak.lock();
    if (!self) return reply_api_error(res, 503, "the agent is stopping; send it again in a moment");
    if (!api_token_accepted(req, res, self->token(), kWhat)) return;
    auto body = read_consent_answers(req.body);
    if (auto* problem = std::get_if<std::string>(&body)) return reply_api_error(res, 400, *problem);
    const auto& answers = std::get<ConsentAnswers>(body);
    reply_consents(res, self->handle(req.matches[1].str(), &answers.changes, answers.source));
  });
  return service;
}

}  // namespace regua
