#pragma once
// One call to a provider through libcurl: an easy handle with its request and the buffers its
// reply fills, driven by the sender's multi handle (channel_sender.hpp). TLS certificates are
// always verified, against the system's CAs plus an optional extra CA file ([channels] ca_file);
// there is no switch to turn verification off.
//
// What matters for at-most-once is whether the request may have reached the provider:
// `request_started` turns true as soon as libcurl reads the first byte of the request body (HTTP)
// or of the message (SMTP's DATA). Before that nothing the provider could act on has left the
// machine, so a failure is safe to retry; after it, a failure without a reply is unknown.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <curl/curl.h>

#include "local/core/result.hpp"

namespace regua {

struct TransferSettings {
  std::optional<std::filesystem::path> ca_file;  // trusted in addition to the system's CAs
  std::chrono::seconds timeout{30};              // the whole call
  std::chrono::seconds connect_timeout{10};
};

struct TransferReply {
  CURLcode code = CURLE_OK;
  long status = 0;   // the HTTP status, or SMTP's last reply code; 0: the server never answered
  std::string body;  // the HTTP reply's body (at most 64 KiB)
  std::optional<std::chrono::seconds> retry_after;  // from a Retry-After header in seconds
  bool request_started = false;
  std::string error;  // libcurl's description of a failure
};

class Transfer {
 public:
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // An HTTPS POST of `body` with `headers` ("Name: value").
  static Result<std::unique_ptr<Transfer>> https_post(const TransferSettings& settings,
                                                      const std::string& url,
                                                      const std::vector<std::string>& headers,
                                                      std::string body);
  // HTTP basic authentication for the request (set before it runs).
  void basic_auth(const std::string& user, const std::string& password);

  // An e-mail over SMTP: `url` is smtp://host:port (STARTTLS required) or smtps://host:port
  // (implicit TLS); `message` is the whole RFC 5322 message with CRLF line ends.
  static Result<std::unique_ptr<Transfer>> smtp(const TransferSettings& settings, const std::string& url,
                                                const std::string& mail_from, const std::string& recipient,
                                                std::string message, const std::string& user,
                                                const std::string& password);

  // Only the connection: TCP, then TLS with the certificate verified (for smtp://, the server's
  // greeting and STARTTLS), and nothing else: no request, no login, no message (`doctor`). Run it
  // with curl_easy_perform(handle()), then finish().
  static Result<std::unique_ptr<Transfer>> connect_only(const TransferSettings& settings,
                                                        const std::string& url);

  [[nodiscard]] CURL* handle() const { return easy_; }
  // Completes the reply once the multi handle says the transfer is done.
  void finish(CURLcode code);
  [[nodiscard]] const TransferReply& reply() const { return reply_; }

 private:
  explicit Transfer(CURL* easy) : easy_(easy) {}
  // A transfer of `url` with the settings every kind shares; each factory adds its own.
  static Result<std::unique_ptr<Transfer>> create(const TransferSettings& settings, const std::string& url);
  Status apply(const TransferSettings& settings, const std::string& url);
  static std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* self);
  static std::size_t write_body(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t read_header(char* data, std::size_t size, std::size_t count, void* self);

  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  curl_slist* recipients_ = nullptr;
  std::string ca_pem_;  // the extra CA file's text, added to each TLS context
  std::string request_;
  std::size_t sent_ = 0;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  TransferReply reply_;
};

// Once per process, before any thread uses libcurl.
Status init_curl();

}  // namespace regua
