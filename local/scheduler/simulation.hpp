#pragma once
// The backtest behind `regua-agent simulate`: a store's history replayed on a virtual clock through
// the very code the agent runs (the Ingestor with the Engine as its listener, catch_up, fire_due),
// into a new ledger, so the store sees what its rules would have done before turning them on.
//
// The source ledger is only read. Its customers appear in the replay when they registered (the
// earlier of their record's creation and their first purchase), with their details and consents as
// the ledger has them now; their sales and cancellations follow at their POS times. History before
// `from` builds the state without rules; at `from` the rules start as on a ledger that never had
// them (catch_up's cold start), and from then on every sale goes through the listener and every
// job fires at its moment, until `to`. Nothing is sent: messages stay intents in the replay's ledger.
//
// Deterministic: the same ledger, rules and dates give the same decisions in the same order (events
// are ordered by time and then by their ledger keys; ids in the replay follow).

#include <filesystem>
#include <functional>
#include <string>

#include "local/core/result.hpp"
#include "local/identity/phone.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/scheduler/decisions.hpp"
#include "local/scheduler/engine.hpp"

namespace regua {

struct SimulationOptions {
  Seconds from{}, to{};            // the rules run from `from` until just before `to`
  std::filesystem::path work_dir;  // an empty folder for the replay's ledger; the caller removes it
  std::string store_id;
};

struct SimulationSummary {
  std::int64_t customers = 0;  // customer records replayed
  std::int64_t sales = 0;      // sales replayed (identified ones: anonymous sales trigger nothing)
  std::int64_t cancellations = 0;
  std::int64_t decisions = 0;
};

// Runs the replay, then calls `each` for every decision, in order. `settings.zone` must outlive it.
Result<SimulationSummary> simulate(sqlite::Db& source, const PhoneNormaliser& phones,
                                   const EngineSettings& settings, const SimulationOptions& options,
                                   const std::function<Status(const DecisionView&)>& each);

}  // namespace regua
