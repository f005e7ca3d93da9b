#include "agent/channels/provider.hpp"

namespace regua {

SendOutcome outcome_without_reply(const TransferReply& reply, std::string_view provider) {
  SendOutcome out;
  const std::string what = std::string(provider) + ": " + reply.error;
  switch (reply.code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      out.result = SendResult::retry;
      out.reason =
          what +
          " (the server's certificate is not trusted: check the provider's address; a private CA must "
          "be given as [channels] ca_file)";
      return out;
    default:
      break;
  }
  if (!reply.request_started) {
    out.result = SendResult::retry;
    out.reason = what + " (nothing was sent)";
  } else {
    out.result = SendResult::unknown;
    out.reason = what + " (after the request was sent: the provider may or may not have it)";
  }
  return out;
}

std::string reply_excerpt(std::string_view body, std::size_t limit) {
  std::string out;
  for (const char c : body.substr(0, limit))
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (body.size() > limit) out += "...";
  return out;
}

}  // namespace regua
