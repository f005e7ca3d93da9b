#pragma once
// The `file` channel: until the real senders exist (SMS, WhatsApp, e-mail), each message intent is
// appended as one JSON line to an outbox file that a person or a script can read. docs/rules.md
// documents the line.
//
// Exactly once across crashes: the intents were committed with a full sync before this runs; a line
// is appended and fsynced, and only then the message is marked sent. A crash between the two
// leaves a line whose message is still an intent: ids grow, so the outbox's last id tells which
// intents are already in it, and the restart writes none of them again. A line cut short by a
// crash (no newline) was never delivered: it is cut off before appending.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "local/core/result.hpp"
#include "local/ledger/ledger.hpp"
#include "local/rules/store_zone.hpp"
#include "local/scheduler/messages.hpp"

namespace regua {

class FileChannel {
 public:
  // `zone` (the store's) writes the times with their offset; it must outlive the channel.
  FileChannel(std::filesystem::path path, const StoreZone& zone) : path_(std::move(path)), zone_(&zone) {}

  // Writes the message intents on `channels` (names; empty: every channel) to the outbox and marks
  // them sent; returns how many lines were appended. Each message passes the send-time check
  // first (local/scheduler/send_check.hpp): one refused is cancelled with its reason, not written.
  // Call outside a transaction. On an error nothing more is written and the intents left stay
  // intents for the next call.
  Result<std::int64_t> deliver(Ledger& ledger, std::span<const std::string> channels = {});

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  // The id of the last complete line of the outbox (0: none), after cutting off a torn last line.
  Result<std::int64_t> last_written_id();
  // One outbox line, without its newline.
  [[nodiscard]] std::string line(const OutgoingMessage& message, Seconds at) const;

 private:
  std::filesystem::path path_;
  const StoreZone* zone_;
};

}  // namespace regua
