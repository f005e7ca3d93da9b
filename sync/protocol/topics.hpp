#pragma once
// The MQTT topics of protocol v1 (docs/protocol.md): regua/v1/{network}/{store}/up/{what} from a
// store to the hub, regua/v1/{network}/{store}/down/{what} from the hub to a store. The broker's
// ACL (installer/mosquitto/acl) lets a store write only its own up/ and read only its own down/.

#include <optional>
#include <string>
#include <string_view>

namespace regua::sync {

inline constexpr std::string_view kTopicRoot = "regua/v1";

enum class Direction { up, down };

struct TopicAddress {
  std::string network;
  std::string store;
  Direction direction = Direction::up;
  std::string what;  // "batch", "hello", "ack", "resend", "rules", "order"
};

std::string topic_for(std::string_view network, std::string_view store, Direction direction,
                      std::string_view what);
// Everything of one store in one direction: regua/v1/{network}/{store}/{up|down}/#
std::string store_filter(std::string_view network, std::string_view store, Direction direction);
// Every store's up/ of a network, through the shared subscription `group` when not empty
// ($share/{group}/regua/v1/{network}/+/up/#): replicas of the hub split the stores between them.
std::string hub_filter(std::string_view network, std::string_view group);

// nullopt when the topic is not one of the protocol's (then the message is parked).
std::optional<TopicAddress> parse_topic(std::string_view topic);

// Network and store ids: 1 to 64 letters, digits, '-' or '_' (what a certificate's CN carries).
bool is_sync_id(std::string_view id);

}  // namespace regua::sync
