#pragma once
// Reads [channels] and its sub-tables ([channels.file], [channels.sms], [channels.twilio], ...) with
// the same strictness as the rest of the configuration, and takes the providers' secrets from the
// environment when set there ($REGUA_TWILIO_AUTH_TOKEN, ...).

#include <filesystem>
#include <string>

#include <toml++/toml.h>

#include "agent/config/channels_options.hpp"
#include "agent/config/toml_reader.hpp"

namespace regua {

// `base` anchors relative paths; `ledger` is the ledger's path (the outbox defaults beside it);
// `store_name` is the e-mails' default sender name.
void read_channels(const toml::table& root, const std::filesystem::path& base,
                   const std::filesystem::path& ledger, const std::string& store_name,
                   ChannelsConfig& channels, ConfigErrors& errors);

}  // namespace regua
