#pragma once
// [sync]: how the store talks to its network's hub (docs/config.md lists every key, docs/sync.md
// explains them). Without a [sync] section the store does not sync; the outbox still fills (the
// ledger's triggers), so a store that joins a hub later sends its whole history.

#include <filesystem>
#include <optional>

#include <toml++/toml.h>

#include "agent/config/toml_reader.hpp"
#include "sync/sync_service.hpp"

namespace regua {

struct SyncConfig {
  bool enabled = true;
  sync::SyncSettings settings;  // store id filled from [store] id
};

// `store_id` is [store] id (its certificate's CN is "network/store"); `base` anchors relative paths.
void read_sync(const toml::table& root, const std::filesystem::path& base, const std::string& store_id,
               std::optional<SyncConfig>& sync, ConfigErrors& errors);

}  // namespace regua
