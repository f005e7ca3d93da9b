#include "sync/order_signature.hpp"

#include "sync/signing.hpp"

namespace regua::sync {

std::string order_signed_bytes(std::string_view network, std::string_view store,
                               const nlohmann::json& header) {
  nlohmann::json fields = header.is_object() ? header : nlohmann::json::object();
  for (const char* envelope_field : {"v", "type", "signature"})
    fields.erase(envelope_field);
  const auto id = fields.contains("id") && fields["id"].is_string() ? fields["id"].get<std::string>() : "";
  return "regua-order-v1\n" + std::string(network) + "\n" + std::string(store) + "\n" + id + "\n" +
         fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status sign_hq_order(nlohmann::json& header, std::string_view network, std::string_view store,
                     const std::filesystem::path& private_key_pem) {
  auto signature = ed25519_sign_base64(order_signed_bytes(network, store, header), private_key_pem, "orders");
  if (!signature) return signature.error();
  header["signature"] = std::move(*signature);
  return {};
}

Status verify_hq_order(const Envelope& order, std::string_view network, std::string_view store,
                       const std::filesystem::path& public_key_pem) {
  const auto signature = order.header.find("signature");
  if (signature == order.header.end()) {
    return make_error(ErrorKind::input, "unsigned: the order carries no signature");
  }
  if (!signature->is_string())
    return make_error(ErrorKind::input, "bad signature: \"signature\" is not a string");
  if (public_key_pem.empty()) {
    return make_error(ErrorKind::config, "no hub key is pinned ([sync] rules_key): orders cannot be checked");
  }
  return ed25519_verify_base64(order_signed_bytes(network, store, order.header),
                               signature->get<std::string>(), public_key_pem, "orders");
}

}  // namespace regua::sync
