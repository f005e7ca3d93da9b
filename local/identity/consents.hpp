#pragma once
// A customer's consent per channel (LGPD): granted or refused, with where the answer came from and
// when. One row per (customer, channel); the newest answer wins, so a late-arriving older answer
// (a POS file replayed, a delayed webhook) never overrides a newer one. No row means the customer
// never answered: the rules' guards decide what that allows (docs/rules.md).
//
// Every writer goes through record_consent: the POS's customer events (CustomerBook), the HTTP API,
// a provider's inbound "SAIR"/"STOP" reply, a merge. Call it inside the caller's transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/model/events.hpp"

namespace regua {

struct ConsentRecord {
  Channel channel = Channel::sms;
  bool granted = false;
  std::string source;  // "pos", "http", "inbound:sms", "merge", ...
  Seconds at{};
};

// The statement record_consent runs (?1 customer id, ?2 channel name, ?3 granted 0/1, ?4 source,
// ?5 Unix seconds), for writers that keep it prepared on a hot path (CustomerBook at ingest).
inline constexpr std::string_view kRecordConsentSql =
    "INSERT INTO consents (customer_id, channel, granted, source, at) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (customer_id, channel) DO UPDATE SET granted = excluded.granted, source = excluded.source, "
    "at = excluded.at WHERE excluded.at >= consents.at";

// Records an answer; returns whether it changed the stored state (false: an equal or newer answer
// was already there).
Result<bool> record_consent(sqlite::Db& db, std::int64_t customer_id, Channel channel, bool granted,
                            std::string_view source, Seconds at);

// An answer given now by a person (the web app over HTTP, the command line): it is the customer's
// latest word, so it is recorded at `now` or, when the stored answer claims a later moment (a POS
// whose clock runs ahead), a second after it. Returns whether it changed the stored state.
Result<bool> record_consent_now(sqlite::Db& db, std::int64_t customer_id, Channel channel, bool granted,
                                std::string_view source, Seconds now);

// The customer's answers, one per channel answered, in channel order.
Result<std::vector<ConsentRecord>> consents_of(sqlite::Db& db, std::int64_t customer_id);

// The answer for one channel; nullopt when the customer never answered for it.
Result<std::optional<bool>> consent_for(sqlite::Db& db, std::int64_t customer_id, Channel channel);

}  // namespace regua
