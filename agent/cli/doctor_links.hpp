#pragma once
// What `doctor` learns by connecting out, as the running agent would, with a short timeout: the
// broker (DNS and TCP, TLS with the store's certificate, then MQTT and a subscription to the
// store's own down/ topic, which the broker's ACL must grant) and each configured message
// provider (TCP and TLS to its endpoint; no request, no login, no message). Credentials are never
// in what is kept here: endpoints are shown as scheme://host:port only.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/channels_options.hpp"
#include "sync/sync_service.hpp"
#include "sync/tls_probe.hpp"

namespace regua {

struct BrokerFact {
  std::string url;
  sync::TlsProbeResult probe;  // DNS, TCP and TLS
  std::string topic;           // the store's down/ topic filter
  std::optional<int> suback;   // the broker's reason code for it, once subscribed
  // The certificate's CN: the MQTT user the broker's ACL checks (it must be "network/store").
  // Mosquitto grants a subscription its ACL denies and then delivers nothing, so the reason code
  // alone does not show a certificate made for another store.
  std::string certificate_user;
  std::string store_user;  // what it must be: "network/store" of this configuration
  std::string problem;     // MQTT failed after TLS was fine: why
};

// `settings` is [sync] with [store] id filled in.
BrokerFact check_broker_link(const sync::SyncSettings& settings, std::chrono::milliseconds timeout);

struct ChannelFact {
  std::string channels;  // the contact channels it sends ("sms", "sms, whatsapp")
  std::string provider;  // "twilio", "smtp", ...
  std::string endpoint;  // scheme://host:port
  std::string problem;   // empty: TCP and TLS up, certificate verified
};

// Every provider other than `file` that a channel uses, once.
std::vector<ChannelFact> check_channel_endpoints(const ChannelsConfig& channels,
                                                 std::chrono::seconds timeout);

}  // namespace regua
