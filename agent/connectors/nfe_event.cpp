// Reads one NF-e event (an evento element, alone, in an envEvento request or in a procEventoNFe with
// SEFAZ's answer). Cancellations cancel the note's sale; every other event (a correction letter,
// the buyer's acknowledgements) leaves it as it is.

#include "agent/connectors/fiscal_xml_parts.hpp"
#include "agent/connectors/store_time.hpp"
#include "agent/connectors/xml_nodes.hpp"

namespace regua {
namespace {

// The two event types that undo a note: 110111 "Cancelamento", and 110112 "Cancelamento por
// substituição" (an NFC-e replaced by another one).
bool is_cancellation(std::string_view tp_evento) {
  return tp_evento == "110111" || tp_evento == "110112";
}

// retEvento status codes of a registered event: 135 (registered and linked to the note), 136
// (registered, not linked), 155 (cancellation registered after the deadline).
bool is_registered(std::string_view c_stat) {
  return c_stat == "135" || c_stat == "136" || c_stat == "155";
}

std::string event_name(std::string_view tp_evento, std::string_view desc) {
  std::string out = "event " + std::string(tp_evento);
  if (tp_evento == "110110") return out + " (carta de correção, a correction letter)";
  if (!desc.empty()) out += " (" + std::string(desc) + ")";
  return out;
}

}  // namespace

FiscalDocument read_event(pugi::xml_node evento, pugi::xml_node ret, const FiscalContext& ctx) {
  FiscalDocument doc;
  doc.root = std::string(xml::local_name(evento.name()));
  locate(doc, evento, ctx);
  const pugi::xml_node inf = xml::child(evento, "infEvento");
  const auto fail = [&](pugi::xml_node where, std::string why) {
    doc.kind = FiscalDocument::Kind::invalid;
    doc.reason = xml::path_of(where) + ": " + std::move(why);
    locate(doc, where, ctx);
    return std::move(doc);
  };
  if (!inf) return fail(evento, "has no infEvento element");

  const pugi::xml_node key = xml::child(inf, "chNFe");
  if (!is_access_key(xml::text(key))) {
    return fail(key ? key : inf, "the access key of the note (chNFe) is missing or is not 44 digits");
  }
  doc.access_key = std::string(xml::text(key));
  const std::string_view tp_evento = xml::text(xml::child(inf, "tpEvento"));
  if (!is_cancellation(tp_evento)) {
    doc.kind = FiscalDocument::Kind::ignored;
    doc.reason = event_name(tp_evento, xml::text(xml::descend(inf, "detEvento/descEvento"))) +
                 " is not a cancellation; the sale stays as it is";
    return doc;
  }
  if (ret) {
    const std::string_view c_stat = xml::text(xml::descend(ret, "infEvento/cStat"));
    if (!is_registered(c_stat)) {
      doc.kind = FiscalDocument::Kind::ignored;
      doc.reason = "SEFAZ did not register this cancellation (retEvento cStat " + std::string(c_stat) + ": " +
                   std::string(xml::text(xml::descend(ret, "infEvento/xMotivo"))) +
                   "); the sale stays as it is";
      return doc;
    }
  }
  const pugi::xml_node when = xml::child(inf, "dhEvento");
  if (!when) return fail(inf, "dhEvento (when the note was cancelled) is missing");
  auto at = parse_store_time(xml::text(when), ctx.zone);
  if (!at) return fail(when, at.error().message);

  Cancel cancel;
  cancel.sale_pos_id = doc.access_key;
  cancel.cancelled_at = *at;
  doc.kind = FiscalDocument::Kind::cancellation;
  doc.event = std::move(cancel);
  return doc;
}

}  // namespace regua
