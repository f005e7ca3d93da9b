#include "sync/rule_pack.hpp"

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sync/protocol/envelope.hpp"

namespace regua::sync {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no detail from OpenSSL";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

Result<PkeyPtr> read_ed25519_key(const std::filesystem::path& file, bool is_private) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return make_error(ErrorKind::config, "rule packs: cannot read the key " + file.string() +
                                             " (installer/pki.sh signer makes it)");
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string pem = text.str();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  PkeyPtr key(is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                         : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    ERR_clear_error();
    return make_error(ErrorKind::config, "rule packs: " + file.string() + " is not an Ed25519 " +
                                             (is_private ? "private" : "public") + " key in PEM");
  }
  return key;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t size = static_cast<std::size_t>(n);
  if (text.back() == '=') --size;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

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
  auto key = read_ed25519_key(private_key_pem, true);
  if (!key) return key.error();
  const auto message = rule_pack_signed_bytes(pack);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    return make_error(ErrorKind::internal, "rule packs: signing failed: " + openssl_reason());
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return make_error(ErrorKind::internal, "rule packs: signing failed: " + openssl_reason());
  }
  signature.resize(size);
  pack.signature = base64(signature);
  return {};
}

Status verify_rule_pack(const RulePack& pack, const std::filesystem::path& public_key_pem) {
  if (pack.signature.empty()) return make_error(ErrorKind::input, "unsigned: the pack carries no signature");
  const auto signature = unbase64(pack.signature);
  if (!signature) return make_error(ErrorKind::input, "bad signature: not base64");
  auto key = read_ed25519_key(public_key_pem, false);
  if (!key) return key.error();
  const auto message = rule_pack_signed_bytes(pack);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1) {
    return make_error(ErrorKind::internal, "rule packs: cannot verify: " + openssl_reason());
  }
  const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                                  signature->size(), reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
  ERR_clear_error();
  if (ok != 1) {
    return make_error(ErrorKind::input,
                      "bad signature: it does not verify with the pinned key " + public_key_pem.string());
  }
  return {};
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
                                       const std::filesystem::path& public_key_pem, Seconds now) {
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
