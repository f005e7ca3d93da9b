#include "sync/rule_pack.hpp"

#include "sync/protocol/envelope.hpp"
#include "sync/signing.hpp"

namespace regua::sync {
namespace {

Status record_pack(sqlite::Db& db, const RulePack& pack, bool applied, std::string_view reason, Seconds now) {
  auto stmt = db.prepare(
      "INSERT INTO rule_packs (version, received_at, status, reason, body, signature) VALUES (?1, ?2, ?3, "
      "?4, ?5, ?6)");
  if (!stmt) return stmt.error();
  stmt->bind(1, pack.version).bind(2, now.time_since_epoch().count());
  stmt->bind(3, std::string_view(applied ? "applied" : "refused")).bind(4, reason);
  if (applied) {
    stmt->bind(5, pack.rules).bind(6, pack.signature);
  } else {
    stmt->bind_null(5).bind_null(6);
  }
  return stmt->run();
}

}  // namespace

std::string rule_pack_signed_bytes(const RulePack& pack) {
  return "regua-rules-v1\n" + pack.network + "\n" + std::to_string(pack.version) + "\n" + pack.rules;
}

Status sign_rule_pack(RulePack& pack, const std::filesystem::path& private_key_pem) {
  auto signature = ed25519_sign_base64(rule_pack_signed_bytes(pack), private_key_pem, "rule packs");
  if (!signature) return signature.error();
  pack.signature = std::move(*signature);
  return {};
}

Status verify_rule_pack(const RulePack& pack, const std::filesystem::path& public_key_pem) {
  if (pack.signature.empty()) return make_error(ErrorKind::input, "unsigned: the pack carries no signature");
  return ed25519_verify_base64(rule_pack_signed_bytes(pack), pack.signature, public_key_pem, "rule packs");
}

std::string encode_rule_pack(const RulePack& pack) {
  nlohmann::json header{{"network", pack.network}, {"version", pack.version}};
  if (!pack.signature.empty()) header["signature"] = pack.signature;
  return encode_envelope("rules", std::move(header), pack.rules);
}

Result<RulePack> decode_rule_pack(const Envelope& envelope) {
  RulePack pack;
  auto network = header_string(envelope, "network");
  if (!network) return network.error();
  auto version = header_int(envelope, "version");
  if (!version) return version.error();
  pack.network = *network;
  pack.version = *version;
  pack.rules = envelope.body;
  if (envelope.header.contains("signature")) {
    auto signature = header_string(envelope, "signature");
    if (!signature) return signature.error();
    pack.signature = *signature;
  }
  return pack;
}

Result<std::optional<AppliedPack>> latest_rule_pack(sqlite::Db& db) {
  auto stmt = db.prepare(
      "SELECT version, body, received_at FROM rule_packs WHERE status = 'applied' ORDER BY version DESC "
      "LIMIT 1");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<AppliedPack>{};
  AppliedPack pack{stmt->int64(0), std::string(stmt->text(1)), Seconds{std::chrono::seconds{stmt->int64(2)}}};
  stmt->reset();
  return std::optional<AppliedPack>(std::move(pack));
}

Result<PackDecision> receive_rule_pack(sqlite::Db& db, const RulePack& pack, std::string_view network,
                                       const std::filesystem::path& public_key_pem, Seconds now,
                                       const RulePackCheck& check) {
  PackDecision decision;
  auto latest = latest_rule_pack(db);
  if (!latest) return latest.error();
  if (*latest && pack.version == (*latest)->version && pack.rules == (*latest)->rules) {
    decision.reason = "already in force";  // the retained announcement, again at each connect
    return decision;
  }
  if (pack.network != network) {
    decision.reason =
        "for network \"" + pack.network + "\", not this store's \"" + std::string(network) + "\"";
  } else if (auto verified = verify_rule_pack(pack, public_key_pem); !verified) {
    decision.reason = verified.error().message;
  } else if (*latest && pack.version <= (*latest)->version) {
    decision.reason = "version " + std::to_string(pack.version) + " is not newer than version " +
                      std::to_string((*latest)->version) + " in force";
  } else if (auto runnable = check ? check(pack) : Status{}; !runnable) {
    decision.reason = "its rules cannot run here: " + runnable.error().message;
  } else {
    decision.applied = true;
    decision.reason = "applied";
  }
  // The same refused pack arriving again (a retained message at each connect) is recorded once.
  if (!decision.applied) {
    auto seen =
        db.prepare("SELECT 1 FROM rule_packs WHERE version = ?1 AND status = 'refused' AND reason = ?2");
    if (!seen) return seen.error();
    seen->bind(1, pack.version).bind(2, decision.reason);
    auto row = seen->step();
    if (!row) return row.error();
    if (*row) {
      seen->reset();
      return decision;
    }
  }
  if (auto s = record_pack(db, pack, decision.applied, decision.reason, now); !s) return s.error();
  return decision;
}

}  // namespace regua::sync
