#include "sync/signing.hpp"

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace regua::sync {
namespace {

struct SigningPkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct SigningMdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using SigningPkeyPtr = std::unique_ptr<EVP_PKEY, SigningPkeyFree>;
using SigningMdCtxPtr = std::unique_ptr<EVP_MD_CTX, SigningMdCtxFree>;

std::string signing_openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no detail from OpenSSL";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

Result<SigningPkeyPtr> read_ed25519_key(const std::filesystem::path& file, bool is_private,
                                        std::string_view what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return make_error(ErrorKind::config, std::string(what) + ": cannot read the key " + file.string() +
                                             " (installer/pki.sh signer makes it)");
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string pem = text.str();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  SigningPkeyPtr key(is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                                : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    ERR_clear_error();
    return make_error(ErrorKind::config, std::string(what) + ": " + file.string() + " is not an Ed25519 " +
                                             (is_private ? "private" : "public") + " key in PEM");
  }
  return key;
}

std::string signing_base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> signing_unbase64(std::string_view text) {
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

}  // namespace

Result<std::string> ed25519_sign_base64(std::string_view message,
                                        const std::filesystem::path& private_key_pem, std::string_view what) {
  auto key = read_ed25519_key(private_key_pem, true, what);
  if (!key) return key.error();
  SigningMdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, data, message.size()) != 1) {
    return make_error(ErrorKind::internal,
                      std::string(what) + ": signing failed: " + signing_openssl_reason());
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, data,
                     message.size()) != 1) {
    return make_error(ErrorKind::internal,
                      std::string(what) + ": signing failed: " + signing_openssl_reason());
  }
  signature.resize(size);
  return signing_base64(signature);
}

Status ed25519_verify_base64(std::string_view message, std::string_view signature_base64,
                             const std::filesystem::path& public_key_pem, std::string_view what) {
  if (signature_base64.empty()) return make_error(ErrorKind::input, "unsigned: it carries no signature");
  const auto signature = signing_unbase64(signature_base64);
  if (!signature) return make_error(ErrorKind::input, "bad signature: not base64");
  auto key = read_ed25519_key(public_key_pem, false, what);
  if (!key) return key.error();
  SigningMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1) {
    return make_error(ErrorKind::internal,
                      std::string(what) + ": cannot verify: " + signing_openssl_reason());
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

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += kHexDigits[digest[i] >> 4];
    out += kHexDigits[digest[i] & 0xf];
  }
  return out;
}

}  // namespace regua::sync
