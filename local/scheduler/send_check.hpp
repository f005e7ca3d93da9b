#pragma once
// The check a message passes right before a provider is called (or a line is written to the file
// outbox): the job fired minutes or hours ago, and since then the customer may have opted out (a
// POS event, an inbound "SAIR"), been erased or merged away, or changed the number or address the
// message was rendered for. Any of these stops the message; the guards at firing time (consent,
// a reachable recipient) are the same questions asked earlier.

#include <optional>
#include <string>

#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/scheduler/messages.hpp"

namespace regua {

struct SendRefusal {
  std::string code;    // opted_out, customer_gone, contact_changed: the decision's reason code
  std::string detail;  // for people
};

// nullopt when the message may go. Reads only; call inside the transaction that records the attempt
// so that nothing can change between the check and the attempt.
Result<std::optional<SendRefusal>> check_before_send(sqlite::Db& db, const OutgoingMessage& message);

}  // namespace regua
