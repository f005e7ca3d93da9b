#pragma once
// The hub's side of enrolling a store (docs/sync.md "Enrolling a store"): one request, a one-time
// token and a PKCS#10 CSR, answered with the store's client certificate and the CA to pin, or with
// a JSON error saying why not. No HTTP here (enrolment_server.hpp carries it), so that the rules
// are tested on their own:
//
// - the token is looked at first (unknown, expired and used are refused before anything else);
// - the CSR must be valid and its key strong enough (sync/enrolment_x509.hpp) before the token is
//   spent, so that a mistake on the store's side does not burn it;
// - the token is then used atomically (of two concurrent requests with one token, one wins);
// - the certificate's CN is the hub's "NETWORK/STORE" for the token's store, whatever the CSR asks.

#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cloud/hub_config.hpp"
#include "cloud/storage/hub_store.hpp"
#include "local/core/clock.hpp"
#include "sync/enrolment_x509.hpp"

namespace regua::hub {

struct EnrolReply {
  int status = 500;     // the HTTP status
  nlohmann::json body;  // success: store, network, subject, certificate, ca, not_after; else error, message
  std::string log;      // one line for the hub's log, never the token's secret
};

class Enroller {
 public:
  // Reads [enrolment] ca_cert and ca_key (ErrorKind::config when missing, unreadable or not a pair).
  static Result<Enroller> create(const HubConfig& config, HubStore& store, const Clock& clock);
  Enroller(std::string network, sync::Issuer issuer, int cert_days, HubStore& store, const Clock& clock);

  // `authorization`: the request's Authorization header; `body`: {"csr": PEM, "store": optional}.
  // Thread-safe (one request at a time reaches the store).
  EnrolReply enrol(std::string_view authorization, std::string_view body);

  [[nodiscard]] const std::string& ca_pem() const { return issuer_.ca_cert_pem; }

 private:
  std::string network_;
  sync::Issuer issuer_;
  int cert_days_;
  HubStore* store_;
  const Clock* clock_;
  std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
};

// A text file whole (ErrorKind::config naming the key when it cannot be read).
Result<std::string> read_enrolment_file(const std::filesystem::path& file, std::string_view key);

}  // namespace regua::hub
