// libFuzzer target: one MQTT message of protocol v1 (docs/protocol.md) as either side receives it:
// the envelope, then by its type the hub's batch decoding (up) or the store's downlink (ack, resend,
// a rule pack's envelope and signature check, an HQ order's signature check and the order applied to
// a real in-memory ledger made by the migrations). Nothing may crash, every refusal says why, and a batch
// that decodes encodes back to the same records.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "local/core/clock.hpp"
#include "local/ledger/migrations.hpp"
#include "local/ledger/sqlite.hpp"
#include "sync/hq_orders.hpp"
#include "sync/order_signature.hpp"
#include "sync/protocol/batch.hpp"
#include "sync/protocol/envelope.hpp"
#include "sync/rule_pack.hpp"

namespace {

regua::sqlite::Db& order_ledger() {
  static regua::sqlite::Db db = [] {
    auto opened = regua::sqlite::Db::open(":memory:", regua::sqlite::OpenMode::read_write_create);
    if (!opened || !regua::migrate_ledger(*opened)) __builtin_trap();
    return std::move(*opened);
  }();
  return db;
}

// A pinned Ed25519 public key of a fresh pair: no fuzzed signature may verify against it.
const std::filesystem::path& pinned_key() {
  static const std::filesystem::path path = [] {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (key == nullptr) __builtin_trap();
    const auto file = std::filesystem::temp_directory_path() / "regua-fuzz-rules-key.pem";
    BIO* out = BIO_new_file(file.c_str(), "w");
    if (out == nullptr || PEM_write_bio_PUBKEY(out, key) != 1) __builtin_trap();
    BIO_free(out);
    EVP_PKEY_free(key);
    return file;
  }();
  return path;
}

void check_batch(const regua::sync::Envelope& envelope) {
  auto batch = regua::sync::decode_batch(envelope);
  if (!batch) {
    if (batch.error().message.empty()) __builtin_trap();
    return;
  }
  regua::sync::Batch again{batch->store, batch->first, batch->last, batch->acked, {}};
  for (const auto& r : batch->records)
    again.records.push_back(r.body.dump());
  auto payload = regua::sync::encode_batch(again);
  if (!payload) __builtin_trap();
  auto reread = regua::sync::decode_envelope(*payload);
  if (!reread) __builtin_trap();
  auto decoded = regua::sync::decode_batch(*reread);
  if (!decoded || decoded->records.size() != batch->records.size()) __builtin_trap();
  for (std::size_t i = 0; i < decoded->records.size(); ++i) {
    if (decoded->records[i].seq != batch->records[i].seq || decoded->records[i].key != batch->records[i].key)
      __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  auto envelope = regua::sync::decode_envelope(payload);
  if (!envelope) {
    if (envelope.error().message.empty()) __builtin_trap();
    return 0;
  }
  const auto& type = envelope->type;
  if (type == "batch") {
    check_batch(*envelope);
  } else if (type == "ack" || type == "resend") {
    auto n = regua::sync::header_int(*envelope, type == "ack" ? "acked" : "from");
    if (!n && n.error().message.empty()) __builtin_trap();
  } else if (type == "rules") {
    auto pack = regua::sync::decode_rule_pack(*envelope);
    if (!pack) {
      if (pack.error().message.empty()) __builtin_trap();
      return 0;
    }
    if (regua::sync::verify_rule_pack(*pack, pinned_key()).ok()) __builtin_trap();
  } else if (type == "order") {
    // A store takes only orders signed by the pinned hub key for itself: nothing fuzzed may verify.
    if (regua::sync::verify_hq_order(*envelope, "rede", "centro", pinned_key()).ok()) __builtin_trap();
    // What an order says is still decoded and applied here, as if it had verified.
    static const regua::ManualClock clock(regua::Seconds{std::chrono::seconds{1'772'000'000}});
    auto& db = order_ledger();
    auto outcome = regua::sync::apply_hq_order(db, *envelope, clock.now());
    if (!outcome) __builtin_trap();  // the ledger is fine: an order can only be refused, with why
    if ((!outcome->recorded || !outcome->applied) && outcome->detail.empty()) __builtin_trap();
  }
  return 0;
}
