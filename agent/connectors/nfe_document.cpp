// Reads one NF-e/NFC-e note (an NFe element) into a sale: the access key is the sale's id, ide/dhEmi
// its time, total/ICMSTot/vNF its total, dest its customer and det/prod its items.

#include <charconv>
#include <cmath>
#include <limits>

#include "agent/connectors/fiscal_xml_parts.hpp"
#include "agent/connectors/store_time.hpp"
#include "agent/connectors/text_encoding.hpp"
#include "agent/connectors/xml_nodes.hpp"
#include "local/core/timestamp.hpp"

namespace regua {
namespace {

FiscalDocument invalid(FiscalDocument doc, pugi::xml_node where, const FiscalContext& ctx, std::string why) {
  doc.kind = FiscalDocument::Kind::invalid;
  doc.reason = xml::path_of(where) + ": " + std::move(why);
  locate(doc, where, ctx);
  return doc;
}

FiscalDocument ignored(FiscalDocument doc, std::string why) {
  doc.kind = FiscalDocument::Kind::ignored;
  doc.reason = std::move(why);
  return doc;
}

// A monetary value with up to ten decimals (vUnCom has ten) to the nearest cent, halves up.
std::optional<Cents> round_to_cents(std::string_view s) {
  Cents units = 0;
  std::size_t i = 0;
  constexpr Cents kMax = std::numeric_limits<Cents>::max() / 1000;
  for (; i < s.size() && s[i] != '.'; ++i) {
    if (s[i] < '0' || s[i] > '9' || units > kMax) return std::nullopt;
    units = units * 10 + (s[i] - '0');
  }
  if (i == 0) return std::nullopt;
  int fraction[3] = {0, 0, 0};
  if (i < s.size()) {
    ++i;
    if (i == s.size()) return std::nullopt;
    for (std::size_t k = 0; i < s.size(); ++i, ++k) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      if (k < 3) fraction[k] = s[i] - '0';
    }
  }
  return units * 100 + fraction[0] * 10 + fraction[1] + (fraction[2] >= 5 ? 1 : 0);
}

std::optional<double> read_quantity(std::string_view s) {
  double q = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), q);
  if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(q) || q <= 0) return std::nullopt;
  return q;
}

// Text that becomes a name in the ledger must be UTF-8 (pugixml converts declared Latin-1 itself).
std::optional<std::string> utf8_text(pugi::xml_node node) {
  const auto t = xml::text(node);
  if (t.empty() || first_invalid_utf8(t)) return std::nullopt;
  return std::string(t);
}

// Why a note of this purpose or direction is not a sale to a customer; empty for a normal sale.
std::string not_a_sale(std::string_view tp_nf, std::string_view fin_nfe) {
  if (tp_nf == "0")
    return "an incoming note (ide/tpNF 0: goods received or returned), not a sale to a customer";
  if (fin_nfe == "2") return "a complementary note (ide/finNFe 2) adding to another note, not a new sale";
  if (fin_nfe == "3") return "an adjustment note (ide/finNFe 3), not a sale";
  if (fin_nfe == "4") return "a return of goods (ide/finNFe 4, devolução), not a sale";
  return {};
}

// protNFe status codes by which SEFAZ denied the use of the note (uso denegado): no sale happened.
bool is_denial(std::string_view c_stat) {
  return c_stat == "110" || c_stat == "205" || c_stat == "301" || c_stat == "302" || c_stat == "303";
}

std::optional<CustomerInfo> read_dest(pugi::xml_node dest) {
  if (!dest) return std::nullopt;
  CustomerInfo c;  // no POS customer id: the ledger matches fiscal buyers by CPF, then mobile
  if (auto cpf = xml::text(xml::child(dest, "CPF")); !cpf.empty()) c.cpf = std::string(cpf);
  if (auto cnpj = xml::text(xml::child(dest, "CNPJ")); !cnpj.empty()) c.cnpj = std::string(cnpj);
  c.name = utf8_text(xml::child(dest, "xNome"));
  c.email = utf8_text(xml::child(dest, "email"));
  if (auto fone = xml::text(xml::descend(dest, "enderDest/fone")); !fone.empty()) c.phone = std::string(fone);
  // A buyer known only by name (or a foreigner's id) cannot be recognised again: the sale stays
  // anonymous rather than making a new customer every time.
  if (!c.cpf && !c.cnpj && !c.email && !c.phone) return std::nullopt;
  return c;
}

FiscalDocument read_sale(FiscalDocument doc, pugi::xml_node inf, pugi::xml_node ide,
                         const FiscalContext& ctx);

}  // namespace

bool is_access_key(std::string_view s) {
  if (s.size() != 44) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

FiscalDocument read_nfe(pugi::xml_node nfe, pugi::xml_node prot, const FiscalContext& ctx) {
  FiscalDocument doc;
  doc.root = std::string(xml::local_name(nfe.name()));
  locate(doc, nfe, ctx);
  const pugi::xml_node inf = xml::child(nfe, "infNFe");
  if (!inf) return invalid(std::move(doc), nfe, ctx, "has no infNFe element");

  // The key: infNFe's Id ("NFe" + 44 digits), signed with the note; else the authorisation's chNFe.
  std::string_view id = inf.attribute("Id").value();
  if (id.substr(0, 3) == "NFe") id.remove_prefix(3);
  const std::string_view prot_key = xml::text(xml::descend(prot, "infProt/chNFe"));
  if (is_access_key(id)) {
    doc.access_key = std::string(id);
  } else if (is_access_key(prot_key)) {
    doc.access_key = std::string(prot_key);
  } else {
    return invalid(std::move(doc), inf, ctx,
                   "the access key is missing or malformed (Id=\"" +
                       std::string(inf.attribute("Id").value()) +
                       "\"; expected \"NFe\" followed by 44 digits)");
  }

  const pugi::xml_node ide = xml::child(inf, "ide");
  if (!ide) return invalid(std::move(doc), inf, ctx, "has no ide element (the note's identification)");
  doc.model = std::string(xml::text(xml::child(ide, "mod")));
  // A note that is not a sale to a customer is read all the same (what it says is worth seeing) but
  // ignored, also when it is malformed: nothing of it would reach the ledger.
  std::string ignore = not_a_sale(xml::text(xml::child(ide, "tpNF")), xml::text(xml::child(ide, "finNFe")));
  if (const auto c_stat = xml::text(xml::descend(prot, "infProt/cStat")); is_denial(c_stat)) {
    ignore = "SEFAZ denied the use of this note (protNFe cStat " + std::string(c_stat) + ": " +
             std::string(xml::text(xml::descend(prot, "infProt/xMotivo"))) + ")";
  }
  doc = read_sale(std::move(doc), inf, ide, ctx);
  if (!ignore.empty()) return ignored(std::move(doc), ignore);
  return doc;
}

namespace {

FiscalDocument read_sale(FiscalDocument doc, pugi::xml_node inf, pugi::xml_node ide,
                         const FiscalContext& ctx) {
  Sale sale;
  sale.pos_id = doc.access_key;
  if (const pugi::xml_node dh = xml::child(ide, "dhEmi"); dh) {
    auto t = parse_store_time(xml::text(dh), ctx.zone);
    if (!t) return invalid(std::move(doc), dh, ctx, t.error().message);
    sale.sold_at = *t;
  } else if (const pugi::xml_node d = xml::child(ide, "dEmi"); d) {
    // Layouts before 3.10 give the date of issue only: the sale is taken at the start of that day.
    auto date = parse_date(xml::text(d));
    if (!date) return invalid(std::move(doc), d, ctx, date.error().message);
    sale.sold_at = wall_to_utc(std::chrono::local_days{*date}, ctx.zone);
  } else {
    return invalid(std::move(doc), ide, ctx, "has neither dhEmi nor dEmi (when the note was issued)");
  }

  const pugi::xml_node v_nf = xml::descend(inf, "total/ICMSTot/vNF");
  if (!v_nf) return invalid(std::move(doc), inf, ctx, "total/ICMSTot/vNF (the note's total) is missing");
  auto total = parse_amount(xml::text(v_nf));
  if (!total) return invalid(std::move(doc), v_nf, ctx, total.error().message);
  sale.total = *total;

  sale.customer = read_dest(xml::child(inf, "dest"));

  std::string item_problem;
  pugi::xml_node item_where;
  xml::for_each_child(inf, "det", [&](pugi::xml_node det) {
    if (!item_problem.empty()) return;
    const pugi::xml_node prod = xml::child(det, "prod");
    if (!prod) {
      item_problem = "has no prod element";
      item_where = det;
      return;
    }
    SaleItem item;
    item.sku = std::string(xml::text(xml::child(prod, "cProd")));
    item.name = utf8_text(xml::child(prod, "xProd")).value_or("");
    const pugi::xml_node q_com = xml::child(prod, "qCom");
    const pugi::xml_node v_un = xml::child(prod, "vUnCom");
    const auto quantity = read_quantity(xml::text(q_com));
    const auto price = round_to_cents(xml::text(v_un));
    if (!quantity) {
      item_problem = "\"" + std::string(xml::text(q_com)) + "\" is not a positive quantity";
      item_where = q_com ? q_com : prod;
    } else if (!price) {
      item_problem = "\"" + std::string(xml::text(v_un)) + "\" is not a unit price such as 12.50";
      item_where = v_un ? v_un : prod;
    } else {
      item.quantity = *quantity;
      item.unit_price = *price;
      sale.items.push_back(std::move(item));
    }
  });
  if (!item_problem.empty()) return invalid(std::move(doc), item_where, ctx, item_problem);

  doc.kind = FiscalDocument::Kind::sale;
  doc.event = std::move(sale);
  return doc;
}

}  // namespace
}  // namespace regua
