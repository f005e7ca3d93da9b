#pragma once
// Fiscal XML documents written as a POS writes them, for tests that need many: NFC-e notes with a
// given key and total, and cancellation events for them.

#include <cstdio>
#include <filesystem>
#include <string>

namespace regua::test {

// The fiscal XML samples of ../shared/data/nfe/dev (real documents, read-only, outside the repository).
inline const std::filesystem::path kNfeSamples = std::filesystem::path(REGUA_SHARED_DATA) / "nfe" / "dev";

// A 44-digit access key for note number `n` (the digits around it as in a real key).
inline std::string access_key(long n) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%09ld", n);
  return "3526031234567800019065001" + std::string(digits) + "1000000009";
}

// An authorised NFC-e (nfeProc) of `cents`, to a buyer with a CPF when `cpf` is not empty.
inline std::string nfce(long n, long cents, const std::string& cpf = "") {
  const std::string key = access_key(n);
  char total[32];
  std::snprintf(total, sizeof total, "%ld.%02ld", cents / 100, cents % 100);
  std::string dest =
      cpf.empty() ? ""
                  : "<dest><CPF>" + cpf + "</CPF><xNome>Cliente " + std::to_string(n) + "</xNome></dest>";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<nfeProc xmlns=\"http://www.portalfiscal.inf.br/nfe\" "
         "versao=\"4.00\">\n"
         "<NFe><infNFe versao=\"4.00\" Id=\"NFe" +
         key + "\">\n<ide><cUF>35</cUF><mod>65</mod><serie>1</serie><nNF>" + std::to_string(n) +
         "</nNF><dhEmi>2026-03-01T14:05:00-03:00</dhEmi><tpNF>1</tpNF><tpAmb>1</tpAmb><finNFe>1</finNFe></"
         "ide>\n"
         "<emit><CNPJ>12345678000190</CNPJ><xNome>Loja Centro</xNome></emit>\n" +
         dest +
         "\n<det nItem=\"1\"><prod><cProd>A1</cProd><xProd>Camiseta</xProd><qCom>1.0000</qCom><vUnCom>" +
         total + "</vUnCom><vProd>" + total + "</vProd></prod></det>\n<total><ICMSTot><vNF>" + total +
         "</vNF></ICMSTot></total>\n</infNFe></NFe>\n<protNFe versao=\"4.00\"><infProt><chNFe>" + key +
         "</chNFe><cStat>100</cStat><xMotivo>Autorizado o uso da "
         "NF-e</xMotivo></infProt></protNFe>\n</nfeProc>\n";
}

// A registered cancellation (procEventoNFe, tpEvento 110111) of note `n`.
inline std::string cancellation(long n) {
  const std::string key = access_key(n);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<procEventoNFe "
         "xmlns=\"http://www.portalfiscal.inf.br/nfe\" "
         "versao=\"1.00\"><evento versao=\"1.00\"><infEvento Id=\"ID110111" +
         key + "01\"><cOrgao>35</cOrgao><chNFe>" + key +
         "</chNFe><dhEvento>2026-03-01T15:00:00-03:00</dhEvento><tpEvento>110111</tpEvento><nSeqEvento>1</"
         "nSeqEvento>"
         "<detEvento versao=\"1.00\"><descEvento>Cancelamento</descEvento></detEvento></infEvento></evento>"
         "<retEvento versao=\"1.00\"><infEvento><cStat>135</cStat><chNFe>" +
         key + "</chNFe></infEvento></retEvento></procEventoNFe>\n";
}

}  // namespace regua::test
