#include "agent/run/nfe_folder_source.hpp"
#include "agent/run/source.hpp"
#include "agent/run/tailed_source.hpp"

namespace regua {

std::unique_ptr<Source> make_source(const SourceConfig& source, const StoreConfig& store, Ledger& ledger,
                                    const Clock& clock) {
  if (source.kind == SourceKind::nfe) return std::make_unique<NfeFolderSource>(source, store, ledger);
  return std::make_unique<TailedSource>(source, make_decoder(source, store, clock), ledger);
}

}  // namespace regua
