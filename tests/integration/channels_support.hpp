#pragma once
// What the channels' integration tests share: a store whose `regua-agent run` sends through stand-in
// providers over HTTPS (a test CA made by `openssl`) and serves the providers' callbacks on its local
// HTTP server; sales that make rules due at once; and reading the ledger back.

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include <httplib.h>

#include "local/ledger/ledger.hpp"
#include "tests/integration/rules_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/provider_standin.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {

inline bool eventually(const std::function<bool()>& done,
                       std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// A sale whose "1 hour after" rules are due now.
inline std::string sale_due_now(const std::string& id, const std::string& customer, const std::string& name,
                                const std::string& phone, const std::string& email = "") {
  nlohmann::json j{{"type", "sale"}, {"id", id}, {"ts", iso_utc(unix_now() - 3600 - 5)}, {"total", "59.90"}};
  j["customer"] = {{"id", customer}, {"name", name}, {"phone", phone}};
  if (!email.empty()) j["customer"]["email"] = email;
  return j.dump() + "\n";
}

// One value of the ledger (the first column of the first row), or "" when none; read-only.
inline std::string ledger_value(const AgentStore& store, const std::string& sql) {
  ManualClock clock(Seconds{});
  auto ledger = Ledger::open(LedgerOptions{store.ledger, "centro", true, false}, clock);
  if (!ledger) return "cannot open: " + ledger.error().message;
  auto stmt = ledger->db().prepare(sql);
  if (!stmt) return "cannot read: " + stmt.error().message;
  auto row = stmt->step();
  if (!row || !*row || stmt->is_null(0)) return "";
  return std::string(stmt->text(0));
}

class ChannelStore {
 public:
  ChannelStore() {
    const std::string url = standin.base_url();
    write_file(store.config,
               "[store]\nid = \"centro\"\nname = \"Loja de Teste\"\n\n[ledger]\npath = \"ledger.db\"\n\n"
               "[log]\nlevel = \"debug\"\n\n"
               "[http]\nlisten = \"127.0.0.1\"\nport = " +
                   std::to_string(http_port) +
                   "\n\n[[source]]\nname = \"pdv\"\nkind = \"jsonl\"\npath = "
                   "\"pos/sales.jsonl\"\npoll_interval_ms = "
                   "200\n\n[channels]\nca_file = \"" +
                   pki.ca_cert().string() +
                   "\"\ncallback_url = \"https://regua.loja.example\"\nretry_delay_seconds = 1\n\n"
                   "[channels.twilio]\naccount_sid = \"" +
                   ProviderStandin::kAccountSid + "\"\nfrom = \"+5511900000000\"\nbase_url = \"" + url +
                   "\"\n\n[channels.whatsapp_cloud]\nphone_number_id = \"" + ProviderStandin::kPhoneNumberId +
                   "\"\nbase_url = \"" + url + "\"\ntemplate = \"regua_aviso\"\n");
    test::write_file(store.pos_file, "");
  }

  // Adds whole tables to the configuration (e.g. "[channels.sms]\nprovider = \"twilio\"\n").
  void configure(const std::string& tables) const { append_file(store.config, "\n" + tables); }

  std::unique_ptr<ChildProcess> start_agent() const {
    auto agent = store.start_agent();
    const bool up = eventually(
        [&] { return read_file(store.dir / "agent.log").find("local HTTP server on") != std::string::npos; });
    EXPECT_TRUE(up) << read_file(store.dir / "agent.log");
    return agent;
  }

  [[nodiscard]] httplib::Client client() const {
    httplib::Client c("127.0.0.1", http_port);
    c.set_read_timeout(30, 0);
    return c;
  }

  [[nodiscard]] std::string log() const { return read_file(store.dir / "agent.log"); }

  AgentStore store;
  TestPki pki{store.dir / "pki"};
  ProviderStandin standin{pki.server_cert(), pki.server_key()};
  int http_port = free_loopback_port();
};

}  // namespace regua::test
