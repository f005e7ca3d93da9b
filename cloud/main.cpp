// regua-hub: the franchise network's hub (docs/sync.md). This version is its receiving end: it
// stores what stores send, exactly once, acknowledges it end to end, and sends HQ's orders and
// signed rule packs, into SQLite (one hub) or PostgreSQL (replicas sharing the load, docs/hub.md).
//
//   regua-hub run     --config hub.toml
//   regua-hub status  --config hub.toml [--json]
//   regua-hub rules publish --config hub.toml --file rules.toml --version N [--store S]
//   regua-hub order   --config hub.toml --store S --json '{"id":"o-1","order":"opt_out",...}'
//   regua-hub stores  --config hub.toml [--json]
//   regua-hub store set --config hub.toml --store S [--name N] [--region R] [--format F] [--silent-after-s N]
//   regua-hub token create --config hub.toml --role R [--store S] --name N   (the HQ API, docs/hub-api.md)
//   regua-hub token list   --config hub.toml [--json]
//   regua-hub token revoke --config hub.toml --id ID

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cloud/api/api_tokens.hpp"
#include "cloud/api/hub_api_server.hpp"
#include "cloud/hub_config.hpp"
#include "cloud/ingest/hub_ingest.hpp"
#include "cloud/network/store_health.hpp"
#include "cloud/storage/open_hub_store.hpp"
#include "cloud/storage/pg_connection.hpp"
#include "local/ledger/sqlite.hpp"
#include "sync/protocol/topics.hpp"
#include "sync/rule_pack.hpp"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
  g_stop = true;
}

int fail(const regua::Error& error) {
  std::fprintf(stderr, "regua-hub: %s\n", error.message.c_str());
  return error.kind == regua::ErrorKind::config || error.kind == regua::ErrorKind::usage ? 2 : 1;
}

struct Opened {
  regua::hub::HubConfig config;
  std::unique_ptr<regua::hub::HubStore> store;
};

regua::Result<Opened> open_hub(const std::string& config_file) {
  auto config = regua::hub::load_hub_config(config_file);
  if (!config) return config.error();
  auto store = regua::hub::open_hub_store(*config);
  if (!store) return store.error();
  return Opened{std::move(*config), std::move(*store)};
}

int run(const std::string& config_file) {
  regua::sqlite::configure_process();
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  regua::SystemClock clock;
  spdlog::info("regua-hub {} for network {}; {}", REGUA_VERSION, hub->config.network,
               hub->config.storage == regua::hub::HubStorage::postgresql
                   ? regua::hub::pg::redacted_conninfo(hub->config.postgresql)
                   : "SQLite database " + hub->config.database.string());
  regua::hub::HubCounters counters;
  std::unique_ptr<regua::hub::HubApiServer> api;
  if (hub->config.api.enabled()) {
    // Its own connection: a request never waits for a batch's commit, nor the ingest for a request.
    auto api_store = regua::hub::open_hub_store(hub->config);
    if (!api_store) return fail(api_store.error());
    auto started = regua::hub::HubApiServer::start(hub->config, std::move(*api_store), clock, &counters);
    if (!started) return fail(started.error());
    api = std::move(*started);
  }
  if (auto s = regua::hub::run_hub(hub->config, *hub->store, clock, g_stop, &counters); !s)
    return fail(s.error());
  api.reset();
  spdlog::info("stopped");
  return 0;
}

int status(const std::string& config_file, bool json) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  auto stores = hub->store->stores();
  if (!stores) return fail(stores.error());
  auto parked = hub->store->parked_count();
  if (!parked) return fail(parked.error());
  if (json) {
    nlohmann::json out{
        {"network", hub->config.network}, {"parked", *parked}, {"stores", nlohmann::json::array()}};
    for (const auto& s : *stores) {
      out["stores"].push_back(
          {{"store", s.store},
           {"contiguous", s.contiguous},
           {"records", s.records},
           {"last_seen", s.last_seen ? nlohmann::json(*s.last_seen) : nlohmann::json(nullptr)},
           {"agent", s.agent},
           {"rules_version", s.rules_version},
           {"lost", s.lost}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "network " << hub->config.network << ": " << stores->size() << " store(s), " << *parked
            << " parked message(s)\n";
  for (const auto& s : *stores) {
    std::cout << "  " << s.store << ": stored up to " << s.contiguous << " (" << s.records
              << " records), agent " << (s.agent.empty() ? "?" : s.agent) << ", rule pack " << s.rules_version
              << "\n";
  }
  return 0;
}

int list_stores(const std::string& config_file, bool json) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  regua::SystemClock clock;
  auto health = regua::hub::network_health(*hub->store, clock.now(), hub->config.silent_after);
  if (!health) return fail(health.error());
  if (json) {
    nlohmann::json out{{"network", hub->config.network}, {"stores", nlohmann::json::array()}};
    for (const auto& h : *health)
      out["stores"].push_back(regua::hub::health_json(h));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::size_t silent = 0;
  for (const auto& h : *health)
    silent += h.silent ? 1 : 0;
  std::cout << "network " << hub->config.network << ": " << health->size() << " store(s), " << silent
            << " silent\n";
  for (const auto& h : *health) {
    std::cout << "  " << h.store << (h.name.empty() ? "" : " (" + h.name + ")")
              << (h.region.empty() ? "" : ", region " + h.region)
              << (h.format.empty() ? "" : ", format " + h.format) << ": " << (h.silent ? "SILENT, " : "")
              << "agent " << (h.agent.empty() ? "?" : h.agent) << ", outbox "
              << (h.outbox_depth ? std::to_string(*h.outbox_depth) : "?") << ", clock skew "
              << (h.clock_skew_s ? std::to_string(*h.clock_skew_s) + " s" : "?") << "\n";
  }
  return 0;
}

struct ProfileChange {
  std::optional<std::string> name, region, format;
  std::optional<std::int64_t> silent_after_s;
};

int set_store(const std::string& config_file, const std::string& store, const ProfileChange& change) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  if (!regua::sync::is_sync_id(store)) {
    return fail(regua::make_error(regua::ErrorKind::usage, "--store: \"" + store + "\" is not a store id"));
  }
  auto profiles = hub->store->store_profiles();
  if (!profiles) return fail(profiles.error());
  regua::hub::StoreProfile profile{store, {}, {}, {}, std::nullopt};
  for (const auto& p : *profiles) {
    if (p.store == store) profile = p;
  }
  if (change.name) profile.name = *change.name;
  if (change.region) profile.region = *change.region;
  if (change.format) profile.format = *change.format;
  if (change.silent_after_s) {
    profile.silent_after_s =
        *change.silent_after_s == 0 ? std::nullopt : std::optional<std::int64_t>(*change.silent_after_s);
  }
  if (auto s = hub->store->set_store_profile(profile); !s) return fail(s.error());
  std::cout << "store " << store << ": region \"" << profile.region << "\", format \"" << profile.format
            << "\", silent after "
            << (profile.silent_after_s
                    ? std::to_string(*profile.silent_after_s) + " s"
                    : "the hub's default (" + std::to_string(hub->config.silent_after.count()) + " s)")
            << "\n";
  return 0;
}

int publish_rules(const std::string& config_file, const std::string& rules_file, std::int64_t version,
                  const std::string& target) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  if (hub->config.signing_key.empty()) {
    return fail(regua::make_error(regua::ErrorKind::config,
                                  config_file + ": [rules] signing_key is not set: point it at HQ's "
                                                "Ed25519 key (installer/pki.sh signer)"));
  }
  std::ifstream in(rules_file, std::ios::binary);
  if (!in)
    return fail(regua::make_error(regua::ErrorKind::usage, "cannot read the rules file " + rules_file));
  std::stringstream text;
  text << in.rdbuf();
  regua::sync::RulePack pack{hub->config.network, version, text.str(), {}};
  if (auto s = regua::sync::sign_rule_pack(pack, hub->config.signing_key); !s) return fail(s.error());
  regua::SystemClock clock;
  regua::hub::StoredRulePack stored{version, target, pack.rules, pack.signature};
  if (auto s = hub->store->add_rule_pack(stored, clock.now()); !s) return fail(s.error());
  std::cout << "rule pack version " << version << " for "
            << (target == "*" ? "every store" : "store " + target)
            << " signed and stored; the running hub announces it within a second\n";
  return 0;
}

int add_order(const std::string& config_file, const std::string& store, const std::string& json_text) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  auto body = nlohmann::json::parse(json_text, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("id") || !body["id"].is_string() ||
      !body.contains("order") || !body["order"].is_string()) {
    return fail(regua::make_error(regua::ErrorKind::usage,
                                  "--json must be an object with a string \"id\" and a string \"order\" "
                                  "(opt_out, task_close, task_reassign; docs/protocol.md)"));
  }
  if (!regua::sync::is_sync_id(store)) {
    return fail(regua::make_error(regua::ErrorKind::usage, "--store: \"" + store + "\" is not a store id"));
  }
  regua::SystemClock clock;
  const auto id = body["id"].get<std::string>();
  body.erase("id");
  if (auto s = hub->store->add_order(store, id, body, clock.now()); !s) return fail(s.error());
  std::cout << "order " << id << " for store " << store
            << " stored; the running hub sends it until the store "
            << "confirms it\n";
  return 0;
}

int create_token(const std::string& config_file, const std::string& role_name, const std::string& store,
                 const std::string& name, bool json) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  auto role = regua::hub::api_role_from_name(role_name);
  if (!role) {
    return fail(regua::make_error(regua::ErrorKind::usage, "--role: \"" + role_name +
                                                               "\" is not a role: use network_admin, "
                                                               "store_manager or analyst"));
  }
  regua::SystemClock clock;
  auto token = regua::hub::make_api_token(*role, store, name, clock.now());
  if (!token) return fail(token.error());
  if (auto s = hub->store->add_api_token(token->stored); !s) return fail(s.error());
  if (json) {
    std::cout << nlohmann::json{{"id", token->stored.id},
                                {"name", name},
                                {"role", role_name},
                                {"store", store.empty() ? nlohmann::json(nullptr) : nlohmann::json(store)},
                                {"token", token->secret}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::cout << "token " << token->stored.id << " for " << name << " (" << role_name
            << (store.empty() ? "" : ", store " + store) << "):\n"
            << token->secret << "\n"
            << "Keep it now: the hub stores only its hash and cannot show it again.\n";
  return 0;
}

int list_tokens(const std::string& config_file, bool json) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  auto tokens = hub->store->api_tokens();
  if (!tokens) return fail(tokens.error());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : *tokens) {
      out.push_back({{"id", t.id},
                     {"name", t.name},
                     {"role", t.role},
                     {"store", t.store.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.store)},
                     {"created_at", t.created_at},
                     {"revoked_at", t.revoked_at ? nlohmann::json(*t.revoked_at) : nlohmann::json(nullptr)}});
    }
    std::cout << nlohmann::json{{"tokens", out}}.dump(2) << "\n";
    return 0;
  }
  std::cout << tokens->size() << " token(s)\n";
  for (const auto& t : *tokens) {
    std::cout << "  " << t.id << "  " << t.role << (t.store.empty() ? "" : " of " + t.store) << "  " << t.name
              << (t.revoked_at ? "  (revoked)" : "") << "\n";
  }
  return 0;
}

int revoke_token(const std::string& config_file, const std::string& id) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  regua::SystemClock clock;
  auto revoked = hub->store->revoke_api_token(id, clock.now());
  if (!revoked) return fail(revoked.error());
  if (!*revoked) {
    return fail(regua::make_error(regua::ErrorKind::usage,
                                  "--id: no live token " + id + " (regua-hub token list shows the tokens)"));
  }
  std::cout << "token " << id << " revoked: the API refuses it from its next request\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"regua-hub: the franchise network's hub"};
  app.set_version_flag("--version", std::string("regua-hub ") + REGUA_VERSION);
  app.require_subcommand(1);
  std::string config;
  auto* run_cmd =
      app.add_subcommand("run", "consume the stores' streams, store them, acknowledge, send orders");
  run_cmd->add_option("--config", config, "hub.toml")->required();
  bool json = false;
  auto* status_cmd = app.add_subcommand("status", "the stores and how far each is stored");
  status_cmd->add_option("--config", config, "hub.toml")->required();
  status_cmd->add_flag("--json", json, "machine-readable");
  bool stores_json = false;
  auto* stores_cmd =
      app.add_subcommand("stores", "every store: groups and health (silent, outbox, clock skew)");
  stores_cmd->add_option("--config", config, "hub.toml")->required();
  stores_cmd->add_flag("--json", stores_json, "machine-readable");
  auto* store_cmd = app.add_subcommand("store", "HQ's profile of a store");
  store_cmd->require_subcommand(1);
  auto* store_set_cmd = store_cmd->add_subcommand("set", "set a store's name, groups or silence threshold");
  std::string profile_store;
  ProfileChange change;
  store_set_cmd->add_option("--config", config, "hub.toml")->required();
  store_set_cmd->add_option("--store", profile_store, "the store")->required();
  store_set_cmd->add_option("--name", change.name, "its name");
  store_set_cmd->add_option("--region", change.region, "its region group");
  store_set_cmd->add_option("--format", change.format, "its format group");
  store_set_cmd
      ->add_option("--silent-after-s", change.silent_after_s, "flag it silent after this (0: the default)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{30} * 86'400));
  auto* rules_cmd = app.add_subcommand("rules", "rule packs");
  rules_cmd->require_subcommand(1);
  auto* publish_cmd = rules_cmd->add_subcommand("publish", "sign a rules file and publish it to the stores");
  std::string rules_file, target = "*";
  std::int64_t version = 0;
  publish_cmd->add_option("--config", config, "hub.toml")->required();
  publish_cmd->add_option("--file", rules_file, "the rules file (TOML, docs/rules.md)")->required();
  publish_cmd->add_option("--version", version, "the pack's version: higher than any before")
      ->required()
      ->check(CLI::PositiveNumber);
  publish_cmd->add_option("--store", target, "one store only (default: every store)");
  auto* order_cmd = app.add_subcommand("order", "send an order from HQ to a store");
  std::string store, order_json;
  order_cmd->add_option("--config", config, "hub.toml")->required();
  order_cmd->add_option("--store", store, "the store")->required();
  order_cmd->add_option("--json", order_json, "the order (docs/protocol.md)")->required();
  auto* token_cmd = app.add_subcommand("token", "the HQ API's tokens (docs/hub-api.md)");
  token_cmd->require_subcommand(1);
  auto* token_create_cmd = token_cmd->add_subcommand("create", "make a token; prints it once");
  std::string token_role, token_store, token_name, token_id;
  bool token_json = false;
  token_create_cmd->add_option("--config", config, "hub.toml")->required();
  token_create_cmd->add_option("--role", token_role, "network_admin, store_manager or analyst")->required();
  token_create_cmd->add_option("--store", token_store, "store_manager: the store");
  token_create_cmd->add_option("--name", token_name, "who or what holds it")->required();
  token_create_cmd->add_flag("--json", token_json, "machine-readable");
  auto* token_list_cmd = token_cmd->add_subcommand("list", "the tokens (never the tokens themselves)");
  token_list_cmd->add_option("--config", config, "hub.toml")->required();
  token_list_cmd->add_flag("--json", token_json, "machine-readable");
  auto* token_revoke_cmd = token_cmd->add_subcommand("revoke", "refuse a token from now on");
  token_revoke_cmd->add_option("--config", config, "hub.toml")->required();
  token_revoke_cmd->add_option("--id", token_id, "the token's id (token list)")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*run_cmd) return run(config);
  if (*status_cmd) return status(config, json);
  if (*stores_cmd) return list_stores(config, stores_json);
  if (*store_set_cmd) return set_store(config, profile_store, change);
  if (*publish_cmd) return publish_rules(config, rules_file, version, target);
  if (*order_cmd) return add_order(config, store, order_json);
  if (*token_create_cmd) return create_token(config, token_role, token_store, token_name, token_json);
  if (*token_list_cmd) return list_tokens(config, token_json);
  if (*token_revoke_cmd) return revoke_token(config, token_id);
  return 2;
}
