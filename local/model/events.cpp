#include "local/model/events.hpp"

namespace regua {

std::string_view channel_name(Channel c) {
  switch (c) {
    case Channel::sms:
      return "sms";
    case Channel::whatsapp:
      return "whatsapp";
    case Channel::email:
      return "email";
  }
  return "sms";
}

std::optional<Channel> channel_from_name(std::string_view name) {
  if (name == "sms") return Channel::sms;
  if (name == "whatsapp") return Channel::whatsapp;
  if (name == "email") return Channel::email;
  return std::nullopt;
}

}  // namespace regua
