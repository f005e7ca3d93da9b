#pragma once
// A TLS handshake with the broker and nothing more, to say in plain words why the store cannot
// connect: the name does not resolve, nothing accepts connections on the port, or TLS refuses:
// the pinned CA did not sign the broker's certificate, the certificate is for another name or has
// expired, or the broker refused this store's certificate. paho (the MQTT link) only says
// "certificate verify failed"; `doctor` and the link's own error (`status`, the log) use this to
// say which. It checks what the link checks: the pinned CA, the host name, the client certificate.

#include <chrono>
#include <string>
#include <string_view>

#include "local/core/result.hpp"
#include "sync/mqtt_link.hpp"

namespace regua::sync {

struct BrokerAddress {
  std::string host;  // a name or an IP address (without the brackets of an IPv6 URL)
  std::string port;
};

// "ssl://host:port", "mqtts://[::1]:8883": the host and port of a broker URL.
Result<BrokerAddress> parse_broker_address(std::string_view url);

enum class ProbeStage {
  address,  // the URL is not host:port, or the name does not resolve (DNS)
  tcp,      // nothing accepts connections there (broker down, firewall, no route)
  tls,      // the TLS handshake failed: `detail` says whose certificate and why
  ok,       // TLS up with both certificates accepted
};

struct TlsProbeResult {
  ProbeStage stage = ProbeStage::ok;
  std::string detail;  // plain words: what failed and what to do; empty when ok
};

std::string_view probe_stage_name(ProbeStage stage);

// Connects to the broker of `url` with `tls`, waiting at most `timeout` for each step; sends
// nothing but the handshake and closes.
TlsProbeResult probe_broker_tls(const std::string& url, const TlsFiles& tls,
                                std::chrono::milliseconds timeout);

}  // namespace regua::sync
