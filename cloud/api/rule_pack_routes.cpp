#include "cloud/api/rule_pack_routes.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cloud/api/api_reply.hpp"
#include "cloud/rules/rule_packs.hpp"
#include "sync/protocol/topics.hpp"
#include "sync/signing.hpp"

namespace regua::hub {
namespace {

using nlohmann::json;

// The name a pack sent through the API has in the checker's messages ("pack.toml:8: ...").
constexpr const char* kApiPackFile = "pack.toml";
constexpr std::size_t kMaxPackNote = 500;

// HQ's profile of `store`, when it has one.
std::optional<StoreProfile> pack_profile_of(HubStore& store, const std::string& id, httplib::Response& res,
                                            bool& failed) {
  auto profiles = store.store_profiles();
  if (!profiles) {
    reply_database_failed(res, profiles.error());
    failed = true;
    return std::nullopt;
  }
  for (auto& p : *profiles) {
    if (p.store == id) return std::move(p);
  }
  return std::nullopt;
}

// The body of validate and publish: {"rules": "<TOML>", "target": ..., "note": ..., "version": N}.
struct PackRequest {
  std::string rules;
  PackTarget target;
  std::string note;
  std::int64_t version = 0;  // 0: the newest published + 1
};

constexpr const char* kPackBodyHelp =
    R"(send {"rules": "<the rules file's TOML>", "target": "all" | "region:R" | "format:F" | "<store id>", )"
    R"("note": "why" (optional), "version": N (optional: the newest + 1)})";

std::optional<PackRequest> read_pack_request(const httplib::Request& req, httplib::Response& res) {
  const json body = json::parse(req.body, nullptr, false);
  const auto refuse = [&](const std::string& what) {
    reply_hub_error(res, 400, what, kPackBodyHelp);
    return std::nullopt;
  };
  if (!body.is_object()) return refuse("the body is not a JSON object");
  PackRequest r;
  const auto rules = body.find("rules");
  if (rules == body.end() || !rules->is_string() || rules->get_ref<const std::string&>().empty())
    return refuse("rules is required: the rules file's text (TOML, docs/rules.md)");
  r.rules = rules->get<std::string>();
  if (auto note = body.find("note"); note != body.end() && !note->is_null()) {
    if (!note->is_string() || note->get_ref<const std::string&>().size() > kMaxPackNote)
      return refuse("note must be a string of at most " + std::to_string(kMaxPackNote) + " characters");
    r.note = note->get<std::string>();
  }
  if (auto version = body.find("version"); version != body.end() && !version->is_null()) {
    if (!version->is_number_integer() || version->get<std::int64_t>() <= 0)
      return refuse("version must be a positive whole number");
    r.version = version->get<std::int64_t>();
  }
  std::string target = "all";
  if (auto t = body.find("target"); t != body.end() && !t->is_null()) {
    if (!t->is_string()) return refuse("target must be a string");
    target = t->get<std::string>();
  }
  const auto group = [&](std::string_view prefix, PackTarget::Kind kind) -> std::optional<PackTarget> {
    if (!target.starts_with(prefix)) return std::nullopt;
    const auto name = target.substr(prefix.size());
    if (name.empty() || name.size() > 100) return std::nullopt;
    return PackTarget{kind, name};
  };
  if (target == "all") {
    r.target = {};
  } else if (auto region = group("region:", PackTarget::Kind::region)) {
    r.target = *region;
  } else if (auto format = group("format:", PackTarget::Kind::format)) {
    r.target = *format;
  } else if (sync::is_sync_id(target)) {
    r.target = {PackTarget::Kind::store, target};
  } else {
    return refuse("target: \"" + target + "\" is neither all, region:R, format:F nor a store id");
  }
  return r;
}

// 422 with the checker's message (it names the line and the key): nothing was signed or stored.
void reply_pack_mistake(httplib::Response& res, const Error& error) {
  json problems = json::array();
  std::size_t start = 0;
  while (start <= error.message.size()) {
    auto end = error.message.find('\n', start);
    if (end == std::string::npos) end = error.message.size();
    if (end > start) problems.push_back(error.message.substr(start, end - start));
    start = end + 1;
  }
  reply_api_json(
      res,
      {{"error", "the rule pack has a mistake: nothing was signed or stored"},
       {"what_to_do", "correct what each problem names (the line and the key), then validate again"},
       {"problems", problems}},
      422);
}

}  // namespace

void RulePackRoutes::list(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
  auto packs = api.store.rule_pack_list();
  if (!packs) return reply_database_failed(res, packs.error());
  std::optional<StoreProfile> profile;
  if (caller.role == ApiRole::store_manager) {
    bool failed = false;
    profile = pack_profile_of(api.store, caller.store, res, failed);
    if (failed) return;
  }
  json out = json::array();
  for (const auto& p : *packs) {
    if (caller.role == ApiRole::store_manager &&
        !pack_aims_at(pack_target_from_key(p.target), caller.store, profile ? &*profile : nullptr))
      continue;
    out.push_back(rule_pack_json(p));
  }
  reply_api_json(res, {{"network", api.config.network}, {"packs", out}});
}

void RulePackRoutes::one(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
  const auto version = std::stoll(std::string(req.matches[1]));
  auto packs = api.store.rule_pack_list();
  if (!packs) return reply_database_failed(res, packs.error());
  const StoredRulePack* found = nullptr;
  for (const auto& p : *packs) {
    if (p.version == version) found = &p;
  }
  if (found != nullptr && caller.role == ApiRole::store_manager) {
    bool failed = false;
    auto profile = pack_profile_of(api.store, caller.store, res, failed);
    if (failed) return;
    if (!pack_aims_at(pack_target_from_key(found->target), caller.store, profile ? &*profile : nullptr))
      found = nullptr;  // another store's pack: as if there were none
  }
  if (found == nullptr) {
    return reply_hub_error(res, 404, "no rule pack version " + std::to_string(version),
                           "GET /api/v1/rule-packs lists the published versions");
  }
  auto whole = api.store.rule_pack(found->target, found->version);
  if (!whole) return reply_database_failed(res, whole.error());
  if (!*whole) return reply_hub_error(res, 404, "no rule pack version " + std::to_string(version), "retry");
  auto out = rule_pack_json(**whole);
  out["rules"] = (*whole)->rules;
  reply_api_json(res, out);
}

void RulePackRoutes::validate(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
  if (!api_role_allowed(caller, res, {ApiRole::network_admin, ApiRole::analyst}, "validate rule packs"))
    return;
  auto pack = read_pack_request(req, res);
  if (!pack) return;
  if (auto checked = check_rule_pack_rules(pack->rules, kApiPackFile); !checked)
    return reply_pack_mistake(res, checked.error());
  reply_api_json(res, {{"valid", true}, {"sha256", sync::sha256_hex(pack->rules)}});
}

void RulePackRoutes::publish(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller) {
  if (!api_role_allowed(caller, res, {ApiRole::network_admin}, "publish rule packs")) return;
  auto request = read_pack_request(req, res);
  if (!request) return;
  if (api.config.signing_key.empty()) {
    return reply_hub_error(res, 503, "this hub has no [rules] signing_key: it cannot sign a rule pack",
                           "set [rules] signing_key in " + api.config.file.string() +
                               " (installer/pki.sh signer) and restart regua-hub");
  }
  if (auto checked = check_rule_pack_rules(request->rules, kApiPackFile); !checked)
    return reply_pack_mistake(res, checked.error());
  PackToPublish pack;
  pack.rules = request->rules;
  pack.file = kApiPackFile;
  pack.target = request->target;
  pack.note = request->note;
  pack.author = caller.name;
  pack.version = request->version;
  if (pack.version == 0) {
    auto published = api.store.rule_pack_list();
    if (!published) return reply_database_failed(res, published.error());
    pack.version = published->empty() ? 1 : published->front().version + 1;
  }
  auto stored =
      publish_rule_pack(api.store, api.config.network, api.config.signing_key, pack, api.clock.now());
  if (!stored) {
    if (stored.error().kind == ErrorKind::config) return reply_pack_mistake(res, stored.error());
    if (stored.error().kind == ErrorKind::usage) {
      return reply_hub_error(res, 409, stored.error().message,
                             "publish again without a version (the hub takes the newest + 1), or with a "
                             "higher one");
    }
    return reply_database_failed(res, stored.error());
  }
  auto adoption = rule_pack_adoption(api.store);
  if (!adoption) return reply_database_failed(res, adoption.error());
  json aimed = json::array();
  for (const auto& a : *adoption) {
    if (a.aimed_version == stored->version) aimed.push_back(a.store);
  }
  spdlog::info("api: {} (token {}) published rule pack version {} for {}", caller.name, caller.token_id,
               stored->version, describe_pack_target(request->target));
  auto out = rule_pack_json(*stored);
  out["stores"] = aimed;
  reply_api_json(res, out, 201);
}

void RulePackRoutes::adoption(const httplib::Request&, httplib::Response& res, const ApiCaller& caller) {
  auto adoption = rule_pack_adoption(api.store);
  if (!adoption) return reply_database_failed(res, adoption.error());
  json out = json::array();
  for (const auto& a : *adoption) {
    if (caller.sees_store(a.store)) out.push_back(pack_adoption_json(a));
  }
  reply_api_json(res, {{"network", api.config.network}, {"stores", out}});
}

}  // namespace regua::hub
