#include "agent/channels/curl_transfer.hpp"

#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace regua {
namespace {

constexpr std::size_t kMaxReplyBytes = 64 * 1024;

// Adds the certificates of `pem` to the trust store of a TLS context libcurl is about to use, so
// that the extra CA is trusted besides (not instead of) the system's bundle.
CURLcode add_extra_ca(CURL*, void* ssl_ctx, void* pem_text) {
  const auto* pem = static_cast<const std::string*>(pem_text);
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  if (bio == nullptr) return CURLE_OUT_OF_MEMORY;
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++added;
    X509_free(cert);
  }
  BIO_free(bio);
  return added > 0 ? CURLE_OK : CURLE_SSL_CACERT_BADFILE;
}

Result<std::string> read_ca_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return make_error(ErrorKind::config,
                      "[channels] ca_file " + file.string() +
                          " cannot be read or holds no PEM certificate: give the CA "
                          "certificate (PEM) that signed the provider's server certificate");
  }
  return text.str();
}

}  // namespace

Status init_curl() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) {
    return make_error(ErrorKind::internal, std::string("libcurl cannot start: ") + curl_easy_strerror(code));
  }
  return {};
}

Transfer::~Transfer() {
  if (easy_ != nullptr) curl_easy_cleanup(easy_);
  curl_slist_free_all(headers_);
  curl_slist_free_all(recipients_);
}

Status Transfer::apply(const TransferSettings& settings, const std::string& url) {
  if (settings.ca_file) {
    auto pem = read_ca_file(*settings.ca_file);
    if (!pem) return pem.error();
    ca_pem_ = std::move(*pem);
  }
  CURLcode first = CURLE_OK;  // one check for a dozen options
  const auto set = [&](CURLcode code) {
    if (first == CURLE_OK) first = code;
  };
  set(curl_easy_setopt(easy_, CURLOPT_URL, url.c_str()));
  set(curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_));
  set(curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 1L));
  set(curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 2L));
  set(curl_easy_setopt(easy_, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)));
  if (!ca_pem_.empty()) {
    set(curl_easy_setopt(easy_, CURLOPT_SSL_CTX_FUNCTION, add_extra_ca));
    set(curl_easy_setopt(easy_, CURLOPT_SSL_CTX_DATA, &ca_pem_));
  }
  set(curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(settings.timeout.count() * 1000)));
  set(curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(settings.connect_timeout.count() * 1000)));
  set(curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(easy_, CURLOPT_READFUNCTION, read_body));
  set(curl_easy_setopt(easy_, CURLOPT_READDATA, this));
  set(curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, write_body));
  set(curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this));
  set(curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, read_header));
  set(curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this));
  if (first != CURLE_OK) {
    return make_error(ErrorKind::internal,
                      std::string("libcurl refused an option: ") + curl_easy_strerror(first));
  }
  return {};
}

Result<std::unique_ptr<Transfer>> Transfer::create(const TransferSettings& settings, const std::string& url) {
  if (auto s = init_curl(); !s) return s.error();
  CURL* easy = curl_easy_init();
  if (easy == nullptr)
    return make_error(ErrorKind::internal, "libcurl cannot create a transfer (out of memory?)");
  std::unique_ptr<Transfer> t(new Transfer(easy));
  if (auto s = t->apply(settings, url); !s) return s.error();
  return t;
}

Result<std::unique_ptr<Transfer>> Transfer::https_post(const TransferSettings& settings,
                                                       const std::string& url,
                                                       const std::vector<std::string>& headers,
                                                       std::string body) {
  auto made = create(settings, url);
  if (!made) return made.error();
  auto t = std::move(*made);
  CURL* easy = t->easy_;
  t->request_ = std::move(body);
  // Without this libcurl may wait for a "100 Continue" before sending the body.
  t->headers_ = curl_slist_append(t->headers_, "Expect:");
  for (const auto& h : headers)
    t->headers_ = curl_slist_append(t->headers_, h.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->request_.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers_);
  return t;
}

void Transfer::basic_auth(const std::string& user, const std::string& password) {
  curl_easy_setopt(easy_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  curl_easy_setopt(easy_, CURLOPT_USERNAME, user.c_str());
  curl_easy_setopt(easy_, CURLOPT_PASSWORD, password.c_str());
}

Result<std::unique_ptr<Transfer>> Transfer::smtp(const TransferSettings& settings, const std::string& url,
                                                 const std::string& mail_from, const std::string& recipient,
                                                 std::string message, const std::string& user,
                                                 const std::string& password) {
  auto made = create(settings, url);
  if (!made) return made.error();
  auto t = std::move(*made);
  CURL* easy = t->easy_;
  t->request_ = std::move(message);
  t->recipients_ = curl_slist_append(t->recipients_, ("<" + recipient + ">").c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // STARTTLS is required on smtp://: a server that does not offer it gets nothing in the clear.
  curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(easy, CURLOPT_MAIL_FROM, ("<" + mail_from + ">").c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, t->recipients_);
  curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t->request_.size()));
  if (!user.empty()) {
    curl_easy_setopt(easy, CURLOPT_USERNAME, user.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, password.c_str());
  }
  return t;
}

Result<std::unique_ptr<Transfer>> Transfer::connect_only(const TransferSettings& settings,
                                                         const std::string& url) {
  auto made = create(settings, url);
  if (!made) return made.error();
  auto t = std::move(*made);
  CURL* easy = t->easy_;
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https,smtp,smtps");
  curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L);
  return t;
}

std::size_t Transfer::read_body(char* buffer, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  t->reply_.request_started = true;
  const std::size_t n = std::min(size * count, t->request_.size() - t->sent_);
  std::memcpy(buffer, t->request_.data() + t->sent_, n);
  t->sent_ += n;
  return n;
}

std::size_t Transfer::write_body(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const std::size_t n = size * count;
  if (t->reply_.body.size() < kMaxReplyBytes)
    t->reply_.body.append(data, std::min(n, kMaxReplyBytes - t->reply_.body.size()));
  return n;
}

std::size_t Transfer::read_header(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  constexpr std::string_view kRetryAfter = "retry-after:";
  if (line.size() > kRetryAfter.size()) {
    std::string name(line.substr(0, kRetryAfter.size()));
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == kRetryAfter) {
      long seconds = 0;
      bool digits = false;
      for (const char c : line.substr(kRetryAfter.size())) {
        if (c >= '0' && c <= '9') {
          seconds = seconds * 10 + (c - '0');
          digits = true;
          if (seconds > 86400) break;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
          digits = false;  // an HTTP date: not worth parsing, the backoff applies
          break;
        }
      }
      if (digits) t->reply_.retry_after = std::chrono::seconds{seconds};
    }
  }
  return n;
}

void Transfer::finish(CURLcode code) {
  reply_.code = code;
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  reply_.status = status;
  if (code != CURLE_OK) reply_.error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
  while (!reply_.error.empty() && (reply_.error.back() == '\n' || reply_.error.back() == '\r'))
    reply_.error.pop_back();
}

}  // namespace regua
