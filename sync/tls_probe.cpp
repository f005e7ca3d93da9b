#include "sync/tls_probe.hpp"

#include <cerrno>
#include <cstring>
#include <memory>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace regua::sync {
namespace {

struct ProbeSocket {
  int fd = -1;
  ~ProbeSocket() {
    if (fd >= 0) ::close(fd);
  }
};

// OpenSSL writes to the socket with plain write(): a broker that closed it would raise SIGPIPE,
// which ends the process. Blocked on this thread while probing; one raised is taken before the
// mask is restored.
class ProbeSigpipeBlock {
 public:
  ProbeSigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~ProbeSigpipeBlock() {
    if (sigismember(&old_, SIGPIPE) == 1) return;
    const timespec now{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &now) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ProbeSigpipeBlock(const ProbeSigpipeBlock&) = delete;
  ProbeSigpipeBlock& operator=(const ProbeSigpipeBlock&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
};

using CtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;

TlsProbeResult probe_failure(ProbeStage stage, std::string detail) {
  return {stage, std::move(detail)};
}

// The newest OpenSSL error in words ("sslv3 alert certificate expired"), and the queue cleared.
std::string probe_openssl_reason() {
  const unsigned long e = ERR_peek_last_error();
  std::string reason;
  if (e != 0) {
    const char* text = ERR_reason_error_string(e);
    reason = text != nullptr ? text : "error " + std::to_string(e);
  }
  ERR_clear_error();
  return reason;
}

// A TCP connection to one of the addresses, each attempt waiting at most `timeout`.
Result<int> probe_connect(const addrinfo* list, std::chrono::milliseconds timeout) {
  std::string last = "no address";
  for (const addrinfo* a = list; a != nullptr; a = a->ai_next) {
    ProbeSocket s{::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol)};
    if (s.fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    const int flags = ::fcntl(s.fd, F_GETFL);
    ::fcntl(s.fd, F_SETFL, flags | O_NONBLOCK);
    int rc = ::connect(s.fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{s.fd, POLLOUT, 0};
      rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (rc == 0) {
        last = "no answer within " + std::to_string(timeout.count()) + " ms";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      last = std::strerror(errno);
      continue;
    }
    ::fcntl(s.fd, F_SETFL, flags);
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    const int fd = s.fd;
    s.fd = -1;
    return fd;
  }
  return make_error(ErrorKind::io, last);
}

bool probe_host_is_ip(const std::string& host) {
  in6_addr buffer{};
  return ::inet_pton(AF_INET, host.c_str(), &buffer) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &buffer) == 1;
}

// Why the broker's certificate did not verify, in plain words, with what to do.
std::string broker_certificate_refusal(long verify, const std::string& host) {
  const std::string openssl = std::string(" (OpenSSL: ") + X509_verify_cert_error_string(verify) + ")";
  switch (verify) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "the broker's certificate has expired" + openssl +
             ": renew it on the broker (installer/pki.sh broker; docs/sync.md), or correct this machine's "
             "date if it is wrong";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "the broker's certificate is not valid yet" + openssl + ": check this machine's date and time";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "the broker's certificate is not made for " + host + openssl +
             ": in [sync] broker use the name the broker's certificate was made for, or make the "
             "broker's certificate for " +
             host + " (installer/pki.sh broker)";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "the broker's certificate is not signed by the CA in [sync] ca" + openssl +
             ": give the store its network's ca.crt, and check [sync] broker is this network's broker";
    default:
      return "the broker's certificate was refused" + openssl;
  }
}

// Why the handshake failed when the broker's certificate was fine: mostly the broker refusing ours.
std::string handshake_refusal(const std::string& reason_text, int reason) {
  switch (reason) {
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
      return "the broker refused this store's certificate ([sync] cert): it has expired (OpenSSL: " +
             reason_text + "): enrol the store again (`regua-agent enroll`) for a new one";
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
      return "the broker refused this store's certificate ([sync] cert): it was not made by this "
             "network's CA (OpenSSL: " +
             reason_text + "): enrol the store with this network's hub (`regua-agent enroll`)";
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
      return "the broker refused this store's certificate ([sync] cert): it was revoked (OpenSSL: " +
             reason_text + "): ask HQ, then enrol the store again";
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return "the broker wants a client certificate and took none (OpenSSL: " + reason_text +
             "): check [sync] cert and key";
    default:
      return "the TLS handshake with the broker failed (OpenSSL: " +
             (reason_text.empty() ? std::string("no reason given") : reason_text) +
             "): check that [sync] broker is the broker's TLS port";
  }
}

}  // namespace

std::string_view probe_stage_name(ProbeStage stage) {
  switch (stage) {
    case ProbeStage::address:
      return "address";
    case ProbeStage::tcp:
      return "tcp";
    case ProbeStage::tls:
      return "tls";
    case ProbeStage::ok:
      return "ok";
  }
  return "ok";
}

Result<BrokerAddress> parse_broker_address(std::string_view url) {
  const auto bad = [&] {
    return make_error(ErrorKind::config, "the broker URL \"" + std::string(url) +
                                             "\" is not scheme://host:port (write it as ssl://host:8883)");
  };
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return bad();
  std::string_view rest = url.substr(scheme + 3);
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  BrokerAddress a;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') return bad();
    a.host = std::string(rest.substr(1, close - 1));
    a.port = std::string(rest.substr(close + 2));
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return bad();
    a.host = std::string(rest.substr(0, colon));
    a.port = std::string(rest.substr(colon + 1));
  }
  if (a.host.empty() || a.port.empty() || a.port.find_first_not_of("0123456789") != std::string::npos)
    return bad();
  return a;
}

TlsProbeResult probe_broker_tls(const std::string& url, const TlsFiles& tls,
                                std::chrono::milliseconds timeout) {
  auto address = parse_broker_address(url);
  if (!address) return probe_failure(ProbeStage::address, address.error().message);
  const auto where = address->host + ":" + address->port;

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(address->host.c_str(), address->port.c_str(), &hints, &found); rc != 0) {
    return probe_failure(ProbeStage::address,
                         "the broker's name " + address->host + " does not resolve (" + ::gai_strerror(rc) +
                             "): check [sync] broker and this machine's DNS and internet link");
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  auto fd = probe_connect(addresses.get(), timeout);
  if (!fd) {
    return probe_failure(ProbeStage::tcp, "nothing accepts connections at " + where + " (" +
                                              fd.error().message +
                                              "): the broker is down, or a firewall or the internet link "
                                              "blocks the way; the outbox keeps everything meanwhile");
  }
  const ProbeSigpipeBlock no_sigpipe;
  ProbeSocket conn{*fd};

  ERR_clear_error();
  CtxPtr ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  if (!ctx) return probe_failure(ProbeStage::tls, "OpenSSL cannot start: " + probe_openssl_reason());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca.c_str(), nullptr) != 1) {
    return probe_failure(ProbeStage::tls, "[sync] ca " + tls.ca.string() +
                                              " holds no CA certificate (OpenSSL: " + probe_openssl_reason() +
                                              "): give the store its network's ca.crt");
  }
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert.c_str()) != 1) {
    return probe_failure(ProbeStage::tls, "[sync] cert " + tls.cert.string() +
                                              " holds no certificate (OpenSSL: " + probe_openssl_reason() +
                                              "): enrol the store again (`regua-agent enroll`)");
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    return probe_failure(ProbeStage::tls, "[sync] key " + tls.key.string() +
                                              " is not the key of [sync] cert (OpenSSL: " +
                                              probe_openssl_reason() + "): enrol the store again");
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SslPtr ssl(SSL_new(ctx.get()), &SSL_free);
  if (!ssl) return probe_failure(ProbeStage::tls, "OpenSSL cannot start: " + probe_openssl_reason());
  SSL_set_fd(ssl.get(), conn.fd);
  if (probe_host_is_ip(address->host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), address->host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl.get(), address->host.c_str());
    SSL_set1_host(ssl.get(), address->host.c_str());
  }

  if (SSL_connect(ssl.get()) != 1) {
    const long verify = SSL_get_verify_result(ssl.get());
    if (verify != X509_V_OK) {
      ERR_clear_error();
      return probe_failure(ProbeStage::tls, broker_certificate_refusal(verify, address->host));
    }
    const unsigned long e = ERR_peek_last_error();
    if (e == 0) {
      return probe_failure(ProbeStage::tls, "the broker at " + where +
                                                " closed the connection during the TLS handshake: check that "
                                                "[sync] broker is the broker's TLS port");
    }
    const int reason = ERR_GET_REASON(e);
    return probe_failure(ProbeStage::tls, handshake_refusal(probe_openssl_reason(), reason));
  }
  // TLS 1.3 finishes the client's side before the server has looked at the client's certificate:
  // its refusal comes as an alert just after. A broker that took it says nothing (MQTT waits for
  // our CONNECT), so a short wait for an alert is enough.
  if (SSL_version(ssl.get()) >= TLS1_3_VERSION) {
    timeval tv{0, 500'000};
    ::setsockopt(conn.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char byte = 0;
    const int got = SSL_read(ssl.get(), &byte, 1);
    if (got <= 0 && SSL_get_error(ssl.get(), got) == SSL_ERROR_SSL) {
      const int reason = ERR_GET_REASON(ERR_peek_last_error());
      return probe_failure(ProbeStage::tls, handshake_refusal(probe_openssl_reason(), reason));
    }
  }
  ERR_clear_error();
  SSL_shutdown(ssl.get());
  return {};
}

}  // namespace regua::sync
