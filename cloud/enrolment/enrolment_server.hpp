#pragma once
// The enrolment endpoint: HTTPS on its own listener ([enrolment] listen), apart from the MQTT side
// and from any HQ API, because it may face the internet while those stay inside. Two routes:
//
//   GET  /v1/enrol/ca   the network CA certificate (PEM; public): the agent checks it against the
//                       token's pin, then trusts only it for the next request
//   POST /v1/enrol      Authorization: Bearer ID.SECRET, body {"csr": PEM, "store": optional};
//                       200 {store, network, subject, certificate, ca, not_after} or a JSON error
//
// It runs on a thread of its own (cpp-httplib's pool answers), with its own storage session.

#include <memory>
#include <thread>

#include "cloud/enrolment/enroller.hpp"

namespace httplib {
class SSLServer;
}

namespace regua::hub {

class EnrolmentServer {
 public:
  // Checks [enrolment] (the endpoint's certificate must be signed by ca_cert: that is what the
  // stores pin), listens, and starts answering. ErrorKind::config when a file or the address is wrong.
  static Result<std::unique_ptr<EnrolmentServer>> start(const HubConfig& config,
                                                        std::unique_ptr<HubStore> store, const Clock& clock);
  ~EnrolmentServer();
  EnrolmentServer(const EnrolmentServer&) = delete;
  EnrolmentServer& operator=(const EnrolmentServer&) = delete;

 private:
  EnrolmentServer(std::unique_ptr<HubStore> store, Enroller enroller,
                  std::unique_ptr<httplib::SSLServer> server);

  std::unique_ptr<HubStore> store_;
  Enroller enroller_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
};

}  // namespace regua::hub
