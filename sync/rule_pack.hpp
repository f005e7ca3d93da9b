#pragma once
// Rule packs: the rules HQ runs in its stores (a rules file, docs/rules.md), versioned and signed
// with HQ's Ed25519 key. A store checks the signature against the public key pinned in its
// configuration and takes a pack only when it is newer than the last one it applied; an unsigned,
// wrongly signed or older pack is refused and recorded with the reason (ledger table rule_packs),
// and the last good pack stays in force, across restarts.
//
// What is signed: "regua-rules-v1\n" + network + "\n" + version + "\n" + the rules text, so that a
// pack can be replayed neither on another network nor under another version number.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua::sync {

struct RulePack {
  std::string network;
  std::int64_t version = 0;
  std::string rules;      // the rules file's text (TOML)
  std::string signature;  // base64 of the Ed25519 signature; empty: unsigned
};

std::string rule_pack_signed_bytes(const RulePack& pack);

// Signs with an Ed25519 private key in PEM (installer/pki.sh signer); fills pack.signature.
Status sign_rule_pack(RulePack& pack, const std::filesystem::path& private_key_pem);
// Ok when `pack` is signed by the key in `public_key_pem`; else why not.
Status verify_rule_pack(const RulePack& pack, const std::filesystem::path& public_key_pem);

// The envelope of a pack on down/rules, and back.
std::string encode_rule_pack(const RulePack& pack);
struct Envelope;
Result<RulePack> decode_rule_pack(const Envelope& envelope);

struct AppliedPack {
  std::int64_t version = 0;
  std::string rules;
  Seconds received_at{};
};

// The newest pack applied, if any.
Result<std::optional<AppliedPack>> latest_rule_pack(sqlite::Db& db);

struct PackDecision {
  bool applied = false;
  std::string reason;  // why refused, or "applied"
};
// The store's own check of a pack's rules with its settings (its links, its [[segment]]s): a pack
// that verifies but that the store could not run is refused with why, and the last good pack stays.
using RulePackCheck = std::function<Status(const RulePack&)>;

// Checks a received pack against the pinned key, the last applied version and `check` (when given),
// and records the outcome (both outcomes are kept, with the reason).
Result<PackDecision> receive_rule_pack(sqlite::Db& db, const RulePack& pack, std::string_view network,
                                       const std::filesystem::path& public_key_pem, Seconds now,
                                       const RulePackCheck& check = {});

}  // namespace regua::sync
