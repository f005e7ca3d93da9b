// regua-bench-documents: writes the same generated sales in the three POS input formats, for
// bench/connectors: JSON Lines, a Windows-1252 CSV export (";" and decimal comma, the first item of
// each sale in its item columns) and one NFC-e XML file per sale for the first --documents sales.

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "agent/demo/sale_generator.hpp"

namespace {

using nlohmann::json;

// UTF-8 to Windows-1252 for the Latin-1 range, which is all the generated names use.
std::string to_cp1252(const std::string& utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c & 0xE0) == 0xC0 && i + 1 < utf8.size()) {
      out += static_cast<char>(((c & 0x1F) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3F));
    } else {
      out += '?';
    }
  }
  return out;
}

std::string decimal_comma(const std::string& amount) {
  std::string out = amount;
  for (char& c : out) {
    if (c == '.') c = ',';
  }
  return out;
}

// "2025-01-01T10:00:00-03:00" -> "01/01/2025 10:00:00" (the store's wall clock).
std::string brazilian_time(const std::string& iso) {
  return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4) + " " + iso.substr(11, 8);
}

std::string text(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// A 44-digit access key for sale number n.
std::string access_key(std::int64_t n) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%09lld", static_cast<long long>(n % 1'000'000'000));
  return "3525011234567800019065001" + std::string(digits) + "1000000009";
}

std::string nfce(const json& sale, std::int64_t n) {
  const std::string key = access_key(n);
  std::string dest;
  if (sale.contains("customer")) {
    const auto& c = sale["customer"];
    std::string cpf = text(c, "cpf");
    std::erase_if(cpf, [](char ch) { return ch < '0' || ch > '9'; });
    dest = "<dest><CPF>" + cpf + "</CPF><xNome>" + text(c, "name") + "</xNome><enderDest><fone>" +
           text(c, "phone") + "</fone></enderDest><email>" + text(c, "email") + "</email></dest>\n";
  }
  std::string det;
  int item = 0;
  for (const auto& i : sale["items"]) {
    det += "<det nItem=\"" + std::to_string(++item) + "\"><prod><cProd>" + text(i, "sku") +
           "</cProd><xProd>" + text(i, "name") + "</xProd><qCom>" + std::to_string(i["qty"].get<int>()) +
           ".0000</qCom><vUnCom>" + text(i, "price") + "</vUnCom></prod></det>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<nfeProc xmlns=\"http://www.portalfiscal.inf.br/nfe\" "
         "versao=\"4.00\"><NFe><infNFe versao=\"4.00\" Id=\"NFe" +
         key + "\">\n<ide><cUF>35</cUF><mod>65</mod><nNF>" + std::to_string(n) + "</nNF><dhEmi>" +
         text(sale, "ts") +
         "</dhEmi><tpNF>1</tpNF><tpAmb>1</tpAmb><finNFe>1</finNFe></ide>\n<emit><CNPJ>12345678000190</CNPJ>"
         "<xNome>Loja</xNome></emit>\n" +
         dest + det + "<total><ICMSTot><vNF>" + text(sale, "total") +
         "</vNF></ICMSTot></total>\n</infNFe></NFe><protNFe versao=\"4.00\"><infProt><chNFe>" + key +
         "</chNFe><cStat>100</cStat></infProt></protNFe></nfeProc>\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes the same generated sales as JSON Lines, CSV and NF-e XML files"};
  std::int64_t sales = 200'000;
  std::int64_t documents = 10'000;
  std::string jsonl, csv, xml_dir;
  app.add_option("--sales", sales, "sales in the JSON Lines and CSV files");
  app.add_option("--documents", documents, "XML files (the first sales)");
  app.add_option("--jsonl", jsonl, "JSON Lines output")->required();
  app.add_option("--csv", csv, "CSV output")->required();
  app.add_option("--xml-dir", xml_dir, "folder for the XML files")->required();
  CLI11_PARSE(app, argc, argv);

  regua::GeneratorOptions options;
  options.seed = 7;
  options.store_id = "bench";
  options.customers = 50'000;
  options.start = regua::Seconds{std::chrono::seconds{1'735'700'000}};
  options.mean_gap = std::chrono::seconds(30);
  options.cancel_share = 0;
  options.customer_event_share = 0;
  regua::SaleGenerator generator(options);

  std::filesystem::create_directories(xml_dir);
  std::ofstream lines(jsonl, std::ios::binary), rows(csv, std::ios::binary);
  rows << "Cupom;Data;Valor;Cliente;Nome;Telefone;CPF;E-mail;Nascimento;C\xF3"
          "digo;Produto;Qtd;Pre\xE7o\r\n";
  const std::int64_t total = std::max(sales, documents);
  for (std::int64_t n = 1; n <= total; ++n) {
    const auto line = generator.next();
    const json sale = json::parse(line.text);
    if (n <= sales) {
      lines << line.text << '\n';
      const json c = sale.contains("customer") ? sale["customer"] : json::object();
      const json& item = sale["items"][0];
      rows << text(sale, "id") << ';' << brazilian_time(text(sale, "ts")) << ';'
           << decimal_comma(text(sale, "total")) << ';' << text(c, "id") << ';' << to_cp1252(text(c, "name"))
           << ';' << text(c, "phone") << ';' << text(c, "cpf") << ';' << text(c, "email") << ';'
           << text(c, "birthday") << ';' << text(item, "sku") << ';' << to_cp1252(text(item, "name")) << ';'
           << item["qty"].get<int>() << ';' << decimal_comma(text(item, "price")) << "\r\n";
    }
    if (n <= documents) {
      std::ofstream out(std::filesystem::path(xml_dir) / ("nfce-" + std::to_string(n) + ".xml"),
                        std::ios::binary);
      out << nfce(sale, n);
    }
  }
  return lines.good() && rows.good() ? 0 : 1;
}
