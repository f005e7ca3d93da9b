// The fiscal XML reader on the real documents of ../shared/data/nfe/dev (expectations written from
// each document by hand) and on documents built here for what the samples lack.

#include "agent/connectors/fiscal_xml.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include "local/core/timestamp.hpp"
#include "tests/support/fiscal_documents.hpp"
#include "tests/support/temp_dir.hpp"

namespace regua {
namespace {

using Kind = FiscalDocument::Kind;

const date::time_zone& sao_paulo() {
  return *date::locate_zone("America/Sao_Paulo");
}

std::vector<FiscalDocument> parse_ok(std::string_view bytes) {
  auto r = parse_fiscal_xml(bytes, sao_paulo());
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<FiscalDocument>{};
}

std::vector<FiscalDocument> parse_sample(const std::string& name) {
  const auto bytes = test::read_file(test::kNfeSamples / name);
  EXPECT_FALSE(bytes.empty()) << "missing sample " << (test::kNfeSamples / name);
  return parse_ok(bytes);
}

// What one sample note holds, read from the document itself.
struct ExpectedNote {
  const char* file;
  const char* key;
  const char* model;
  const char* sold_at_utc;  // ide/dhEmi in UTC
  Cents total;              // total/ICMSTot/vNF
  std::size_t items;        // det elements
  const char* cpf;          // dest/CPF, "" when none
  const char* cnpj;         // dest/CNPJ, "" when none
  bool anonymous;           // no dest to recognise
  Kind kind;
};

// clang-format off
const ExpectedNote kNotes[] = {
  {"sped-nfe_2017nfe_antiga_v310.xml", "35170358716523000119550010000000301000000300", "55",
   "2017-03-15T21:10:30Z", 1946630, 1, "", "02536490000170", false, Kind::sale},
  {"sped-nfe_2017protocoled.xml", "35170358716523000119550010000000301000000300", "55",
   "2017-03-15T21:10:30Z", 1946630, 1, "", "02536490000170", false, Kind::sale},
  {"sped-nfe_2017signed.xml", "35170358716523000119550010000000301000000300", "55",
   "2017-03-15T21:10:30Z", 1946630, 1, "", "02536490000170", false, Kind::sale},
  {"sped-nfe_NFe.xml", "35151258716523000119550010000000011001800826", "55",
   "2015-12-17T13:39:00Z", 100000, 1, "02456422287", "", false, Kind::sale},
  {"sped-nfe_exemplo_xml_envia_lote_modelo_55.xml", "43211105730928000145650010000002401717268120", "55",
   "2021-11-11T21:56:55Z", 100, 1, "", "07134266000176", false, Kind::sale},
  {"sped-nfe_exemplo_xml_envia_lote_modelo_65.xml", "43211105730928000145650010000002401717268120", "65",
   "2021-11-11T21:56:55Z", 100, 1, "", "", true, Kind::sale},
  {"sped-nfe_nfce.xml", "41200323285089000185650010000013051817822496", "65",
   "2020-03-11T18:32:17Z", 3000, 4, "", "10422724000187", false, Kind::sale},
  {"sped-nfe_nfce_com_qrcode.xml", "29181033657677000156650010001654399001654399", "65",
   "2018-10-01T11:28:14Z", 15000, 2, "", "", true, Kind::sale},
  {"sped-nfe_nfce_sem_qrcode.xml", "29181033657677000156650010001654399001654399", "65",
   "2018-10-01T11:28:14Z", 15000, 2, "", "", true, Kind::sale},
  {"sped-nfe_nfe_4.0.xml", "32191107670813000825550010059062251133037938", "55",
   "2019-11-20T02:00:00Z", 4079, 1, "014345733812", "", false, Kind::sale},
  {"sped-nfe_nfe_layout4.xml", "43180906929383000163550010000000261000010301", "55",
   "2018-09-25T03:00:00Z", 50000, 1, "", "58716523000119", false, Kind::sale},
  {"sped-nfe_nfe_layout4_com_prot.xml", "43180906929383000163550010000000261000010301", "55",
   "2018-09-25T03:00:00Z", 50000, 1, "", "58716523000119", false, Kind::sale},
  {"sped-nfe_nfe_layout4_contingencia_sem_assinatura.xml", "43180906929383000163550010000000266000010302", "55",
   "2018-09-25T03:00:00Z", 50000, 1, "", "58716523000119", false, Kind::sale},
  {"sped-nfe_signNFe_modelo_55.xml", "43180906929383000163550010000000261000010301", "55",
   "2018-09-25T03:00:00Z", 50000, 1, "", "58716523000119", false, Kind::sale},
  {"sped-nfe_signNFe_modelo_65.xml", "29181033657677000156650010001654399001654399", "65",
   "2018-10-01T11:28:14Z", 15000, 2, "", "", true, Kind::sale},
  // tpNF 0: an incoming note, read but not a sale; it holds the largest amount the layout allows.
  {"wmixvideo-nfe_nota.xml", "89172658591754401086218048846976493475937081", "55",
   "2010-10-27T12:10:10Z", 99999999999999, 1, "", "12345678901234", false, Kind::ignored},
  {"wmixvideo-nfe_notaprocessada.xml", "89172658591754401086218048846976493475937081", "55",
   "2010-10-27T12:10:10Z", 99999999999999, 1, "", "12345678901234", false, Kind::ignored},
};
// clang-format on

TEST(FiscalXml, EverySampleNoteReadsAsItsDocumentSays) {
  for (const auto& e : kNotes) {
    SCOPED_TRACE(e.file);
    const auto docs = parse_sample(e.file);
    ASSERT_EQ(docs.size(), 1U);
    const auto& doc = docs[0];
    EXPECT_EQ(doc.kind, e.kind) << doc.reason;
    EXPECT_EQ(doc.access_key, e.key);
    EXPECT_EQ(doc.model, e.model);
    const auto* sale = std::get_if<Sale>(&doc.event);
    ASSERT_NE(sale, nullptr);
    EXPECT_EQ(sale->pos_id, e.key);
    EXPECT_EQ(format_utc(sale->sold_at), e.sold_at_utc);
    EXPECT_EQ(sale->total, e.total);
    EXPECT_EQ(sale->items.size(), e.items);
    ASSERT_EQ(sale->customer.has_value(), !e.anonymous);
    if (!sale->customer) continue;
    EXPECT_EQ(sale->customer->pos_id, "") << "a fiscal buyer has no POS customer id";
    EXPECT_EQ(sale->customer->cpf.value_or(""), e.cpf);
    EXPECT_EQ(sale->customer->cnpj.value_or(""), e.cnpj);
  }
}

TEST(FiscalXml, SampleDetailsNamesPhonesItemsAndTheLargestAmount) {
  auto docs = parse_sample("sped-nfe_nfce.xml");
  ASSERT_EQ(docs.size(), 1U);
  const auto& nfce = std::get<Sale>(docs[0].event);
  EXPECT_EQ(nfce.customer->name, "Lumer Informática Serviços Digitais LTDA") << "UTF-8 kept exactly";
  EXPECT_EQ(nfce.customer->phone, "4332624001");
  EXPECT_FALSE(nfce.customer->email);
  ASSERT_EQ(nfce.items.size(), 4U);
  EXPECT_EQ(nfce.items[1].sku, "3");
  EXPECT_EQ(nfce.items[1].name, "Gelato Grande");
  EXPECT_EQ(nfce.items[1].unit_price, 1200);
  EXPECT_DOUBLE_EQ(nfce.items[1].quantity, 1.0);
  EXPECT_EQ(nfce.items[3].name, "Agua Mineral 510 ml");
  EXPECT_EQ(nfce.items[3].unit_price, 300);

  docs = parse_sample("sped-nfe_2017signed.xml");
  const auto& signed_note = std::get<Sale>(docs[0].event);
  EXPECT_EQ(signed_note.customer->email, "linux.rlm@gmail.com");
  EXPECT_EQ(signed_note.customer->phone, "1122910590");
  ASSERT_EQ(signed_note.items.size(), 1U);
  EXPECT_EQ(signed_note.items[0].sku, "2517BCB01");
  EXPECT_DOUBLE_EQ(signed_note.items[0].quantity, 389.95);
  EXPECT_EQ(signed_note.items[0].unit_price, 4992) << "vUnCom 49.9200000000";

  docs = parse_sample("sped-nfe_nfe_4.0.xml");
  const auto& v4 = std::get<Sale>(docs[0].event);
  EXPECT_EQ(v4.customer->name, "CICLANO DA SILVA");
  EXPECT_EQ(v4.items[0].unit_price, 2890);

  docs = parse_sample("wmixvideo-nfe_nota.xml");
  EXPECT_NE(docs[0].reason.find("tpNF 0"), std::string::npos) << docs[0].reason;
  const auto& max = std::get<Sale>(docs[0].event);
  EXPECT_EQ(max.total, 99999999999999) << "999999999999.99 in cents, exactly";
  ASSERT_EQ(max.items.size(), 1U);
  EXPECT_EQ(max.items[0].unit_price, 1000000000000) << "vUnCom 9999999999.9999999999 to the nearest cent";
  EXPECT_EQ(max.items[0].name.substr(0, 8), "OBS0ztek") << "white space around xProd removed";
}

TEST(FiscalXml, TheSampleCancellationRequestCancelsItsNote) {
  const auto docs = parse_sample("sped-nfe_exemplo_xml_sefazCancela.xml");
  ASSERT_EQ(docs.size(), 1U);
  EXPECT_EQ(docs[0].kind, Kind::cancellation) << docs[0].reason;
  EXPECT_EQ(docs[0].root, "evento") << "found inside the SOAP nfeDadosMsg and the envEvento";
  const auto& cancel = std::get<Cancel>(docs[0].event);
  EXPECT_EQ(cancel.sale_pos_id, "35150300822602000124550010009923461099234656");
  EXPECT_EQ(format_utc(cancel.cancelled_at), "2024-02-01T17:07:05Z");
}

TEST(FiscalXml, EventsThatAreNotCancellationsAreIgnored) {
  for (const char* file :
       {"wmixvideo-nfe_enviaEventoCancelamento.xml", "wmixvideo-nfe_enviaEventoCartaCorrecao.xml"}) {
    SCOPED_TRACE(file);
    const auto docs = parse_sample(file);
    ASSERT_EQ(docs.size(), 1U);
    EXPECT_EQ(docs[0].kind, Kind::ignored);
    EXPECT_EQ(docs[0].access_key, "81568004734874930428983724940883089298523837");
    EXPECT_NE(docs[0].reason.find("is not a cancellation"), std::string::npos) << docs[0].reason;
  }
  EXPECT_NE(parse_sample("wmixvideo-nfe_enviaEventoCartaCorrecao.xml")[0].reason.find("110110"),
            std::string::npos);
  EXPECT_NE(parse_sample("wmixvideo-nfe_enviaEventoCancelamento.xml")[0].reason.find("123456"),
            std::string::npos);
}

// A note as a POS writes it; `extra` goes into infNFe (dest, det), `ide` replaces the ide's content.
std::string note(std::string_view key, std::string_view total, std::string_view extra = "",
                 std::string_view ide =
                     "<mod>65</mod><dhEmi>2026-03-01T14:05:00-03:00</dhEmi><tpNF>1</tpNF>"
                     "<finNFe>1</finNFe>") {
  return "<NFe xmlns=\"http://www.portalfiscal.inf.br/nfe\"><infNFe versao=\"4.00\" Id=\"NFe" +
         std::string(key) + "\"><ide>" + std::string(ide) + "</ide>" + std::string(extra) +
         "<total><ICMSTot><vNF>" + std::string(total) + "</vNF></ICMSTot></total></infNFe></NFe>";
}

const std::string kKey = "41200323285089000185650010000013051817822496";  // sped-nfe_nfce.xml's note

std::string proc_event(std::string_view tp_evento, std::string_view c_stat) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<procEventoNFe versao="1.00" xmlns="http://www.portalfiscal.inf.br/nfe">
  <evento versao="1.00">
    <infEvento Id="ID)" +
         std::string(tp_evento) + kKey + R"(01">
      <cOrgao>41</cOrgao><tpAmb>1</tpAmb><CNPJ>23285089000185</CNPJ>
      <chNFe>)" +
         kKey + R"(</chNFe>
      <dhEvento>2020-03-11T16:00:00-03:00</dhEvento>
      <tpEvento>)" +
         std::string(tp_evento) + R"(</tpEvento><nSeqEvento>1</nSeqEvento><verEvento>1.00</verEvento>
      <detEvento versao="1.00"><descEvento>Cancelamento</descEvento><nProt>141200000000001</nProt>
        <xJust>Venda cancelada a pedido do cliente</xJust></detEvento>
    </infEvento>
  </evento>
  <retEvento versao="1.00">
    <infEvento>
      <tpAmb>1</tpAmb><verAplic>PR-v4</verAplic><cOrgao>41</cOrgao><cStat>)" +
         std::string(c_stat) + R"(</cStat>
      <xMotivo>Evento registrado e vinculado a NF-e</xMotivo><chNFe>)" +
         kKey + R"(</chNFe>
      <tpEvento>)" +
         std::string(tp_evento) + R"(</tpEvento><nSeqEvento>1</nSeqEvento>
      <dhRegEvento>2020-03-11T16:00:05-03:00</dhRegEvento><nProt>141200000000002</nProt>
    </infEvento>
  </retEvento>
</procEventoNFe>
)";
}

TEST(FiscalXml, AnAuthorisedCancellationEventCancelsTheSampleNote) {
  auto docs = parse_ok(proc_event("110111", "135"));
  ASSERT_EQ(docs.size(), 1U);
  EXPECT_EQ(docs[0].kind, Kind::cancellation) << docs[0].reason;
  EXPECT_EQ(std::get<Cancel>(docs[0].event).sale_pos_id, kKey);
  EXPECT_EQ(format_utc(std::get<Cancel>(docs[0].event).cancelled_at), "2020-03-11T19:00:00Z");

  docs = parse_ok(proc_event("110112", "135"));  // an NFC-e replaced by another
  EXPECT_EQ(docs[0].kind, Kind::cancellation);
  docs = parse_ok(proc_event("110111", "155"));  // registered after the deadline: still cancelled
  EXPECT_EQ(docs[0].kind, Kind::cancellation);

  docs = parse_ok(proc_event("110111", "573"));  // SEFAZ refused it
  EXPECT_EQ(docs[0].kind, Kind::ignored);
  EXPECT_NE(docs[0].reason.find("did not register"), std::string::npos) << docs[0].reason;
  docs = parse_ok(proc_event("110110", "135"));
  EXPECT_EQ(docs[0].kind, Kind::ignored);
}

TEST(FiscalXml, ABatchHoldsSeveralNotesInFileOrder) {
  const std::string batch =
      "<enviNFe xmlns=\"http://www.portalfiscal.inf.br/nfe\" "
      "versao=\"4.00\"><idLote>1</idLote><indSinc>0</indSinc>\n" +
      note("11111111111111111111111111111111111111111111", "10.00") + "\n" +
      note("22222222222222222222222222222222222222222222", "20.50") + "\n</enviNFe>";
  const auto docs = parse_ok(batch);
  ASSERT_EQ(docs.size(), 2U);
  EXPECT_EQ(docs[0].access_key, "11111111111111111111111111111111111111111111");
  EXPECT_EQ(std::get<Sale>(docs[1].event).total, 2050);
  EXPECT_EQ(docs[0].line, 2);
  EXPECT_EQ(docs[1].line, 3);
}

TEST(FiscalXml, PrefixedNamespacesReadTheSame) {
  const std::string prefixed =
      "<nfe:nfeProc xmlns:nfe=\"http://www.portalfiscal.inf.br/nfe\" versao=\"4.00\"><nfe:NFe><nfe:infNFe "
      "Id=\"NFe" +
      kKey +
      "\"><nfe:ide><nfe:mod>65</nfe:mod><nfe:dhEmi>2026-03-01T14:05:00-03:00</nfe:dhEmi></nfe:ide>"
      "<nfe:dest><nfe:CPF>52998224725</nfe:CPF></nfe:dest>"
      "<nfe:total><nfe:ICMSTot><nfe:vNF>7.25</nfe:vNF></nfe:ICMSTot></nfe:total></nfe:infNFe></nfe:NFe>"
      "<nfe:protNFe><nfe:infProt><nfe:chNFe>" +
      kKey + "</nfe:chNFe><nfe:cStat>100</nfe:cStat></nfe:infProt></nfe:protNFe></nfe:nfeProc>";
  const auto docs = parse_ok(prefixed);
  ASSERT_EQ(docs.size(), 1U);
  EXPECT_EQ(docs[0].kind, Kind::sale) << docs[0].reason;
  const auto& sale = std::get<Sale>(docs[0].event);
  EXPECT_EQ(sale.total, 725);
  EXPECT_EQ(format_utc(sale.sold_at), "2026-03-01T17:05:00Z");
  EXPECT_EQ(sale.customer->cpf, "52998224725");
}

TEST(FiscalXml, TheKeyComesFromTheAuthorisationWhenInfNFeHasNoId) {
  const std::string proc = "<nfeProc xmlns=\"http://www.portalfiscal.inf.br/nfe\">" + note("", "1.00") +
                           "<protNFe><infProt><chNFe>" + kKey +
                           "</chNFe><cStat>100</cStat></infProt></protNFe></nfeProc>";
  const auto docs = parse_ok(proc);
  EXPECT_EQ(docs[0].kind, Kind::sale) << docs[0].reason;
  EXPECT_EQ(docs[0].access_key, kKey);
}

TEST(FiscalXml, ADeniedNoteIsNotASale) {
  const std::string proc =
      "<nfeProc xmlns=\"http://www.portalfiscal.inf.br/nfe\">" + note(kKey, "1.00") +
      "<protNFe><infProt><chNFe>" + kKey +
      "</chNFe><cStat>302</cStat><xMotivo>Uso Denegado</xMotivo></infProt></protNFe></nfeProc>";
  const auto docs = parse_ok(proc);
  EXPECT_EQ(docs[0].kind, Kind::ignored);
  EXPECT_NE(docs[0].reason.find("cStat 302"), std::string::npos) << docs[0].reason;
}

TEST(FiscalXml, OldLayoutsWithADateOnlyAreTakenAtTheStartOfThatDayInTheStore) {
  // 13 January 2014: São Paulo was on summer time (UTC-2), so local midnight is 02:00 UTC.
  const auto docs = parse_ok(note(kKey, "5.00", "", "<mod>55</mod><dEmi>2014-01-13</dEmi><tpNF>1</tpNF>"));
  ASSERT_EQ(docs[0].kind, Kind::sale) << docs[0].reason;
  EXPECT_EQ(format_utc(std::get<Sale>(docs[0].event).sold_at), "2014-01-13T02:00:00Z");
}

TEST(FiscalXml, DeclaredLatin1IsConvertedToUtf8) {
  const std::string latin1 =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" +
      note(kKey, "1.00", "<dest><CPF>52998224725</CPF><xNome>Jo\xE3o Concei\xE7\xE3o</xNome></dest>");
  const auto docs = parse_ok(latin1);
  EXPECT_EQ(std::get<Sale>(docs[0].event).customer->name, "João Conceição");
}

TEST(FiscalXml, ABuyerKnownOnlyByNameLeavesTheSaleAnonymous) {
  const auto docs = parse_ok(note(kKey, "1.00", "<dest><xNome>CONSUMIDOR</xNome></dest>"));
  EXPECT_FALSE(std::get<Sale>(docs[0].event).customer);
}

TEST(FiscalXml, MalformedNotesAreInvalidWithTheirPathAndLine) {
  struct Case {
    std::string xml;
    std::string why;
  };
  const Case cases[] = {
      {note(kKey, "12,50"), "NFe/infNFe/total/ICMSTot/vNF: \"12,50\" is not an amount"},
      {"<NFe xmlns=\"http://www.portalfiscal.inf.br/nfe\"><infNFe Id=\"NFe" + kKey +
           "\"><ide><dhEmi>2026-03-01T14:05:00-03:00</dhEmi></ide></infNFe></NFe>",
       "total/ICMSTot/vNF (the note's total) is missing"},
      {note("1234", "1.00"), "the access key is missing or malformed"},
      {note(kKey, "1.00", "", "<dhEmi>ontem</dhEmi>"), "NFe/infNFe/ide/dhEmi: \"ontem\" is not a date-time"},
      {note(kKey, "1.00", "", "<mod>65</mod>"), "has neither dhEmi nor dEmi"},
      {note(kKey, "1.00",
            "\n<det nItem=\"1\"><prod><cProd>1</cProd><qCom>-1</qCom><vUnCom>1</vUnCom></prod></det>"),
       "NFe/infNFe/det/prod/qCom: \"-1\" is not a positive quantity"},
      {note(kKey, "1.00",
            "<det nItem=\"1\"><prod><cProd>1</cProd><qCom>1</qCom><vUnCom>um</vUnCom></prod></det>"),
       "\"um\" is not a unit price"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.xml);
    const auto docs = parse_ok(c.xml);
    ASSERT_EQ(docs.size(), 1U);
    EXPECT_EQ(docs[0].kind, Kind::invalid);
    EXPECT_NE(docs[0].reason.find(c.why), std::string::npos) << docs[0].reason;
    EXPECT_GE(docs[0].line, 1);
  }
  // The line is where the problem is.
  const auto docs = parse_ok(
      note(kKey, "1.00",
           "\n<det nItem=\"1\"><prod><cProd>1</cProd><qCom>x</qCom><vUnCom>1</vUnCom></prod></det>"));
  EXPECT_EQ(docs[0].line, 2);
}

TEST(FiscalXml, TruncatedOrCorruptFilesAreRefusedWithWhereAndWhy) {
  const auto whole = test::read_file(test::kNfeSamples / "sped-nfe_nfe_4.0.xml");
  const auto truncated = parse_fiscal_xml(std::string_view(whole).substr(0, whole.size() / 2), sao_paulo());
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().kind, ErrorKind::input);
  EXPECT_NE(truncated.error().message.find("not well-formed XML"), std::string::npos)
      << truncated.error().message;
  EXPECT_NE(truncated.error().message.find("cut short"), std::string::npos) << truncated.error().message;
  EXPECT_EQ(truncated.error().message.rfind("line ", 0), 0U) << truncated.error().message;

  struct Case {
    std::string bytes;
    std::string why;
  };
  const Case cases[] = {
      {"", "the file is empty"},
      {"PK\x03\x04\x14\x00 binary junk", "holds no XML element"},
      {"<NFe><infNFe Id=\"NFe" + kKey + "\"><ide></infNFe></NFe>", "line 1, column"},
      {"<html><body>DANFE</body></html>", "<html> is not an NF-e/NFC-e document or event"},
      {"<nfeProc xmlns=\"http://www.portalfiscal.inf.br/nfe\"><protNFe/></nfeProc>",
       "nfeProc holds no NFe element"},
      {"<enviNFe><idLote>1</idLote></enviNFe>", "holds no NFe element"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.bytes);
    const auto r = parse_fiscal_xml(c.bytes, sao_paulo());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << r.error().message;
  }
}

TEST(FiscalXml, OtherFiscalDocumentsAreIgnoredSayingWhatTheyAre) {
  const auto docs =
      parse_ok("<procInutNFe xmlns=\"http://www.portalfiscal.inf.br/nfe\"><inutNFe/></procInutNFe>");
  ASSERT_EQ(docs.size(), 1U);
  EXPECT_EQ(docs[0].kind, Kind::ignored);
  EXPECT_NE(docs[0].reason.find("inutilização"), std::string::npos);
}

TEST(FiscalXml, LineOfOffsetCountsFromOne) {
  EXPECT_EQ(line_of_offset("a\nb\nc", 0), 1);
  EXPECT_EQ(line_of_offset("a\nb\nc", 2), 2);
  EXPECT_EQ(line_of_offset("a\nb\nc", 99), 3);
}

}  // namespace
}  // namespace regua
