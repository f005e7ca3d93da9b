#pragma once
// Writes a believable POS event stream in the JSON Lines v1 format: a pool of customers with
// valid CPFs and mobile numbers, sales of a small catalogue, anonymous sales, cancellations,
// opt-outs and, on request, malformed lines of the kinds real POS files contain. Deterministic
// for a given seed. Used by `regua-agent demo`, the crash tests and bench/ingest.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "local/core/clock.hpp"
#include "local/model/events.hpp"

namespace regua {

struct GeneratedLine {
  enum class Kind { sale, cancel, customer, malformed };
  Kind kind = Kind::sale;
  std::string text;         // one line, without its end of line
  std::string sale_id;      // for sales and cancellations
  std::string customer_id;  // for identified sales
  Seconds at{};             // for sales: when
  std::int64_t total_cents = 0;
  std::vector<SaleItem> items;  // for sales: their lines, as the ledger stores them
};

struct GeneratorOptions {
  std::uint64_t seed = 1;
  std::string store_id = "demo";
  std::string id_prefix = "S-";
  std::int64_t first_number = 1;
  int customers = 200;
  Seconds start{};                     // time of the first sale
  std::chrono::seconds mean_gap{600};  // between two sales
  double anonymous_share = 0.25;
  double cancel_share = 0.02;
  double customer_event_share = 0.01;
  double malformed_share = 0.0;
};

class SaleGenerator {
 public:
  explicit SaleGenerator(GeneratorOptions options);
  GeneratedLine next();

  // A valid CPF ("529.982.247-25") made from nine digits, for tests.
  static std::string make_cpf(std::uint64_t nine_digits);

 private:
  struct Customer {
    std::string id, name, phone, email, cpf, birthday;
  };

  std::uint64_t roll(std::uint64_t n) { return rng_() % n; }
  bool chance(double p) { return static_cast<double>(rng_() % 1'000'000) < p * 1'000'000; }
  Customer make_customer(int index);
  GeneratedLine sale();
  GeneratedLine malformed();
  std::string timestamp() const;

  GeneratorOptions options_;
  std::mt19937_64 rng_;
  std::vector<Customer> customers_;
  std::vector<std::string> recent_sales_;
  std::int64_t number_;
  Seconds now_;
};

}  // namespace regua
