#include "cloud/enrolment/enrolment_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

namespace regua::hub {

Result<std::unique_ptr<EnrolmentServer>> EnrolmentServer::start(const HubConfig& config,
                                                                std::unique_ptr<HubStore> store,
                                                                const Clock& clock) {
  auto enroller = Enroller::create(config, *store, clock);
  if (!enroller) return enroller.error();
  const auto& e = *config.enrolment;
  auto cert = read_enrolment_file(e.cert, "cert");
  if (!cert) return cert.error();
  if (auto s = sync::check_signed_by(*cert, enroller->ca_pem()); !s) {
    return make_error(ErrorKind::config,
                      config.file.string() + ": [enrolment] cert " + e.cert.string() +
                          " is not a server certificate of ca_cert " + e.ca_cert.string() + " (" +
                          s.error().message +
                          "): the stores trust the endpoint only under the network CA their token pins; make "
                          "it with `installer/pki.sh enrolment DIR HOST [IP...]`");
  }
  auto server = std::make_unique<httplib::SSLServer>(e.cert.c_str(), e.key.c_str());
  if (!server->is_valid()) {
    return make_error(ErrorKind::config,
                      config.file.string() + ": [enrolment] cert " + e.cert.string() + " and key " +
                          e.key.string() +
                          " cannot serve TLS: is the key unreadable or not the certificate's?");
  }
  if (!server->bind_to_port(e.host, e.port)) {
    return make_error(ErrorKind::config, config.file.string() + ": [enrolment] listen: cannot listen on " +
                                             e.host + ":" + std::to_string(e.port) +
                                             " (in use, or not an address of this machine)");
  }
  return std::unique_ptr<EnrolmentServer>(
      new EnrolmentServer(std::move(store), std::move(*enroller), std::move(server)));
}

EnrolmentServer::EnrolmentServer(std::unique_ptr<HubStore> store, Enroller enroller,
                                 std::unique_ptr<httplib::SSLServer> server)
    : store_(std::move(store)), enroller_(std::move(enroller)), server_(std::move(server)) {
  // A CSR is a few hundred bytes; anything near this is not one.
  server_->set_payload_max_length(64 * 1024);
  server_->set_read_timeout(std::chrono::seconds(10));
  server_->Get("/v1/enrol/ca", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(enroller_.ca_pem(), "application/x-pem-file");
  });
  server_->Post("/v1/enrol", [this](const httplib::Request& req, httplib::Response& res) {
    const auto reply = enroller_.enrol(req.get_header_value("Authorization"), req.body);
    if (reply.status == 200) {
      spdlog::info("{} (from {})", reply.log, req.remote_addr);
    } else {
      spdlog::warn("{} (from {})", reply.log, req.remote_addr);
    }
    res.status = reply.status;
    res.set_content(reply.body.dump(), "application/json");
  });
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

EnrolmentServer::~EnrolmentServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace regua::hub
