#include "agent/connectors/fiscal_xml.hpp"

#include <algorithm>
#include <array>

#include "agent/connectors/fiscal_xml_parts.hpp"
#include "agent/connectors/xml_nodes.hpp"

namespace regua {
namespace {

Error reject_xml(std::string reason) {
  return make_error(ErrorKind::input, std::move(reason));
}

std::int64_t column_of_offset(std::string_view bytes, std::int64_t offset) {
  const auto at =
      static_cast<std::size_t>(std::clamp<std::int64_t>(offset, 0, static_cast<std::int64_t>(bytes.size())));
  const auto newline = bytes.rfind('\n', at == 0 ? 0 : at - 1);
  return static_cast<std::int64_t>(newline == std::string_view::npos || at == 0 ? at : at - newline - 1) + 1;
}

std::string why_not_well_formed(const pugi::xml_parse_result& r, std::string_view bytes) {
  std::string hint;
  switch (r.status) {
    case pugi::status_end_element_mismatch:
    case pugi::status_bad_end_element:
    case pugi::status_bad_start_element:
    case pugi::status_bad_attribute:
    case pugi::status_bad_pcdata:
    case pugi::status_bad_cdata:
    case pugi::status_bad_comment:
      if (static_cast<std::size_t>(r.offset) + 16 >= bytes.size()) hint = "; the file looks cut short";
      break;
    case pugi::status_no_document_element:
      return "the file holds no XML element (is it empty, or not XML?)";
    default:
      break;
  }
  return "line " + std::to_string(line_of_offset(bytes, r.offset)) + ", column " +
         std::to_string(column_of_offset(bytes, r.offset)) + ": not well-formed XML (" + r.description() +
         ")" + hint;
}

// Elements that only wrap a document on its way to or from SEFAZ (a SOAP request saved as is).
bool is_wrapper(std::string_view name) {
  return name == "Envelope" || name == "Body" || name == "nfeDadosMsg";
}

// Fiscal documents that are not sales nor cancellations, and what each is.
std::string_view not_a_sale_document(std::string_view root) {
  struct Known {
    std::string_view root;
    std::string_view what;
  };
  static constexpr std::array<Known, 10> kKnown{{
      {"protNFe", "SEFAZ's authorisation of a note, without the note itself"},
      {"retEnviNFe", "SEFAZ's answer to a batch of notes, without the notes"},
      {"retConsReciNFe", "SEFAZ's answer about a batch of notes, without the notes"},
      {"retConsSitNFe", "SEFAZ's answer about a note's status, without the note"},
      {"inutNFe", "a range of note numbers voided (inutilização): no sale"},
      {"procInutNFe", "a range of note numbers voided (inutilização): no sale"},
      {"retInutNFe", "SEFAZ's answer to voiding a range of note numbers: no sale"},
      {"resNFe", "a summary of a note from SEFAZ's distribution service, without its items"},
      {"resEvento", "a summary of an event from SEFAZ's distribution service"},
      {"retEnvEvento", "SEFAZ's answer to an event request, without the event"},
  }};
  for (const auto& k : kKnown) {
    if (k.root == root) return k.what;
  }
  return {};
}

}  // namespace

std::int64_t line_of_offset(std::string_view bytes, std::int64_t offset) {
  const auto end =
      static_cast<std::size_t>(std::clamp<std::int64_t>(offset, 0, static_cast<std::int64_t>(bytes.size())));
  return 1 + std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(end), '\n');
}

void locate(FiscalDocument& doc, pugi::xml_node node, const FiscalContext& ctx) {
  const std::ptrdiff_t offset = node.offset_debug();
  if (offset < 0) return;
  doc.byte_offset = offset;
  doc.line = line_of_offset(ctx.bytes, offset);
}

Result<std::vector<FiscalDocument>> parse_fiscal_xml(std::string_view bytes, const date::time_zone& zone) {
  if (bytes.size() > kMaxFiscalXmlBytes) {
    return reject_xml("the file is " + std::to_string(bytes.size()) +
                      " bytes long, more than the 16 MiB a fiscal XML document may take");
  }
  if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos) return reject_xml("the file is empty");
  try {
    pugi::xml_document xml;
    const auto parsed = xml.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_auto);
    if (!parsed) return reject_xml(why_not_well_formed(parsed, bytes));

    pugi::xml_node root = xml.document_element();
    while (root && is_wrapper(xml::local_name(root.name()))) {
      pugi::xml_node inner;
      for (pugi::xml_node c = root.first_child(); c && !inner; c = c.next_sibling()) {
        if (c.type() == pugi::node_element) inner = c;
      }
      root = inner;
    }
    if (!root) return reject_xml("the file holds only a SOAP envelope, with no fiscal document inside");

    const FiscalContext ctx{bytes, zone};
    const std::string_view name = xml::local_name(root.name());
    std::vector<FiscalDocument> out;
    if (name == "NFe") {
      out.push_back(read_nfe(root, {}, ctx));
    } else if (name == "nfeProc") {
      const pugi::xml_node nfe = xml::child(root, "NFe");
      if (!nfe)
        return reject_xml("line " + std::to_string(line_of_offset(bytes, root.offset_debug())) +
                          ": nfeProc holds no NFe element");
      out.push_back(read_nfe(nfe, xml::child(root, "protNFe"), ctx));
    } else if (name == "enviNFe") {
      xml::for_each_child(root, "NFe", [&](pugi::xml_node nfe) { out.push_back(read_nfe(nfe, {}, ctx)); });
      if (out.empty()) return reject_xml("the batch (enviNFe) holds no NFe element");
    } else if (name == "evento") {
      out.push_back(read_event(root, {}, ctx));
    } else if (name == "procEventoNFe") {
      const pugi::xml_node evento = xml::child(root, "evento");
      if (!evento) return reject_xml("procEventoNFe holds no evento element");
      out.push_back(read_event(evento, xml::child(root, "retEvento"), ctx));
    } else if (name == "envEvento") {
      xml::for_each_child(root, "evento", [&](pugi::xml_node ev) { out.push_back(read_event(ev, {}, ctx)); });
      if (out.empty()) return reject_xml("the event request (envEvento) holds no evento element");
    } else if (const auto what = not_a_sale_document(name); !what.empty()) {
      FiscalDocument doc;
      doc.kind = FiscalDocument::Kind::ignored;
      doc.root = std::string(name);
      doc.reason = std::string(what);
      locate(doc, root, ctx);
      out.push_back(std::move(doc));
    } else {
      return reject_xml(
          "line " + std::to_string(line_of_offset(bytes, root.offset_debug())) + ": <" +
          std::string(root.name()) +
          "> is not an NF-e/NFC-e document or event (expected nfeProc, NFe, enviNFe, procEventoNFe, "
          "envEvento or evento)");
    }
    return out;
  } catch (const std::exception& e) {  // pugixml only throws std::bad_alloc here
    return reject_xml(std::string("the file could not be read as XML: ") + e.what());
  }
}

}  // namespace regua
