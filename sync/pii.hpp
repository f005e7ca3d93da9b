#pragma once
// What personal data of a customer leaves the store (the [sync] pii policy, docs/sync.md):
//   full   - name, phone, e-mail, CPF and birthday as the ledger holds them;
//   hashed - no name or birthday; the CPF, the mobile (E.164), the e-mail and the POS id as
//            HMAC-SHA256 with the network's key (hex), so that the hub recognises one person across
//            the network's stores without learning who it is (the key never leaves the stores);
//   none   - nothing but the store's own customer number.

#include <optional>
#include <string>
#include <string_view>

#include "local/core/result.hpp"

namespace regua::sync {

enum class PiiPolicy { full, hashed, none };
std::string_view pii_policy_name(PiiPolicy policy);
std::optional<PiiPolicy> pii_policy_from_name(std::string_view name);

struct PiiSettings {
  PiiPolicy policy = PiiPolicy::hashed;
  std::string key;  // the network's HMAC key (policy hashed)
};

// HMAC-SHA256 of `value` under `key`, as 64 lower-case hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view value);

}  // namespace regua::sync
