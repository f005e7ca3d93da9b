#include "cloud/storage/open_hub_store.hpp"

#include "cloud/storage/postgres_hub_store.hpp"
#include "cloud/storage/sqlite_hub_store.hpp"

namespace regua::hub {

Result<std::unique_ptr<HubStore>> open_hub_store(const HubConfig& config) {
  if (config.storage == HubStorage::postgresql) {
    auto store = open_postgres_hub_store(config.postgresql);
    if (!store) return store.error().within(config.file.string() + ": [hub] postgresql");
    return store;
  }
  return open_sqlite_hub_store(config.database);
}

}  // namespace regua::hub
