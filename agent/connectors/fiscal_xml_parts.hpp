#pragma once
// The readers of fiscal_xml.cpp for each kind of document: a note (NFe) and an event (evento).
// Internal to the connectors.

#include <string_view>

#include <pugixml.hpp>

#include "agent/connectors/fiscal_xml.hpp"

namespace regua {

struct FiscalContext {
  std::string_view bytes;  // the file, for line numbers
  const date::time_zone& zone;
};

// Sets the document's line and byte offset to where `node` starts.
void locate(FiscalDocument& doc, pugi::xml_node node, const FiscalContext& ctx);

// A note. `prot` is the protNFe beside it (in an nfeProc), or empty.
FiscalDocument read_nfe(pugi::xml_node nfe, pugi::xml_node prot, const FiscalContext& ctx);

// An event. `ret` is SEFAZ's retEvento beside it (in a procEventoNFe), or empty for a request.
FiscalDocument read_event(pugi::xml_node evento, pugi::xml_node ret, const FiscalContext& ctx);

// True when `s` is exactly 44 digits, the length of an access key.
bool is_access_key(std::string_view s);

}  // namespace regua
