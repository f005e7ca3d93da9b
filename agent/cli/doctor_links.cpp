#include "agent/cli/doctor_links.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include "agent/channels/curl_transfer.hpp"
#include "sync/protocol/topics.hpp"

namespace regua {
namespace {

// scheme://host:port of a URL, leaving out any user, password, path or query (they may hold a key).
std::string doctor_endpoint_shown(const std::string& url) {
  CURLU* u = curl_url();
  std::string shown = "(not a URL)";
  if (u != nullptr && curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      shown = std::string(scheme) + "://" + host + ":" + port;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(u);
  return shown;
}

// The CN of the first certificate in `file`; empty when it cannot be read (the certificate check
// says why).
std::string doctor_certificate_cn(const std::filesystem::path& file) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) return {};
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_X509(in.get(), nullptr, nullptr, nullptr),
                                                   &X509_free);
  ERR_clear_error();
  if (!cert) return {};
  char cn[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof(cn)) < 0)
    return {};
  return cn;
}

std::string doctor_provider_url(const ChannelsConfig& c, ProviderKind kind) {
  switch (kind) {
    case ProviderKind::twilio:
      return c.twilio.base_url;
    case ProviderKind::whatsapp_cloud:
      return c.whatsapp_cloud.base_url;
    case ProviderKind::webhook:
      return c.webhook.url;
    case ProviderKind::smtp:
      return std::string(c.smtp.security == SmtpSecurity::tls ? "smtps://" : "smtp://") + c.smtp.host + ":" +
             std::to_string(c.smtp.port);
    case ProviderKind::file:
      break;
  }
  return {};
}

}  // namespace

BrokerFact check_broker_link(const sync::SyncSettings& settings, std::chrono::milliseconds timeout) {
  BrokerFact fact;
  fact.url = settings.url;
  fact.topic = sync::store_filter(settings.network, settings.store, sync::Direction::down);
  fact.certificate_user = doctor_certificate_cn(settings.tls.cert);
  fact.store_user = settings.network + "/" + settings.store;
  fact.probe = sync::probe_broker_tls(settings.url, settings.tls, timeout);
  if (fact.probe.stage != sync::ProbeStage::ok) return fact;
  sync::LinkOptions options;
  options.url = settings.url;
  // Not the agent's own client id: the broker would close the running agent's connection.
  options.client_id =
      "regua-doctor-" + settings.network + "-" + settings.store + "-" + std::to_string(::getpid());
  options.tls = settings.tls;
  options.connect_timeout =
      std::max(std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(timeout));
  auto link = sync::MqttLink::create(options);
  if (!link) {
    fact.problem = link.error().message;
    return fact;
  }
  if (auto s = (*link)->connect(); !s) {
    fact.problem = s.error().message;
    return fact;
  }
  auto code = (*link)->subscribe(fact.topic);
  if (code) {
    fact.suback = *code;
  } else {
    fact.problem = code.error().message;
  }
  (*link)->disconnect();
  return fact;
}

std::vector<ChannelFact> check_channel_endpoints(const ChannelsConfig& channels,
                                                 std::chrono::seconds timeout) {
  std::vector<ChannelFact> facts;
  std::vector<ProviderKind> kinds;
  for (const char* channel : {"sms", "whatsapp", "email"}) {
    const auto kind = channels.provider_of(channel);
    if (kind == ProviderKind::file) continue;
    std::size_t at = 0;
    while (at < kinds.size() && kinds[at] != kind)
      ++at;
    if (at == kinds.size()) {
      kinds.push_back(kind);
      facts.push_back(ChannelFact{channel, std::string(provider_name(kind)), "", ""});
    } else {
      facts[at].channels += std::string(", ") + channel;
    }
  }
  TransferSettings settings;
  settings.ca_file = channels.ca_file;
  settings.timeout = timeout;
  settings.connect_timeout = timeout;
  for (std::size_t i = 0; i < facts.size(); ++i) {
    const auto url = doctor_provider_url(channels, kinds[i]);
    facts[i].endpoint = doctor_endpoint_shown(url);
    auto transfer = Transfer::connect_only(settings, url);
    if (!transfer) {
      facts[i].problem = transfer.error().message;
      continue;
    }
    (*transfer)->finish(curl_easy_perform((*transfer)->handle()));
    if ((*transfer)->reply().code != CURLE_OK) facts[i].problem = (*transfer)->reply().error;
  }
  return facts;
}

}  // namespace regua
