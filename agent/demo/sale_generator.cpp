#include "agent/demo/sale_generator.hpp"

#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "local/core/money.hpp"
#include "local/core/timestamp.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

constexpr std::array kFirstNames{"Ana",      "Bruno",   "Carla", "Daniel",  "Eduarda", "Fábio",   "Gabriela",
                                 "Heitor",   "Isabela", "João",  "Larissa", "Márcio",  "Natália", "Otávio",
                                 "Patrícia", "Rafael",  "Sônia", "Tiago",   "Vitória", "Wesley"};
constexpr std::array kFirstAscii{"ana",      "bruno",   "carla", "daniel",  "eduarda", "fabio",   "gabriela",
                                 "heitor",   "isabela", "joao",  "larissa", "marcio",  "natalia", "otavio",
                                 "patricia", "rafael",  "sonia", "tiago",   "vitoria", "wesley"};
constexpr std::array kLastNames{"Souza", "Silva",   "Oliveira", "Santos", "Pereira", "Lima",  "Carvalho",
                                "Gomes", "Ribeiro", "Almeida",  "Costa",  "Araújo",  "Rocha", "Barbosa"};
constexpr std::array kLastAscii{"souza", "silva",   "oliveira", "santos", "pereira", "lima",  "carvalho",
                                "gomes", "ribeiro", "almeida",  "costa",  "araujo",  "rocha", "barbosa"};
constexpr std::array kAreaCodes{11, 21, 31, 41, 48, 51, 61, 71, 81, 85, 19, 27};

struct Product {
  const char* sku;
  const char* name;
  Cents price;
};
constexpr std::array kCatalogue{
    Product{"CAM-001", "Camiseta básica", 4990},      Product{"CAM-014", "Camisa social", 12990},
    Product{"CAL-210", "Calça jeans", 15990},         Product{"BER-033", "Bermuda sarja", 8990},
    Product{"VES-102", "Vestido midi", 18990},        Product{"TEN-501", "Tênis casual", 22990},
    Product{"MEI-007", "Meia cano alto (par)", 1590}, Product{"BON-020", "Boné aba curva", 5990},
    Product{"JAQ-300", "Jaqueta corta-vento", 25990}, Product{"CIN-045", "Cinto de couro", 7990},
};

std::string with_prefix(const GeneratorOptions& o, std::int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(n));
  return o.id_prefix + buf;
}

}  // namespace

std::string SaleGenerator::make_cpf(std::uint64_t nine_digits) {
  std::array<int, 11> d{};
  for (int i = 8; i >= 0; --i) {
    d[static_cast<std::size_t>(i)] = static_cast<int>(nine_digits % 10);
    nine_digits /= 10;
  }
  for (int check = 9; check <= 10; ++check) {
    int sum = 0;
    for (int i = 0; i < check; ++i)
      sum += d[static_cast<std::size_t>(i)] * (check + 1 - i);
    d[static_cast<std::size_t>(check)] = (sum * 10) % 11 % 10;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d%d%d.%d%d%d.%d%d%d-%d%d", d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7],
                d[8], d[9], d[10]);
  return buf;
}

SaleGenerator::SaleGenerator(GeneratorOptions options)
    : options_(std::move(options)),
      rng_(options_.seed),
      number_(options_.first_number),
      now_(options_.start) {
  customers_.reserve(static_cast<std::size_t>(options_.customers));
  for (int i = 0; i < options_.customers; ++i)
    customers_.push_back(make_customer(i));
}

SaleGenerator::Customer SaleGenerator::make_customer(int index) {
  const auto first = roll(kFirstNames.size());
  const auto last = roll(kLastNames.size());
  Customer c;
  c.id = "C-" + std::to_string(10'000 + index);
  c.name = std::string(kFirstNames[first]) + " " + kLastNames[last];
  char phone[32];
  std::snprintf(phone, sizeof phone, "(%d) 9%04llu-%04llu", kAreaCodes[roll(kAreaCodes.size())],
                static_cast<unsigned long long>(6000 + roll(4000)),
                static_cast<unsigned long long>(roll(10000)));
  c.phone = phone;
  c.email = std::string(kFirstAscii[first]) + "." + kLastAscii[last] + std::to_string(index) + "@example.com";
  c.cpf = make_cpf(100'000'000 + roll(899'999'999));
  char birthday[32];
  std::snprintf(birthday, sizeof birthday, "%04llu-%02llu-%02llu",
                static_cast<unsigned long long>(1950 + roll(55)),
                static_cast<unsigned long long>(1 + roll(12)), static_cast<unsigned long long>(1 + roll(28)));
  c.birthday = birthday;
  return c;
}

std::string SaleGenerator::timestamp() const {
  // The POS writes São Paulo time with its offset, as most Brazilian POS software does.
  const auto local = now_ - std::chrono::hours(3);
  std::string text = format_utc(local);
  text.pop_back();  // the 'Z'
  return text + "-03:00";
}

GeneratedLine SaleGenerator::next() {
  now_ += std::chrono::seconds(1 + roll(static_cast<std::uint64_t>(2 * options_.mean_gap.count())));
  if (chance(options_.malformed_share)) return malformed();
  if (!recent_sales_.empty() && chance(options_.cancel_share)) {
    const std::string id = recent_sales_[roll(recent_sales_.size())];
    ordered_json j{{"type", "cancel"}, {"id", id}, {"ts", timestamp()}};
    GeneratedLine out;
    out.kind = GeneratedLine::Kind::cancel;
    out.text = j.dump();
    out.sale_id = id;
    return out;
  }
  if (!customers_.empty() && chance(options_.customer_event_share)) {
    const Customer& c = customers_[roll(customers_.size())];
    ordered_json j{
        {"type", "customer"}, {"ts", timestamp()}, {"customer", {{"id", c.id}, {"opt_out", {"sms"}}}}};
    GeneratedLine out;
    out.kind = GeneratedLine::Kind::customer;
    out.text = j.dump();
    return out;
  }
  return sale();
}

GeneratedLine SaleGenerator::sale() {
  const std::string id = with_prefix(options_, number_++);
  ordered_json items = ordered_json::array();
  std::vector<SaleItem> lines;
  Cents total = 0;
  const auto count = 1 + roll(3);
  for (std::uint64_t i = 0; i < count; ++i) {
    const Product& p = kCatalogue[roll(kCatalogue.size())];
    const auto qty = 1 + static_cast<int>(roll(10) == 0);
    total += p.price * qty;
    items.push_back({{"sku", p.sku}, {"name", p.name}, {"qty", qty}, {"price", format_cents(p.price)}});
    lines.push_back({std::string(p.sku), std::string(p.name), static_cast<double>(qty), p.price});
  }
  ordered_json j{{"type", "sale"},
                 {"id", id},
                 {"store", options_.store_id},
                 {"ts", timestamp()},
                 {"total", format_cents(total)}};
  std::string customer_id;
  if (!customers_.empty() && !chance(options_.anonymous_share)) {
    const Customer& c = customers_[roll(customers_.size())];
    customer_id = c.id;
    j["customer"] = {{"id", c.id},       {"name", c.name}, {"phone", c.phone},
                     {"email", c.email}, {"cpf", c.cpf},   {"birthday", c.birthday}};
  }
  j["items"] = std::move(items);
  if (recent_sales_.size() < 64) {
    recent_sales_.push_back(id);
  } else {
    recent_sales_[roll(recent_sales_.size())] = id;
  }
  return {GeneratedLine::Kind::sale, j.dump(), id, customer_id, now_, total, std::move(lines)};
}

// The kinds of damage seen in real POS files; each line is unique so that each is its own entry.
GeneratedLine SaleGenerator::malformed() {
  const std::string id = with_prefix(options_, number_++);
  GeneratedLine out;
  out.kind = GeneratedLine::Kind::malformed;
  switch (roll(5)) {
    case 0: {  // cut short by a crash of the POS
      std::string full =
          ordered_json{{"type", "sale"}, {"id", id}, {"ts", timestamp()}, {"total", "10.00"}}.dump();
      out.text = full.substr(0, full.size() * 2 / 3);
      break;
    }
    case 1:
      out.text =
          ordered_json{{"type", "sale"}, {"id", id}, {"ts", "31/02/2026 10:00"}, {"total", "10.00"}}.dump();
      break;
    case 2:
      out.text = ordered_json{{"type", "sale"}, {"id", id}, {"ts", timestamp()}, {"total", "12,50"}}.dump();
      break;
    case 3:
      out.text = ordered_json{{"type", "sale"}, {"ts", timestamp()}, {"total", "10.00"}, {"note", id}}.dump();
      break;
    default:
      out.text = "*** PDV reiniciado " + id + " ***";
      break;
  }
  return out;
}

}  // namespace regua
