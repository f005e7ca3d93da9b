#pragma once
// Orders from HQ are signed by the hub with the key that signs rule packs (issue 10; docs/protocol.md,
// "Signed orders"), and a store applies only an order that verifies against the hub key pinned in
// its configuration: a compromised broker, or anyone who can publish on a store's down/ topic,
// cannot make it opt customers out, erase them or close tasks.
//
// What is signed binds the network, the store, the order id and every field of the order:
//   "regua-order-v1\n" + network + "\n" + store + "\n" + id + "\n" + fields
// where `fields` is the order's header without "v", "type" and "signature", as nlohmann::json's
// dump() writes it (keys sorted, no spaces, UTF-8 as is). So an order cannot be replayed on another
// store or network, nor changed in any field, without the signature failing.

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "local/core/result.hpp"
#include "sync/protocol/envelope.hpp"

namespace regua::sync {

// `header` is the order as it goes on down/order (with "id"; "v", "type" and "signature" are ignored).
std::string order_signed_bytes(std::string_view network, std::string_view store,
                               const nlohmann::json& header);

// Adds "signature" to `header` (an order with its "id").
Status sign_hq_order(nlohmann::json& header, std::string_view network, std::string_view store,
                     const std::filesystem::path& private_key_pem);

// Ok when the order on `store`'s topic of `network` carries a signature by the pinned key; else
// why not ("unsigned: ...", "bad signature: ...").
Status verify_hq_order(const Envelope& order, std::string_view network, std::string_view store,
                       const std::filesystem::path& public_key_pem);

}  // namespace regua::sync
