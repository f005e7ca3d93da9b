#pragma once
// What the rules' integration tests share: a store with rules configured, POS lines at given
// moments, and reading the outbox and JSON outputs.

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/agent_store.hpp"

namespace regua::test {

// "2026-03-01T17:05:00+00:00" for a moment `offset` from now (or a given Unix time).
// A store rule that asks staff to call after each purchase, due at once (so overdue at once).
constexpr std::string_view kCallAfterSaleRule = R"([[rule]]
id = "call-after-sale"
description = "test: a call right after each purchase"
[rule.trigger]
kind = "after_purchase"
delay = "0"
[rule.action]
kind = "task"
channel = "call"
title = "Ligar para {name|cliente}"
instructions = "Pergunte como foi a compra."
template = "Oi{?, {first_name}}! Aqui é da {store}."
due_in = "0"
expires_in = "7d"
)";

inline std::string iso_utc(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  return buf;
}

inline std::time_t unix_now() {
  return std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
}

inline std::string sale_line(const std::string& id, const std::string& ts, const std::string& customer,
                             const std::string& name, const std::string& phone) {
  nlohmann::json j{{"type", "sale"}, {"id", id}, {"ts", ts}, {"total", "59.90"}};
  j["customer"] = {{"id", customer}, {"name", name}, {"phone", phone}};
  return j.dump() + "\n";
}

// Adds rule settings to the store's configuration: links set, quiet hours off (tests run at any
// hour), nobody held out (a control group would hold back one customer in ten from what the tests
// check; consent_holdout_test.cpp and action_effects_test.cpp test it), and the default rules that
// would only add noise turned off.
inline void configure_rules(const AgentStore& store, const std::string& extra = "") {
  append_file(store.config,
              "\n[rules]\nholdout = 0\ndisable = [\"welcome\", \"birthday\"]\n"
              "[rules.quiet_hours]\nenabled = false\n"
              "\n[links]\nrating_url = \"https://loja.example/avaliar\"\n"
              "review_url = \"https://loja.example/produtos\"\n" +
                  extra);
}

// The outbox's lines, parsed.
inline std::vector<nlohmann::json> outbox_lines(const std::filesystem::path& file) {
  std::vector<nlohmann::json> out;
  const std::string text = read_file(file);
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) break;
    out.push_back(nlohmann::json::parse(text.substr(start, end - start), nullptr, false));
    start = end + 1;
  }
  return out;
}

// JSON Lines output, parsed line by line (a line that is not JSON becomes a discarded value).
inline std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(nlohmann::json::parse(text.substr(start, end - start), nullptr, false));
    start = end + 1;
  }
  return out;
}

}  // namespace regua::test
