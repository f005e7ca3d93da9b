#pragma once
// HQ's rule packs at the hub (issue 8): one library for `regua-hub rules ...` and the HQ HTTP API.
//
// - A pack is checked before it is signed, with the agent's own TOML adapter and rule schema
//   (local/rules/rule_toml.hpp, rule_schema.hpp): a pack the stores would refuse is refused here,
//   with the file, line and key, and nothing is signed or stored.
// - Versions only go up across the network: a store refuses a pack older than the one it runs, so a
//   version at or below the newest published one is refused.
// - A pack is aimed at every store, a group (a region or a format of HQ's store profiles) or one
//   store; a store takes the newest pack aimed at it, resolved at the time it is asked, so a store
//   that joins a group later gets that group's pack.
// - Adoption: which version each store runs (its hello and heartbeats), whether it runs the newest
//   pack aimed at it, and the newest pack it refused and why (its heartbeat says).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cloud/storage/hub_store.hpp"
#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace regua::hub {

struct PackTarget {
  enum class Kind { all, region, format, store };
  Kind kind = Kind::all;
  std::string name;  // the region, the format or the store id ("" for all)
};

// As stored (StoredRulePack::target): "*", "region:R", "format:F", or the store id.
std::string pack_target_key(const PackTarget& target);
PackTarget pack_target_from_key(std::string_view key);
// "every store", "region sul", "format quiosque", "store centro".
std::string describe_pack_target(const PackTarget& target);
// Whether a pack aimed at `target` is aimed at `store` (with HQ's profile of it, if any).
bool pack_aims_at(const PackTarget& target, std::string_view store, const StoreProfile* profile);

// Checks a rules text exactly as a store will read it; `file` names it in messages. Store-specific
// settings cannot be known here: links ({rating_url}, ...) count as configured, and a rule may name
// only segments every store has (cells, RFM segments), not a store's own [[segment]].
Status check_rule_pack_rules(std::string_view rules, const std::string& file);

struct PackToPublish {
  std::string rules;  // the rules file's text
  std::string file;   // where it came from, for messages
  std::int64_t version = 0;
  PackTarget target;
  std::string author, note;
};

// Checks, signs with `signing_key` and stores the pack; the stored pack, or why not (ErrorKind::config
// for a rule mistake, ErrorKind::usage for a bad target or version).
Result<StoredRulePack> publish_rule_pack(HubStore& store, std::string_view network,
                                         const std::filesystem::path& signing_key, const PackToPublish& pack,
                                         Seconds now);

// The newest of `packs` aimed at `store`; nullptr when none is.
const StoredRulePack* newest_pack_for(std::string_view store, const StoreProfile* profile,
                                      const std::vector<StoredRulePack>& packs);

struct PackAdoption {
  std::string store, region, format;
  std::int64_t running = 0;                     // the version it runs (0: none from HQ)
  std::optional<std::int64_t> aimed_version;    // the newest pack aimed at it
  std::string aimed_target;                     // and how it is aimed (a target key)
  std::optional<std::int64_t> refused_version;  // the newest pack it refused, from its heartbeat
  std::string refused_reason;
  std::optional<std::int64_t> refused_at;  // store clock
  // "adopted" (it runs the newest pack aimed at it, or newer), "pending", "refused" (it refused
  // that pack), or "none" (no pack is aimed at it).
  std::string state;
};

// Every store the hub knows (from its stream or HQ's profiles), ordered by id.
Result<std::vector<PackAdoption>> rule_pack_adoption(HubStore& store);

nlohmann::json rule_pack_json(const StoredRulePack& pack);  // without the rules text
nlohmann::json pack_adoption_json(const PackAdoption& adoption);

}  // namespace regua::hub
