// `regua-agent enroll --hub https://HOST:PORT --token TOKEN [--dir DIR] [--force]`: a new store gets
// its client certificate from the hub's enrolment endpoint (docs/sync.md "Enrolling a store").
//
// 1. A new EC P-256 key and a CSR, made here; the key never leaves the machine.
// 2. GET /v1/enrol/ca without trusting anything yet: the network CA, kept only when its SHA-256 is
//    the one the token pins (nothing secret has been sent so far).
// 3. POST /v1/enrol with the token, trusting only that CA and checking the host name: the store's
//    certificate and the CA come back.
// 4. The certificate must be for the new key, chain to the pinned CA for client authentication and
//    name this store; then key (0600), certificate and CA are written, each atomically, where
//    [sync] key, cert and ca say (or into --dir, with a [sync] snippet printed).

#include <fstream>
#include <iostream>
#include <sstream>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "local/core/durable_files.hpp"
#include "local/core/timestamp.hpp"
#include "sync/enrolment_token.hpp"
#include "sync/enrolment_x509.hpp"

namespace regua {
namespace {

struct EnrollTargets {
  std::filesystem::path key, cert, ca;
  std::string expected_cn;  // "network/store" when the configuration says; else empty
  std::string store;        // [store] id when known; sent so that a token of another store stays unused
};

struct EnrollEndpoint {
  std::string host;
  int port = 443;
};

Result<EnrollEndpoint> parse_enroll_hub_url(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  auto bad = [&](const std::string& why) {
    return make_error(ErrorKind::usage, "--hub: \"" + url + "\" " + why +
                                            ": write https://HOST:PORT, the address of "
                                            "the hub's enrolment endpoint ([enrolment] listen)");
  };
  if (!url.starts_with(kScheme)) return bad("is not an https:// URL");
  std::string rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos) return bad("is not HOST or HOST:PORT");
  EnrollEndpoint out;
  const auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']', colon) == std::string::npos) {
    const auto port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
      return bad("has no valid port");
    out.port = std::stoi(port);
    if (out.port < 1 || out.port > 65535) return bad("has no valid port");
    rest = rest.substr(0, colon);
  }
  if (rest.size() > 2 && rest.front() == '[' && rest.back() == ']') rest = rest.substr(1, rest.size() - 2);
  out.host = rest;
  return out;
}

std::string enroll_read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `content` beside `path` under a temporary name, flushes it, renames it over `path` and
// flushes the folder: a crash leaves the old file or the new one, never half of one.
Status write_enrolled_file(const std::filesystem::path& path, const std::string& content, bool secret) {
  std::error_code ec;
  const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::filesystem::create_directories(folder, ec);
  const auto temp = std::filesystem::path(path.string() + ".enrol-tmp");
  std::filesystem::remove(temp, ec);
  if (secret) {
    if (auto s = create_private_file(temp, true); !s) return s;
  }
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out)
      return make_error(ErrorKind::io,
                        "cannot write " + temp.string() + ": is the disk full or the folder read-only?");
  }
  if (!secret) std::filesystem::permissions(temp, std::filesystem::perms(0644), ec);
  if (auto s = sync_file(temp); !s) return s;
  std::filesystem::rename(temp, path, ec);
  if (ec)
    return make_error(ErrorKind::io,
                      "cannot rename " + temp.string() + " to " + path.string() + ": " + ec.message());
  return sync_folder(folder);
}

Result<EnrollTargets> enroll_targets(const std::filesystem::path& config_file, const EnrollOptions& options) {
  EnrollTargets t;
  if (options.dir) {
    t.key = *options.dir / "store.key";
    t.cert = *options.dir / "store.crt";
    t.ca = *options.dir / "ca.crt";
    // A configuration, when there is one, still names the store (and its network, with [sync]).
    std::error_code ec;
    if (std::filesystem::exists(config_file, ec)) {
      auto config = load_config(config_file);
      if (!config) return config.error();
      t.store = config->store.id;
      if (config->sync) t.expected_cn = config->sync->settings.network + "/" + config->store.id;
    }
    return t;
  }
  auto config = load_config(config_file);
  if (!config) return config.error();
  if (!config->sync) {
    return make_error(ErrorKind::usage,
                      config_file.string() +
                          " has no [sync] section to say where the key, certificate and CA go: "
                          "add one (docs/sync.md, docs/config.md) or give --dir DIR");
  }
  const auto& tls = config->sync->settings.tls;
  t.key = tls.key;
  t.cert = tls.cert;
  t.ca = tls.ca;
  t.store = config->store.id;
  t.expected_cn = config->sync->settings.network + "/" + config->store.id;
  return t;
}

// The hub's JSON error as one sentence.
std::string enroll_refusal_text(const httplib::Result& res) {
  const auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) {
    return j["message"].get<std::string>() + " (" + j.value("error", std::string("?")) + ", HTTP " +
           std::to_string(res->status) + ")";
  }
  return "HTTP " + std::to_string(res->status);
}

Result<std::string> fetch_pinned_ca(const EnrollEndpoint& hub, const std::string& url,
                                    const std::string& pin) {
  httplib::SSLClient client(hub.host, hub.port);
  client.enable_server_certificate_verification(false);  // only the pin below decides
  client.set_connection_timeout(std::chrono::seconds(15));
  client.set_read_timeout(std::chrono::seconds(30));
  auto res = client.Get("/v1/enrol/ca");
  if (!res) {
    return make_error(ErrorKind::io, "cannot reach the enrolment endpoint " + url + ": " +
                                         httplib::to_string(res.error()) +
                                         " (is the hub running with [enrolment], and the address right?)");
  }
  if (res->status != 200) {
    return make_error(ErrorKind::io, url + "/v1/enrol/ca answered HTTP " + std::to_string(res->status) +
                                         ": is this the hub's enrolment endpoint ([enrolment] listen)?");
  }
  auto hash = sync::certificate_sha256(res->body);
  if (!hash) return hash.error().within(url + " sent no CA certificate");
  if (*hash != pin) {
    return make_error(ErrorKind::io,
                      "the CA certificate of " + url + " (SHA-256 " + *hash +
                          ") is not the one the token pins (" + pin +
                          "): this is not your network's hub, or someone is in between; nothing was "
                          "sent. Check --hub, or ask for a token of this hub");
  }
  return res->body;
}

}  // namespace

int enroll_command(const std::filesystem::path& config_file, const EnrollOptions& options) {
  auto token = sync::parse_enrolment_token(options.token);
  if (!token) return report_error(token.error());
  auto hub = parse_enroll_hub_url(options.hub);
  if (!hub) return report_error(hub.error());
  auto targets = enroll_targets(config_file, options);
  if (!targets) return report_error(targets.error());
  // Checked before the hub is asked: a refusal here leaves the token unused.
  for (const auto* file : {&targets->key, &targets->cert}) {
    std::error_code ec;
    if (std::filesystem::exists(*file, ec) && !options.force) {
      return report_error(make_error(
          ErrorKind::usage, file->string() + std::string(" exists already: this store is enrolled. To "
                                                         "replace its key and certificate, add --force")));
    }
  }
  auto made = sync::make_key_and_csr(targets->expected_cn.empty()
                                         ? (targets->store.empty() ? "regua-store" : targets->store)
                                         : targets->expected_cn);
  if (!made) return report_error(made.error());

  auto ca = fetch_pinned_ca(*hub, options.hub, token->ca_sha256);
  if (!ca) return report_error(ca.error());
  {
    std::error_code ec;
    if (std::filesystem::exists(targets->ca, ec) && !options.force) {
      auto existing = sync::certificate_sha256(enroll_read_text(targets->ca));
      if (!existing || *existing != token->ca_sha256) {
        return report_error(
            make_error(ErrorKind::usage,
                       targets->ca.string() + " holds another CA than the hub's: add --force to replace it"));
      }
    }
  }

  auto trust = sync::trust_store_of(*ca);
  if (!trust) return report_error(trust.error());
  httplib::SSLClient client(hub->host, hub->port);
  client.set_ca_cert_store(*trust);
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(std::chrono::seconds(15));
  client.set_read_timeout(std::chrono::seconds(30));
  nlohmann::json request{{"csr", made->csr_pem}};
  if (!targets->store.empty()) request["store"] = targets->store;
  auto res = client.Post("/v1/enrol", httplib::Headers{{"Authorization", "Bearer " + token->bearer()}},
                         request.dump(), "application/json");
  if (!res) {
    return report_error(make_error(
        ErrorKind::io, "enrolling at " + options.hub + " failed: " + httplib::to_string(res.error()) +
                           " (a TLS failure here means the endpoint's certificate is not "
                           "under the pinned CA or not made for this host name)"));
  }
  if (res->status != 200) {
    return report_error(
        make_error(ErrorKind::io, "the hub refused the enrolment: " + enroll_refusal_text(res)));
  }
  const auto answer = nlohmann::json::parse(res->body, nullptr, false);
  if (!answer.is_object() || !answer.contains("certificate") || !answer["certificate"].is_string() ||
      !answer.contains("ca") || !answer["ca"].is_string()) {
    return report_error(make_error(
        ErrorKind::io, "the hub's answer holds no certificate and CA: is the hub older than this agent?"));
  }
  const auto cert = answer["certificate"].get<std::string>();
  const auto answered_ca = answer["ca"].get<std::string>();
  auto answered_pin = sync::certificate_sha256(answered_ca);
  if (!answered_pin || *answered_pin != token->ca_sha256) {
    return report_error(make_error(
        ErrorKind::io, "the hub answered with another CA than the one the token pins: nothing was written"));
  }
  const auto expected =
      targets->expected_cn.empty() ? answer.value("subject", std::string{}) : targets->expected_cn;
  if (auto s = sync::check_issued_certificate(cert, made->key_pem, answered_ca, expected); !s) {
    return report_error(s.error().within("nothing was written"));
  }
  // The key first: a certificate is useless without it, and a crash in between is put right by --force.
  if (auto s = write_enrolled_file(targets->key, made->key_pem, true); !s) return report_error(s.error());
  if (auto s = write_enrolled_file(targets->cert, cert, false); !s) return report_error(s.error());
  if (auto s = write_enrolled_file(targets->ca, answered_ca, false); !s) return report_error(s.error());

  auto not_after = sync::certificate_not_after(cert);
  auto cn = sync::certificate_common_name(cert);
  std::cout << "enrolled as " << (cn ? *cn : std::string("?")) << ", certificate valid until "
            << (not_after ? format_utc(Seconds(std::chrono::seconds(*not_after))) : std::string("?")) << "\n"
            << "  key         " << targets->key.string() << " (readable by this user only)\n"
            << "  certificate " << targets->cert.string() << "\n"
            << "  CA          " << targets->ca.string() << " (SHA-256 " << token->ca_sha256 << ")\n";
  if (options.dir) {
    std::cout << "\nAdd to the store's configuration (docs/sync.md), with the broker's address:\n\n[sync]\n"
              << "broker = \"ssl://BROKER:8883\"\nnetwork = \"" << answer.value("network", std::string{})
              << "\"\n"
              << "ca = \"" << std::filesystem::absolute(targets->ca).string() << "\"\ncert = \""
              << std::filesystem::absolute(targets->cert).string() << "\"\nkey = \""
              << std::filesystem::absolute(targets->key).string() << "\"\n";
  }
  return kExitOk;
}

}  // namespace regua
