#pragma once
// A one-time enrolment token (docs/sync.md "Enrolling a store"), as `regua-hub enrol token` prints
// it and `regua-agent enroll --token` takes it:
//
//   ID.SECRET.CA_SHA256
//
// ID (12 hex digits) names the token in listings and logs; SECRET (48 hex digits, 192 random bits)
// is what proves it, sent to the hub as `Authorization: Bearer ID.SECRET`; the hub keeps only its
// SHA-256. CA_SHA256 (64 hex digits) is the SHA-256 of the network CA certificate (DER): the agent
// trusts the enrolment endpoint only under that CA, before it has the CA itself (like kubeadm's
// discovery hash). The pin never goes back to the hub.

#include <string>
#include <string_view>

#include "local/core/result.hpp"

namespace regua::sync {

struct EnrolmentToken {
  std::string id;
  std::string secret;
  std::string ca_sha256;

  [[nodiscard]] std::string text() const { return id + "." + secret + "." + ca_sha256; }
  [[nodiscard]] std::string bearer() const { return id + "." + secret; }
};

// A new token with random ID and SECRET for the CA whose certificate hashes to `ca_sha256`.
Result<EnrolmentToken> new_enrolment_token(std::string_view ca_sha256);

// The printed form, checked (ErrorKind::usage, saying what is wrong, never echoing the secret).
Result<EnrolmentToken> parse_enrolment_token(std::string_view text);

// The Bearer value ID.SECRET (ca_sha256 left empty), checked (ErrorKind::input).
Result<EnrolmentToken> parse_enrolment_bearer(std::string_view bearer);

// Lowercase hex SHA-256 of the secret: all the hub stores of it.
std::string enrolment_secret_hash(std::string_view secret);

}  // namespace regua::sync
