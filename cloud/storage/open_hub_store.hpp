#pragma once
// Opens the storage backend the hub's configuration names ([hub] storage): SQLite or PostgreSQL.

#include <memory>

#include "cloud/hub_config.hpp"
#include "cloud/storage/hub_store.hpp"

namespace regua::hub {

Result<std::unique_ptr<HubStore>> open_hub_store(const HubConfig& config);

}  // namespace regua::hub
