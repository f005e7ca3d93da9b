#pragma once
// Decodes DESIGN.md's POS event format (JSON Lines v1: "sale", "cancel", "customer"); docs/pos-events.md
// is its reference. Unknown fields are ignored so that a newer POS script does not stop an older agent.

#include <memory>

#include "agent/config/config.hpp"
#include "agent/connectors/line_decoder.hpp"
#include "local/core/clock.hpp"

namespace regua {

class JsonlDecoder final : public LineDecoder {
 public:
  JsonlDecoder(const StoreConfig& store, const Clock& clock);
  ~JsonlDecoder() override;
  JsonlDecoder(const JsonlDecoder&) = delete;
  JsonlDecoder& operator=(const JsonlDecoder&) = delete;

  Result<std::optional<Event>> decode(std::string_view line) override;

  // Longest line accepted; longer ones are quarantined.
  static constexpr std::size_t kMaxLineBytes = 1 << 20;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace regua
