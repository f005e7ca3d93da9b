// regua-hub: the franchise network's hub (docs/hub.md). It stores what stores send, exactly once,
// into SQLite (one hub) or PostgreSQL (replicas sharing the load), acknowledges it end to end, sends
// HQ's signed orders and rule packs, serves the HQ API (docs/hub-api.md) and enrols new stores.
//
//   regua-hub run     --config hub.toml
//   regua-hub status  --config hub.toml [--json]
//   regua-hub rules publish --config hub.toml --file rules.toml --version N [--store S | --region R |
//                           --format F] [--author A] [--note N]
//   regua-hub rules list     --config hub.toml [--json]
//   regua-hub rules adoption --config hub.toml [--json]
//   regua-hub order   --config hub.toml --store S --json '{"id":"o-1","order":"opt_out",...}'
//   regua-hub stores  --config hub.toml [--json]
//   regua-hub store set --config hub.toml --store S [--name N] [--region R] [--format F] [--silent-after-s N]
//   regua-hub enrol token  --config hub.toml --store S [--ttl 24h]
//   regua-hub enrol tokens --config hub.toml [--json]
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
#include "cloud/enrolment/enrolment_server.hpp"
#include "cloud/hub_config.hpp"
#include "cloud/ingest/hub_ingest.hpp"
#include "cloud/network/store_health.hpp"
#include "cloud/rules/rule_packs.hpp"
#include "cloud/storage/open_hub_store.hpp"
#include "cloud/storage/pg_connection.hpp"
#include "local/core/timestamp.hpp"
#include "local/ledger/sqlite.hpp"
#include "sync/enrolment_token.hpp"
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
  // The enrolment endpoint has a storage session of its own: HubStore is one session per thread.
  std::unique_ptr<regua::hub::EnrolmentServer> enrolment;
  if (hub->config.enrolment) {
    auto session = regua::hub::open_hub_store(hub->config);
    if (!session) return fail(session.error());
    auto started = regua::hub::EnrolmentServer::start(hub->config, std::move(*session), clock);
    if (!started) return fail(started.error());
    enrolment = std::move(*started);
    spdlog::info("enrolment endpoint on https://{}:{}", hub->config.enrolment->host,
                 hub->config.enrolment->port);
  }
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
              << (h.outbox_depth ? std::to_string(*h.outbox_depth) : "?") << ", sync lag "
              << (h.sync_lag_s ? std::to_string(*h.sync_lag_s) + " s" : "?") << ", clock skew "
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

struct PublishOptions {
  std::string file;
  std::int64_t version = 0;
  std::optional<std::string> store, region, format;
  std::string author, note;
};

int publish_rules(const std::string& config_file, const PublishOptions& o) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return fail(regua::make_error(regua::ErrorKind::usage, "cannot read the rules file " + o.file));
  std::stringstream text;
  text << in.rdbuf();
  regua::hub::PackToPublish pack;
  pack.rules = text.str();
  pack.file = o.file;
  pack.version = o.version;
  pack.author = o.author;
  pack.note = o.note;
  using Kind = regua::hub::PackTarget::Kind;
  if (o.store) pack.target = {Kind::store, *o.store};
  if (o.region) pack.target = {Kind::region, *o.region};
  if (o.format) pack.target = {Kind::format, *o.format};
  regua::SystemClock clock;
  auto stored = regua::hub::publish_rule_pack(*hub->store, hub->config.network, hub->config.signing_key, pack,
                                              clock.now());
  if (!stored) {
    if (stored.error().kind == regua::ErrorKind::config && hub->config.signing_key.empty())
      return fail(stored.error().within(config_file));
    return fail(stored.error());
  }
  auto adoption = regua::hub::rule_pack_adoption(*hub->store);
  if (!adoption) return fail(adoption.error());
  std::size_t aimed = 0;
  for (const auto& a : *adoption)
    aimed += a.aimed_version == stored->version ? 1 : 0;
  std::cout << "rule pack version " << stored->version << " for "
            << regua::hub::describe_pack_target(pack.target) << " checked, signed and stored (sha256 "
            << stored->sha256.substr(0, 12) << "); " << aimed
            << " store(s) known to the hub take it; the running hub sends it within a second\n";
  return 0;
}

int list_rule_packs(const std::string& config_file, bool json) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  auto packs = hub->store->rule_pack_list();
  if (!packs) return fail(packs.error());
  if (json) {
    nlohmann::json out{{"network", hub->config.network}, {"packs", nlohmann::json::array()}};
    for (const auto& p : *packs)
      out["packs"].push_back(regua::hub::rule_pack_json(p));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "network " << hub->config.network << ": " << packs->size() << " rule pack(s), newest first\n";
  for (const auto& p : *packs) {
    std::cout << "  version " << p.version << " for "
              << regua::hub::describe_pack_target(regua::hub::pack_target_from_key(p.target)) << ", "
              << regua::format_utc(regua::Seconds{std::chrono::seconds{p.created_at}})
              << (p.author.empty() ? "" : " by " + p.author) << (p.note.empty() ? "" : ": " + p.note)
              << " (sha256 " << p.sha256.substr(0, 12) << ")\n";
  }
  return 0;
}

int rule_pack_adoption(const std::string& config_file, bool json) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  auto adoption = regua::hub::rule_pack_adoption(*hub->store);
  if (!adoption) return fail(adoption.error());
  if (json) {
    nlohmann::json out{{"network", hub->config.network}, {"stores", nlohmann::json::array()}};
    for (const auto& a : *adoption)
      out["stores"].push_back(regua::hub::pack_adoption_json(a));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::size_t behind = 0;
  for (const auto& a : *adoption)
    behind += a.state == "pending" || a.state == "refused" ? 1 : 0;
  std::cout << "network " << hub->config.network << ": " << adoption->size() << " store(s), " << behind
            << " not on the newest pack aimed at them\n";
  for (const auto& a : *adoption) {
    std::cout << "  " << a.store << ": runs "
              << (a.running == 0 ? "no pack" : "version " + std::to_string(a.running));
    if (a.aimed_version) {
      std::cout << "; newest aimed at it: version " << *a.aimed_version << " ("
                << regua::hub::describe_pack_target(regua::hub::pack_target_from_key(a.aimed_target))
                << "): " << a.state;
    } else {
      std::cout << "; no pack aimed at it";
    }
    if (a.refused_version) {
      std::cout << "; refused version " << *a.refused_version << ": " << a.refused_reason;
    }
    std::cout << "\n";
  }
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

// "24h", "30m", "7d", "90s": a token's time to live, 1 second to 30 days.
std::optional<std::chrono::seconds> parse_token_ttl(const std::string& text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t n = 0;
  for (const char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9' || n > 10'000'000) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  const char unit = text.back();
  const std::int64_t scale = unit == 's'   ? 1
                             : unit == 'm' ? 60
                             : unit == 'h' ? 3600
                             : unit == 'd' ? 86'400
                                           : 0;
  const auto ttl = std::chrono::seconds(n * scale);
  if (ttl < std::chrono::seconds(1) || ttl > std::chrono::days(30)) return std::nullopt;
  return ttl;
}

int make_enrolment_token(const std::string& config_file, const std::string& store,
                         const std::string& ttl_text) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  if (!regua::sync::is_sync_id(store)) {
    return fail(regua::make_error(regua::ErrorKind::usage, "--store: \"" + store + "\" is not a store id"));
  }
  const auto ttl = parse_token_ttl(ttl_text);
  if (!ttl) {
    return fail(regua::make_error(regua::ErrorKind::usage, "--ttl: \"" + ttl_text +
                                                               "\" is not a time to live from 1s to 30d "
                                                               "(a number and s, m, h or d: 24h, 7d)"));
  }
  if (!hub->config.enrolment) {
    return fail(
        regua::make_error(regua::ErrorKind::config,
                          config_file + ": no [enrolment] section: a token pins its ca_cert (docs/hub.md)"));
  }
  auto ca = regua::hub::read_enrolment_file(hub->config.enrolment->ca_cert, "ca_cert");
  if (!ca) return fail(ca.error());
  auto pin = regua::sync::certificate_sha256(*ca);
  if (!pin) return fail(pin.error().within("[enrolment] ca_cert " + hub->config.enrolment->ca_cert.string()));
  auto token = regua::sync::new_enrolment_token(*pin);
  if (!token) return fail(token.error());
  regua::SystemClock clock;
  const auto now = clock.now();
  regua::hub::EnrolmentTokenRow row{token->id,
                                    regua::sync::enrolment_secret_hash(token->secret),
                                    store,
                                    now.time_since_epoch().count(),
                                    (now + *ttl).time_since_epoch().count(),
                                    std::nullopt};
  if (auto s = hub->store->add_enrolment_token(row); !s) return fail(s.error());
  // The token alone on stdout (for scripts); what it is for on stderr. It is shown this once.
  std::cout << token->text() << "\n";
  std::cerr << "enrolment token " << token->id << " for store " << hub->config.network << "/" << store
            << ", valid until " << regua::format_utc(now + *ttl)
            << ", usable once. It is shown only now: on the store run\n  regua-agent enroll --hub "
               "https://HUB:PORT --token TOKEN\n";
  return 0;
}

const char* token_state_name(const regua::hub::EnrolmentTokenRow& row, regua::Seconds now) {
  if (row.used_at) return "used";
  return row.expires_at <= now.time_since_epoch().count() ? "expired" : "valid";
}

int list_enrolment_tokens(const std::string& config_file, bool json) {
  auto hub = open_hub(config_file);
  if (!hub) return fail(hub.error());
  auto tokens = hub->store->enrolment_tokens();
  if (!tokens) return fail(tokens.error());
  regua::SystemClock clock;
  const auto now = clock.now();
  if (json) {
    nlohmann::json out{{"network", hub->config.network}, {"tokens", nlohmann::json::array()}};
    for (const auto& t : *tokens) {
      out["tokens"].push_back(
          {{"id", t.id},
           {"store", t.store},
           {"state", token_state_name(t, now)},
           {"created_at", t.created_at},
           {"expires_at", t.expires_at},
           {"used_at", t.used_at ? nlohmann::json(*t.used_at) : nlohmann::json(nullptr)}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "network " << hub->config.network << ": " << tokens->size() << " enrolment token(s)\n";
  for (const auto& t : *tokens) {
    std::cout << "  " << t.id << " store " << t.store << ": " << token_state_name(t, now) << ", expires "
              << regua::format_utc(regua::Seconds(std::chrono::seconds(t.expires_at)))
              << (t.used_at ? ", used " + regua::format_utc(regua::Seconds(std::chrono::seconds(*t.used_at)))
                            : "")
              << "\n";
  }
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
  auto* publish_cmd = rules_cmd->add_subcommand(
      "publish", "check, sign and publish a rules file to the stores (docs/hub.md)");
  PublishOptions publish;
  publish_cmd->add_option("--config", config, "hub.toml")->required();
  publish_cmd->add_option("--file", publish.file, "the rules file (TOML, docs/rules.md)")->required();
  publish_cmd->add_option("--version", publish.version, "the pack's version: above every version published")
      ->required()
      ->check(CLI::PositiveNumber);
  auto* to_store = publish_cmd->add_option("--store", publish.store, "one store only");
  auto* to_region = publish_cmd->add_option("--region", publish.region, "the stores of a region");
  auto* to_format = publish_cmd->add_option("--format", publish.format, "the stores of a format");
  to_store->excludes(to_region)->excludes(to_format);
  to_region->excludes(to_format);
  publish_cmd->add_option("--author", publish.author, "who publishes it");
  publish_cmd->add_option("--note", publish.note, "why (shown by rules list)");
  bool rules_json = false;
  auto* list_cmd = rules_cmd->add_subcommand("list", "the rule packs published, newest first");
  list_cmd->add_option("--config", config, "hub.toml")->required();
  list_cmd->add_flag("--json", rules_json, "machine-readable");
  auto* adoption_cmd =
      rules_cmd->add_subcommand("adoption", "which store runs which pack, and which have not taken theirs");
  adoption_cmd->add_option("--config", config, "hub.toml")->required();
  adoption_cmd->add_flag("--json", rules_json, "machine-readable");
  auto* order_cmd = app.add_subcommand("order", "send an order from HQ to a store");
  std::string store, order_json;
  order_cmd->add_option("--config", config, "hub.toml")->required();
  order_cmd->add_option("--store", store, "the store")->required();
  order_cmd->add_option("--json", order_json, "the order (docs/protocol.md)")->required();
  auto* enrol_cmd = app.add_subcommand("enrol", "one-time tokens that let a new store get its certificate");
  enrol_cmd->require_subcommand(1);
  auto* enrol_token_cmd = enrol_cmd->add_subcommand("token", "make a token for a store (printed once)");
  std::string enrol_store, enrol_ttl = "24h";
  enrol_token_cmd->add_option("--config", config, "hub.toml")->required();
  enrol_token_cmd->add_option("--store", enrol_store, "the store it enrols")->required();
  enrol_token_cmd->add_option("--ttl", enrol_ttl, "how long it may be used: 1s to 30d (default 24h)");
  bool enrol_json = false;
  auto* enrol_tokens_cmd =
      enrol_cmd->add_subcommand("tokens", "the tokens and their state (never their secret)");
  enrol_tokens_cmd->add_option("--config", config, "hub.toml")->required();
  enrol_tokens_cmd->add_flag("--json", enrol_json, "machine-readable");
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
  if (*publish_cmd) return publish_rules(config, publish);
  if (*list_cmd) return list_rule_packs(config, rules_json);
  if (*adoption_cmd) return rule_pack_adoption(config, rules_json);
  if (*order_cmd) return add_order(config, store, order_json);
  if (*enrol_token_cmd) return make_enrolment_token(config, enrol_store, enrol_ttl);
  if (*enrol_tokens_cmd) return list_enrolment_tokens(config, enrol_json);
  if (*token_create_cmd) return create_token(config, token_role, token_store, token_name, token_json);
  if (*token_list_cmd) return list_tokens(config, token_json);
  if (*token_revoke_cmd) return revoke_token(config, token_id);
  return 2;
}
