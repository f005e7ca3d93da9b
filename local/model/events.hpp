#pragma once
// What the POS tells the agent, whatever the input format (JSON Lines, CSV, fiscal XML, HTTP):
// a sale, the cancellation of a sale, or news about a customer. Connectors turn their input into
// these; the ledger stores them.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/money.hpp"

namespace regua {

enum class Channel { sms, whatsapp, email };

// "sms", "whatsapp", "email"
std::string_view channel_name(Channel c);
std::optional<Channel> channel_from_name(std::string_view name);

struct ConsentChange {
  Channel channel = Channel::sms;
  bool granted = false;
};

// A customer as one input describes them; absent fields leave what the ledger knows untouched.
struct CustomerInfo {
  std::string pos_id;  // the POS's own customer id
  std::optional<std::string> name;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::optional<std::string> cpf;
  std::optional<std::string> cnpj;      // a company's tax id (a fiscal note's buyer may be a company)
  std::optional<std::string> birthday;  // YYYY-MM-DD when it could be read, else as written
  std::vector<ConsentChange> consent;
};

struct SaleItem {
  std::string sku;
  std::string name;
  double quantity = 1;  // fractional for goods sold by weight
  Cents unit_price = 0;
};

struct Sale {
  std::string pos_id;  // unique per store: a sale seen again is a replay
  Seconds sold_at{};   // the POS's time, in UTC
  Cents total = 0;
  std::optional<CustomerInfo> customer;  // empty for an anonymous sale
  std::vector<SaleItem> items;
};

struct Cancel {
  std::string sale_pos_id;
  Seconds cancelled_at{};
};

struct CustomerUpdate {
  CustomerInfo customer;
  Seconds at{};  // when the POS said it; newer news wins over older
};

using Event = std::variant<Sale, Cancel, CustomerUpdate>;

}  // namespace regua
