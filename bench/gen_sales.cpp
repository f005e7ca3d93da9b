// regua-bench-gen: writes N generated sales as JSON Lines (the agent's input) and, optionally, the
// rows the ledger's sales table gets from them as CSV (the sqlite3 shell's input), so that both
// tools load the same rows.

#include <cstdio>
#include <fstream>

#include <CLI/CLI.hpp>

#include "agent/demo/sale_generator.hpp"
#include "local/ledger/sale_items_json.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Writes generated sales for the benchmarks"};
  std::int64_t sales = 1'000'000;
  int customers = 100'000;
  std::string jsonl, csv;
  app.add_option("--sales", sales, "how many sales");
  app.add_option("--customers", customers, "size of the customer pool");
  app.add_option("--jsonl", jsonl, "JSON Lines output")->required();
  app.add_option("--csv", csv, "CSV of the sales table rows, for sqlite3 .import");
  CLI11_PARSE(app, argc, argv);

  regua::GeneratorOptions options;
  options.seed = 42;
  options.store_id = "bench";
  options.customers = customers;
  options.start = regua::Seconds{std::chrono::seconds{1'735'700'000}};
  options.mean_gap = std::chrono::seconds(30);
  options.cancel_share = 0;
  options.customer_event_share = 0;
  regua::SaleGenerator generator(options);

  std::ofstream out(jsonl, std::ios::binary);
  std::ofstream rows;
  if (!csv.empty()) rows.open(csv, std::ios::binary);
  std::string buffer, items;
  for (std::int64_t n = 1; n <= sales; ++n) {
    const auto line = generator.next();
    buffer += line.text;
    buffer += '\n';
    if (rows.is_open()) {
      // id, pos_id, customer_id, sold_at, total_cents, cancelled_at, source, ingested_at, items
      // The customer's row id is its number in the pool: "C-10042" -> 43. The items are the JSON
      // text the ledger stores, quoted for CSV (a quote doubled).
      const std::string customer =
          line.customer_id.empty() ? "" : std::to_string(std::stoll(line.customer_id.substr(2)) - 9999);
      items.clear();
      regua::append_sale_items_json(items, line.items);
      rows << n << ',' << line.sale_id << ',' << customer << ',' << line.at.time_since_epoch().count() << ','
           << line.total_cents << ",,bench," << 1'735'700'000 << ",\"";
      for (const char c : items) {
        if (c == '"') rows << '"';
        rows << c;
      }
      rows << "\"\n";
    }
    if (buffer.size() > (1 << 20)) {
      out << buffer;
      buffer.clear();
    }
  }
  out << buffer;
  return out.good() ? 0 : 1;
}
