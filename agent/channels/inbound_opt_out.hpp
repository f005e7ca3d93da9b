#pragma once
// An opt-out a customer sent as a reply ("SAIR" by SMS or WhatsApp), recorded through
// record_consent (local/identity/consents.hpp) with source "inbound:sms" or "inbound:whatsapp" for
// every customer whose mobile is the sender's number: the phone is the person's, whoever of the
// store's records carries it.

#include <string>
#include <string_view>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/model/events.hpp"

namespace regua {

// The E.164 forms a sender's number may be on file as. `from` is "+5511987654321", Twilio's
// "whatsapp:+55...", or WhatsApp's wa_id "5511987654321". A Brazilian mobile may come without its
// ninth digit (WhatsApp accounts older than the ninth digit keep the 8-digit form): both are tried.
std::vector<std::string> mobile_candidates(std::string_view from);

// Records the opt-out of `channel` for the customers with that mobile, in one transaction; returns
// how many customers it concerned (0: nobody of this store has that number).
Result<int> record_inbound_opt_out(sqlite::Db& db, std::string_view from, Channel channel, Seconds now);

}  // namespace regua
