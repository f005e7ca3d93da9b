#include "cloud/rules/rule_packs.hpp"

#include <algorithm>
#include <map>

#include "local/rules/rule_set.hpp"
#include "local/rules/rule_toml.hpp"
#include "sync/protocol/topics.hpp"
#include "sync/rule_pack.hpp"
#include "sync/signing.hpp"

namespace regua::hub {

std::string pack_target_key(const PackTarget& target) {
  switch (target.kind) {
    case PackTarget::Kind::all:
      return "*";
    case PackTarget::Kind::region:
      return "region:" + target.name;
    case PackTarget::Kind::format:
      return "format:" + target.name;
    case PackTarget::Kind::store:
      return target.name;
  }
  return "*";
}

PackTarget pack_target_from_key(std::string_view key) {
  if (key == "*") return {};
  if (key.starts_with("region:")) return {PackTarget::Kind::region, std::string(key.substr(7))};
  if (key.starts_with("format:")) return {PackTarget::Kind::format, std::string(key.substr(7))};
  return {PackTarget::Kind::store, std::string(key)};
}

std::string describe_pack_target(const PackTarget& target) {
  switch (target.kind) {
    case PackTarget::Kind::all:
      return "every store";
    case PackTarget::Kind::region:
      return "region " + target.name;
    case PackTarget::Kind::format:
      return "format " + target.name;
    case PackTarget::Kind::store:
      return "store " + target.name;
  }
  return "every store";
}

bool pack_aims_at(const PackTarget& target, std::string_view store, const StoreProfile* profile) {
  switch (target.kind) {
    case PackTarget::Kind::all:
      return true;
    case PackTarget::Kind::region:
      return profile != nullptr && !profile->region.empty() && profile->region == target.name;
    case PackTarget::Kind::format:
      return profile != nullptr && !profile->format.empty() && profile->format == target.name;
    case PackTarget::Kind::store:
      return target.name == store;
  }
  return false;
}

Status check_rule_pack_rules(std::string_view rules, const std::string& file) {
  auto raw = parse_rule_file(rules, file);
  if (!raw) return raw.error();
  RuleSetOptions options;
  options.store_rules = std::move(*raw);
  options.store_name = "Loja";
  // Each store fills its own links; here they only need to exist.
  const StoreLinks links{"https://hq.invalid/rating", "https://hq.invalid/review",
                         "https://hq.invalid/survey"};
  auto set = assemble_rules(options, links);
  if (!set) return set.error();
  return {};
}

Result<StoredRulePack> publish_rule_pack(HubStore& store, std::string_view network,
                                         const std::filesystem::path& signing_key, const PackToPublish& pack,
                                         Seconds now) {
  if (pack.version <= 0) {
    return make_error(ErrorKind::usage,
                      "--version: " + std::to_string(pack.version) + " is not a positive number");
  }
  if (pack.target.kind == PackTarget::Kind::store && !sync::is_sync_id(pack.target.name)) {
    return make_error(ErrorKind::usage, "--store: \"" + pack.target.name + "\" is not a store id");
  }
  if (pack.target.kind != PackTarget::Kind::all && pack.target.kind != PackTarget::Kind::store &&
      pack.target.name.empty()) {
    return make_error(ErrorKind::usage, "the group of a pack needs a name (--region R or --format F)");
  }
  if (signing_key.empty()) {
    return make_error(
        ErrorKind::config,
        "[rules] signing_key is not set: point it at HQ's Ed25519 key (installer/pki.sh signer)");
  }
  if (auto checked = check_rule_pack_rules(pack.rules, pack.file); !checked) {
    return checked.error().within("rule pack version " + std::to_string(pack.version) +
                                  " refused (nothing signed or stored)");
  }
  // Cheap first look, so that a stale version is refused before anything is signed; the store
  // checks again in the transaction that stores it.
  auto list = store.rule_pack_list();
  if (!list) return list.error();
  const auto too_old = [&](std::int64_t newest) {
    return make_error(ErrorKind::usage, "rule pack version " + std::to_string(pack.version) +
                                            " refused: version " + std::to_string(newest) +
                                            " is published already; use a version above it (stores never go "
                                            "back to an older pack)");
  };
  if (!list->empty() && list->front().version >= pack.version) return too_old(list->front().version);
  sync::RulePack signed_pack{std::string(network), pack.version, pack.rules, {}};
  if (auto s = sync::sign_rule_pack(signed_pack, signing_key); !s) return s.error();
  StoredRulePack stored;
  stored.version = pack.version;
  stored.target = pack_target_key(pack.target);
  stored.rules = pack.rules;
  stored.signature = signed_pack.signature;
  stored.author = pack.author;
  stored.note = pack.note;
  stored.sha256 = sync::sha256_hex(pack.rules);
  stored.created_at = now.time_since_epoch().count();
  auto blocked = store.add_rule_pack_above_newest(stored, now);
  if (!blocked) return blocked.error();
  if (*blocked) return too_old(**blocked);
  return stored;
}

const StoredRulePack* newest_pack_for(std::string_view store, const StoreProfile* profile,
                                      const std::vector<StoredRulePack>& packs) {
  const StoredRulePack* best = nullptr;
  for (const auto& pack : packs) {
    if (best != nullptr && pack.version <= best->version) continue;
    if (pack_aims_at(pack_target_from_key(pack.target), store, profile)) best = &pack;
  }
  return best;
}

Result<std::vector<PackAdoption>> rule_pack_adoption(HubStore& store) {
  auto packs = store.rule_pack_list();
  if (!packs) return packs.error();
  auto rows = store.stores();
  if (!rows) return rows.error();
  auto profiles = store.store_profiles();
  if (!profiles) return profiles.error();
  auto beats = store.heartbeats();
  if (!beats) return beats.error();

  std::map<std::string, PackAdoption> by_store;
  std::map<std::string, const StoreProfile*> profile_of;
  for (const auto& row : *rows) {
    auto& a = by_store[row.store];
    a.store = row.store;
    a.running = row.rules_version;
  }
  for (const auto& p : *profiles) {
    auto& a = by_store[p.store];
    a.store = p.store;
    a.region = p.region;
    a.format = p.format;
    profile_of[p.store] = &p;
  }
  for (const auto& beat : *beats) {
    auto it = by_store.find(beat.store);
    if (it == by_store.end()) continue;
    const auto body = nlohmann::json::parse(beat.body, nullptr, false);
    if (!body.is_object()) continue;
    auto& a = it->second;
    // A hello says the version at connect; a heartbeat the version since (versions only go up).
    if (auto v = body.find("rules_version"); v != body.end() && v->is_number_integer())
      a.running = std::max(a.running, v->get<std::int64_t>());
    if (auto r = body.find("rules_refused"); r != body.end() && r->is_object()) {
      if (auto v = r->find("version"); v != r->end() && v->is_number_integer())
        a.refused_version = v->get<std::int64_t>();
      if (auto why = r->find("reason"); why != r->end() && why->is_string())
        a.refused_reason = why->get<std::string>();
      if (auto at = r->find("at"); at != r->end() && at->is_number_integer())
        a.refused_at = at->get<std::int64_t>();
    }
  }
  std::vector<PackAdoption> out;
  out.reserve(by_store.size());
  for (auto& [id, a] : by_store) {
    const auto p = profile_of.find(id);
    const auto* aimed = newest_pack_for(id, p != profile_of.end() ? p->second : nullptr, *packs);
    if (aimed == nullptr) {
      a.state = "none";
    } else {
      a.aimed_version = aimed->version;
      a.aimed_target = aimed->target;
      if (a.running >= aimed->version) {
        a.state = "adopted";
      } else if (a.refused_version && *a.refused_version == aimed->version) {
        a.state = "refused";
      } else {
        a.state = "pending";
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

nlohmann::json rule_pack_json(const StoredRulePack& pack) {
  return {{"version", pack.version},
          {"target", pack.target},
          {"aimed_at", describe_pack_target(pack_target_from_key(pack.target))},
          {"author", pack.author},
          {"note", pack.note},
          {"sha256", pack.sha256},
          {"created_at", pack.created_at}};
}

nlohmann::json pack_adoption_json(const PackAdoption& a) {
  const auto optional = [](const std::optional<std::int64_t>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  nlohmann::json refused;
  if (a.refused_version) {
    refused = {{"version", *a.refused_version}, {"reason", a.refused_reason}, {"at", optional(a.refused_at)}};
  }
  return {{"store", a.store},
          {"region", a.region},
          {"format", a.format},
          {"running", a.running},
          {"aimed_version", optional(a.aimed_version)},
          {"aimed_target", a.aimed_version ? nlohmann::json(a.aimed_target) : nlohmann::json()},
          {"state", a.state},
          {"refused", refused}};
}

}  // namespace regua::hub
