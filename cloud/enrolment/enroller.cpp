#include "cloud/enrolment/enroller.hpp"

#include <fstream>
#include <sstream>

#include "local/core/timestamp.hpp"
#include "sync/enrolment_token.hpp"

namespace regua::hub {
namespace {

EnrolReply enrol_refusal(int status, std::string code, const std::string& message,
                         const std::string& token_id) {
  EnrolReply r;
  r.status = status;
  r.body = {{"error", code}, {"message", message}};
  r.log = "enrolment refused (" + (token_id.empty() ? std::string("no token") : "token " + token_id) +
          "): " + code + ": " + message;
  return r;
}

EnrolReply enrol_token_refusal(const TokenCheck& check, const std::string& token_id) {
  const std::string remedy = ": make a new one with `regua-hub enrol token --store STORE`";
  switch (check.state) {
    case TokenState::expired:
      return enrol_refusal(401, "token_expired", "the enrolment token has expired" + remedy, token_id);
    case TokenState::used:
      return enrol_refusal(401, "token_used",
                           "the enrolment token was already used (a token enrols one store once)" + remedy,
                           token_id);
    case TokenState::unknown:
    case TokenState::valid:
      break;
  }
  return enrol_refusal(
      401, "token_unknown",
      "this hub knows no such enrolment token: check that the whole token was copied, or" + remedy.substr(1),
      token_id);
}

}  // namespace

Result<std::string> read_enrolment_file(const std::filesystem::path& file, std::string_view key) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) {
    return make_error(ErrorKind::config,
                      "[enrolment] " + std::string(key) + ": cannot read " + file.string() +
                          " (installer/pki.sh makes it; the hub's user must be able to read it)");
  }
  return text.str();
}

Result<Enroller> Enroller::create(const HubConfig& config, HubStore& store, const Clock& clock) {
  if (!config.enrolment) {
    return make_error(
        ErrorKind::config,
        config.file.string() + ": no [enrolment] section: add one (docs/hub.md) to enrol stores");
  }
  auto ca_cert = read_enrolment_file(config.enrolment->ca_cert, "ca_cert");
  if (!ca_cert) return ca_cert.error();
  auto ca_key = read_enrolment_file(config.enrolment->ca_key, "ca_key");
  if (!ca_key) return ca_key.error();
  // A trial issue finds a CA key that is not the CA certificate's now, not at the first store.
  auto trial = sync::make_key_and_csr("trial");
  if (!trial) return trial.error();
  sync::Issuer issuer{std::move(*ca_cert), std::move(*ca_key)};
  if (auto issued = sync::issue_client_certificate(issuer, trial->csr_pem, "trial", 1,
                                                   clock.now().time_since_epoch().count());
      !issued) {
    return make_error(ErrorKind::config,
                      config.file.string() + ": [enrolment] ca_cert " + config.enrolment->ca_cert.string() +
                          " and ca_key " + config.enrolment->ca_key.string() + ": " + issued.error().message);
  }
  return Enroller(config.network, std::move(issuer), config.enrolment->cert_days, store, clock);
}

Enroller::Enroller(std::string network, sync::Issuer issuer, int cert_days, HubStore& store,
                   const Clock& clock)
    : network_(std::move(network)),
      issuer_(std::move(issuer)),
      cert_days_(cert_days),
      store_(&store),
      clock_(&clock) {}

EnrolReply Enroller::enrol(std::string_view authorization, std::string_view body) {
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer)) {
    return enrol_refusal(
        401, "token_missing",
        "send the enrolment token as `Authorization: Bearer ID.SECRET` (regua-agent enroll does)", "");
  }
  auto token = sync::parse_enrolment_bearer(authorization.substr(kBearer.size()));
  if (!token) return enrol_token_refusal(TokenCheck{}, "");
  const auto hash = sync::enrolment_secret_hash(token->secret);
  std::lock_guard lock(*mutex_);
  const auto now = clock_->now();
  auto check = store_->check_enrolment_token(token->id, hash, now);
  if (!check)
    return enrol_refusal(500, "internal", "the hub's storage failed: " + check.error().message, token->id);
  if (check->state != TokenState::valid) return enrol_token_refusal(*check, token->id);

  const auto request = nlohmann::json::parse(body, nullptr, false);
  if (!request.is_object() || !request.contains("csr") || !request["csr"].is_string()) {
    return enrol_refusal(400, "bad_request",
                         "the body must be a JSON object with \"csr\": the PEM of a PKCS#10 request",
                         token->id);
  }
  const auto csr = request["csr"].get<std::string>();
  auto checked = sync::check_csr(csr);
  if (!checked) return enrol_refusal(400, "bad_csr", checked.error().message, token->id);
  if (request.contains("store") && request["store"] != check->store) {
    return enrol_refusal(409, "wrong_store",
                         "this token enrols store \"" + check->store + "\", not " + request["store"].dump() +
                             ": use a token made for this store (the token stays unused)",
                         token->id);
  }
  auto used = store_->use_enrolment_token(token->id, hash, now);
  if (!used)
    return enrol_refusal(500, "internal", "the hub's storage failed: " + used.error().message, token->id);
  if (used->state != TokenState::valid) return enrol_token_refusal(*used, token->id);

  const auto subject = network_ + "/" + used->store;
  auto cert =
      sync::issue_client_certificate(issuer_, csr, subject, cert_days_, now.time_since_epoch().count());
  if (!cert) {
    return enrol_refusal(500, "internal", "the certificate could not be signed: " + cert.error().message,
                         token->id);
  }
  auto not_after = sync::certificate_not_after(*cert);
  EnrolReply r;
  r.status = 200;
  r.body = {{"store", used->store}, {"network", network_},       {"subject", subject},
            {"certificate", *cert}, {"ca", issuer_.ca_cert_pem}, {"not_after", not_after ? *not_after : 0}};
  r.log = "enrolled store " + used->store + " (token " + token->id + ", " + checked->key_kind +
          " key; its CSR asked for CN \"" + checked->requested_cn + "\"); certificate " + subject +
          " valid until " +
          (not_after ? format_utc(Seconds(std::chrono::seconds(*not_after))) : std::string("?"));
  return r;
}

}  // namespace regua::hub
