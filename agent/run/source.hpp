#pragma once
// One configured POS source as the agent's loop drives it, whatever its kind: a followed file
// (JSON Lines, CSV) or a watched folder of fiscal XML documents. A pump reads what is waiting and
// commits it; the loop calls it again when the folder changes, on its timer, and at once when the
// pump says more is waiting.

#include <filesystem>
#include <memory>

#include "agent/config/config.hpp"
#include "local/core/clock.hpp"
#include "local/ledger/ingest.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {

class Source {
 public:
  virtual ~Source() = default;

  // Reads and commits what is waiting, up to a budget; true when more is waiting.
  virtual Result<bool> pump(Ingestor& ingestor) = 0;
  // Something changed in the watched folder (or notifications are unavailable and it may have).
  virtual void changed() {}

  [[nodiscard]] virtual const SourceConfig& config() const = 0;
  // True when everything there is to read has been read and committed.
  [[nodiscard]] virtual bool caught_up() const = 0;
  // The folder whose changes concern this source.
  [[nodiscard]] virtual std::filesystem::path watched_folder() const = 0;
};

// The source for a configuration entry, by its kind.
std::unique_ptr<Source> make_source(const SourceConfig& source, const StoreConfig& store, Ledger& ledger,
                                    const Clock& clock);

}  // namespace regua
