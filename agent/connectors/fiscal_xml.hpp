#pragma once
// Reads the fiscal XML a Brazilian POS writes for every sale: NF-e (model 55) and NFC-e (model 65)
// documents, alone (NFe), authorised (nfeProc, with protNFe) or in a batch (enviNFe), and their
// events (procEventoNFe, envEvento, evento), of which cancellations (tpEvento 110111, and 110112 for
// an NFC-e replaced by another) cancel the sale. Elements are matched by local name, so the default
// namespace (http://www.portalfiscal.inf.br/nfe) and prefixed forms (nfe:NFe) read the same.
// docs/connectors.md says which field becomes what, and when a document is ignored or quarantined.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"
#include "local/model/events.hpp"

namespace date {
class time_zone;
}

namespace regua {

struct FiscalDocument {
  enum class Kind {
    sale,          // `event` is a Sale keyed by the access key
    cancellation,  // `event` is a Cancel of the sale with the access key
    ignored,       // a well-formed document that is not a sale to a customer; `reason` says what it is
    invalid,       // a malformed document; `reason` says what is wrong, for the quarantine
  };
  Kind kind = Kind::invalid;
  std::string access_key;  // the 44 digits, when they could be read
  std::string model;       // "55" (NF-e) or "65" (NFC-e), for sales
  std::string root;        // the element the document was read from ("NFe", "evento")
  Event event;             // sales and cancellations
  std::string reason;      // ignored and invalid documents
  std::int64_t line = 0;   // where the document (or the problem) is in its file, 1-based
  std::int64_t byte_offset = 0;
};

// Most bytes a fiscal XML file may have; a batch (enviNFe) is at most 500 KB by SEFAZ's rules.
inline constexpr std::size_t kMaxFiscalXmlBytes = 16 << 20;

// Parses one file's bytes into its documents, in file order. An error (ErrorKind::input) when the
// bytes are not well-formed XML, or not a fiscal document or event at all: its message says where
// (line and column) and what is wrong, for the quarantine. Wall-clock times without a UTC offset
// (old layouts) are read in `zone`. Never throws.
Result<std::vector<FiscalDocument>> parse_fiscal_xml(std::string_view bytes, const date::time_zone& zone);

// The line (1-based) of a byte offset in `bytes`.
std::int64_t line_of_offset(std::string_view bytes, std::int64_t offset);

}  // namespace regua
