#pragma once
// The hub's default storage: one SQLite file in WAL mode, every batch committed with a full sync
// before it is acknowledged (an ack cannot be taken back). docs/sync.md describes the tables.

#include <filesystem>
#include <memory>

#include "cloud/storage/hub_store.hpp"

namespace regua::hub {

Result<std::unique_ptr<HubStore>> open_sqlite_hub_store(const std::filesystem::path& file);

}  // namespace regua::hub
