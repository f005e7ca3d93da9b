#include "agent/channels/smtp_email.hpp"

#include <array>
#include <ctime>

#include "agent/channels/signatures.hpp"

namespace regua {
namespace {

// "Sun, 01 Mar 2026 12:00:00 +0000", in English whatever the machine's locale.
std::string mail_date(Seconds t) {
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t time = t.time_since_epoch().count();
  std::tm tm{};
  ::gmtime_r(&time, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buffer;
}

bool plain_ascii(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) return false;
  }
  return true;
}

// RFC 2047 encoded words of at most 75 characters, folded; pieces end on UTF-8 character boundaries.
std::string mail_header_text(std::string_view text) {
  if (plain_ascii(text) && text.size() <= 60) return std::string(text);
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = std::min(text.size(), at + 45);
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
      --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(at, end - at)) + "?=";
    at = end;
  }
  return out;
}

std::string mail_body_base64(std::string_view body) {
  const std::string encoded = base64(body);
  std::string out;
  for (std::size_t at = 0; at < encoded.size(); at += 76) {
    out += encoded.substr(at, 76);
    out += "\r\n";
  }
  return out;
}

}  // namespace

std::string SmtpEmail::message_text(const OutgoingMessage& m, const AttemptContext& context) const {
  std::string text;
  text += "Date: " + mail_date(context.now) + "\r\n";
  text += "From: " + mail_header_text(options_.from_name) + " <" + options_.from + ">\r\n";
  text += "To: <" + m.recipient + ">\r\n";
  text += "Subject: " + mail_header_text(m.subject.value_or("")) + "\r\n";
  text += "Message-ID: <" + context.ref + "@regua>\r\n";
  text += "MIME-Version: 1.0\r\n";
  text += "Content-Type: text/plain; charset=UTF-8\r\n";
  text += "Content-Transfer-Encoding: base64\r\n";
  text += "\r\n";
  text += mail_body_base64(m.body);
  return text;
}

Result<std::unique_ptr<Transfer>> SmtpEmail::request(const OutgoingMessage& m,
                                                     const AttemptContext& context) const {
  const std::string url = std::string(options_.security == SmtpSecurity::tls ? "smtps://" : "smtp://") +
                          options_.host + ":" + std::to_string(options_.port);
  return Transfer::smtp(settings_, url, options_.from, m.recipient, message_text(m, context),
                        options_.username, options_.password);
}

SendOutcome SmtpEmail::outcome(const TransferReply& reply) const {
  SendOutcome out;
  if (reply.code == CURLE_OK) {
    out.result = SendResult::sent;
    out.reason = "accepted by the SMTP server";
    return out;
  }
  if (reply.code == CURLE_LOGIN_DENIED) {
    out.result = SendResult::failed;
    out.reason = "smtp: the server refused the login (" + reply.error +
                 "); check [channels.smtp] username and password";
    return out;
  }
  if (reply.status >= 400 && reply.status < 600) {
    out.result = reply.status < 500 ? SendResult::retry : SendResult::failed;
    out.reason = "smtp: the server answered " + std::to_string(reply.status) + " (" + reply.error + ")";
    return out;
  }
  if (reply.code == CURLE_USE_SSL_FAILED) {
    out.result = SendResult::retry;
    out.reason = "smtp: the server offers no STARTTLS, and mail is never sent in the clear (" + reply.error +
                 "); use its TLS port with security = \"tls\"";
    return out;
  }
  return outcome_without_reply(reply, "smtp");
}

}  // namespace regua
