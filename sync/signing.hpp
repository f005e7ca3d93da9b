#pragma once
// HQ's signatures, through OpenSSL: Ed25519 over a message with the hub's private key (PEM,
// installer/pki.sh signer), checked by stores against the public key pinned in their
// configuration. Rule packs (sync/rule_pack.hpp) and orders (sync/order_signature.hpp) are signed
// with the same key; each signs bytes that open with their own tag, so that one can never pass for
// the other.

#include <filesystem>
#include <string>
#include <string_view>

#include "local/core/result.hpp"

namespace regua::sync {

// The base64 of the Ed25519 signature of `message`; `what` names the signed thing in errors.
Result<std::string> ed25519_sign_base64(std::string_view message,
                                        const std::filesystem::path& private_key_pem, std::string_view what);
// Ok when `signature_base64` is the signature of `message` by the key in `public_key_pem`; else
// ErrorKind::input saying why ("unsigned", "bad signature: ..."), or ErrorKind::config when the
// key cannot be read.
Status ed25519_verify_base64(std::string_view message, std::string_view signature_base64,
                             const std::filesystem::path& public_key_pem, std::string_view what);

// The SHA-256 of `bytes` in lower-case hex (what the hub shows of a pack's text).
std::string sha256_hex(std::string_view bytes);

}  // namespace regua::sync
