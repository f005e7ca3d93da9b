#pragma once
// The hub's storage at scale: PostgreSQL through libpq, shared by any number of hub replicas (each
// store's batches are serialised on its `stores` row; PostgreSQL's commit is durable before the
// hub acknowledges). The schema is created and upgraded by numbered migrations, one replica at a
// time (an advisory lock); a database with a newer schema is refused. docs/hub.md has the tables.

#include <memory>
#include <string>

#include "cloud/storage/hub_store.hpp"

namespace regua::hub {

// `conninfo`: a libpq connection string or URI ("host=db.example port=5432 dbname=regua user=hub").
Result<std::unique_ptr<HubStore>> open_postgres_hub_store(const std::string& conninfo);

// The schema version this regua-hub writes (for `status` and the tests).
int postgres_hub_schema_version();

}  // namespace regua::hub
