#pragma once
// E-mail over SMTP through libcurl, always encrypted: STARTTLS required on port 587 (smtp://) or
// implicit TLS on 465 (smtps://), the server's certificate verified. The message is plain text in
// UTF-8 (base64), with the subject and sender name as RFC 2047 encoded words and a Message-ID that
// names our message ("<ref>@regua"). Replies are judged as RFC 5321 says: 4xx is temporary (retried),
// 5xx permanent (failed); a refused login fails. SMTP has no idempotency key: a connection lost
// after the message started to flow leaves it unknown.

#include "agent/channels/provider.hpp"

namespace regua {

class SmtpEmail final : public Provider {
 public:
  SmtpEmail(SmtpOptions options, TransferSettings settings)
      : options_(std::move(options)), settings_(std::move(settings)) {}

  [[nodiscard]] ProviderKind kind() const override { return ProviderKind::smtp; }
  Result<std::unique_ptr<Transfer>> request(const OutgoingMessage& message,
                                            const AttemptContext& context) const override;
  [[nodiscard]] SendOutcome outcome(const TransferReply& reply) const override;

  // The whole RFC 5322 message, CRLF line ends.
  [[nodiscard]] std::string message_text(const OutgoingMessage& message, const AttemptContext& context) const;

 private:
  SmtpOptions options_;
  TransferSettings settings_;
};

}  // namespace regua
