#include "local/analysis/lifecycle_matrix.hpp"

#include <algorithm>
#include <array>

#include "local/core/ascii.hpp"

namespace regua {
namespace {

struct CellText {
  std::string_view code;
  std::string_view pt_name;
  std::string_view en_name;
  std::string_view pt_advice;
  std::string_view en_advice;
};

// Rows: purchases (new, promising, loyal); columns: recency (active, slipping, inactive).
constexpr std::array<CellText, kCells> kCellTexts{{
    {"new_active", "Novos ativos", "New active",
     "compraram uma vez, há pouco: boas-vindas, ajuda com o produto, pedir avaliação",
     "bought once, recently: welcome them, help with the product, ask for a review"},
    {"new_slipping", "Novos adormecendo", "New slipping",
     "compraram uma vez e não voltaram: um motivo para a segunda compra (mensagem com oferta)",
     "bought once and have not come back: give a reason for a second purchase (message with an offer)"},
    {"new_inactive", "Novos inativos", "New inactive",
     "uma compra, há muito tempo: reativação barata e automática, sem tempo da equipe",
     "one purchase, long ago: cheap automatic reactivation, no staff time"},
    {"promising_active", "Promissores ativos", "Promising active",
     "voltaram e compraram há pouco: programa de fidelidade, sugerir outros produtos",
     "came back and bought recently: loyalty programme, suggest other products"},
    {"promising_slipping", "Promissores adormecendo", "Promising slipping",
     "compraram algumas vezes, mas o tempo passou: e-mail/mensagem pessoal com recomendações e oferta por "
     "tempo limitado",
     "bought a few times but time has passed: a personal e-mail/message with recommendations and a "
     "limited-time offer"},
    {"promising_inactive", "Promissores inativos", "Promising inactive",
     "compraram algumas vezes e sumiram: campanha de reativação com oferta",
     "bought a few times and vanished: reactivation campaign with an offer"},
    {"loyal_active", "Fiéis ativos", "Loyal active",
     "os melhores clientes: tratamento VIP, pedir indicações; não precisam de desconto",
     "the best customers: VIP treatment, ask for referrals; they need no discount"},
    {"loyal_slipping", "Fiéis adormecendo", "Loyal slipping",
     "compram muito, mas sumiram há algumas semanas: ligação ou WhatsApp pessoal da equipe",
     "buy a lot but have been away for weeks: a personal call or WhatsApp from staff"},
    {"loyal_inactive", "Fiéis inativos", "Loyal inactive",
     "eram fiéis e pararam: reconquistar com ligação do gerente e oferta forte antes que a concorrência "
     "os leve",
     "were loyal and stopped: win them back with a call from the manager and a strong offer"},
}};

}  // namespace

Status check_thresholds(const LifecycleThresholds& t) {
  if (t.new_max_purchases < 1) {
    return make_error(ErrorKind::config, "new_max_purchases must be at least 1 (a customer has bought once)");
  }
  if (t.promising_max_purchases <= t.new_max_purchases) {
    return make_error(ErrorKind::config,
                      "promising_max_purchases (" + std::to_string(t.promising_max_purchases) +
                          ") must be greater than new_max_purchases (" + std::to_string(t.new_max_purchases) +
                          "), or the promising row is empty");
  }
  if (t.active_max_days < 0) return make_error(ErrorKind::config, "active_max_days must be 0 or more");
  if (t.slipping_max_days <= t.active_max_days) {
    return make_error(ErrorKind::config, "slipping_max_days (" + std::to_string(t.slipping_max_days) +
                                             ") must be greater than active_max_days (" +
                                             std::to_string(t.active_max_days) +
                                             "), or the slipping column is empty");
  }
  return {};
}

std::string thresholds_key(const LifecycleThresholds& t) {
  return std::to_string(t.new_max_purchases) + "/" + std::to_string(t.promising_max_purchases) + "/" +
         std::to_string(t.active_max_days) + "/" + std::to_string(t.slipping_max_days);
}

std::optional<Language> language_from_name(std::string_view name) {
  if (ascii::iequals(name, "pt-BR") || ascii::iequals(name, "pt")) return Language::pt_br;
  if (ascii::iequals(name, "en")) return Language::en;
  return std::nullopt;
}

std::string_view language_name(Language language) {
  return language == Language::en ? "en" : "pt-BR";
}

Cell Cell::from_index(int index) {
  return Cell{static_cast<Frequency>(index / 3), static_cast<Recency>(index % 3)};
}

std::string_view cell_code(Cell cell) {
  return kCellTexts[static_cast<std::size_t>(cell.index())].code;
}

std::optional<Cell> cell_from_code(std::string_view code) {
  for (int i = 0; i < kCells; ++i) {
    if (kCellTexts[static_cast<std::size_t>(i)].code == code) return Cell::from_index(i);
  }
  return std::nullopt;
}

std::string_view cell_name(Cell cell, Language language) {
  const auto& t = kCellTexts[static_cast<std::size_t>(cell.index())];
  return language == Language::en ? t.en_name : t.pt_name;
}

std::string_view cell_advice(Cell cell, Language language) {
  const auto& t = kCellTexts[static_cast<std::size_t>(cell.index())];
  return language == Language::en ? t.en_advice : t.pt_advice;
}

std::optional<Cell> cell_from_text(std::string_view text) {
  for (int i = 0; i < kCells; ++i) {
    const auto& t = kCellTexts[static_cast<std::size_t>(i)];
    if (ascii::iequals(text, t.code) || ascii::iequals(text, t.pt_name) || ascii::iequals(text, t.en_name)) {
      return Cell::from_index(i);
    }
  }
  return std::nullopt;
}

Frequency frequency_of(std::int64_t purchases, const LifecycleThresholds& t) {
  if (purchases <= t.new_max_purchases) return Frequency::new_;
  if (purchases <= t.promising_max_purchases) return Frequency::promising;
  return Frequency::loyal;
}

Recency recency_of(std::int64_t days_since_last, const LifecycleThresholds& t) {
  if (days_since_last <= t.active_max_days) return Recency::active;
  if (days_since_last <= t.slipping_max_days) return Recency::slipping;
  return Recency::inactive;
}

Cell cell_of(std::int64_t purchases, std::int64_t days_since_last, const LifecycleThresholds& t) {
  return Cell{frequency_of(purchases, t), recency_of(std::max<std::int64_t>(0, days_since_last), t)};
}

bool is_active(Recency r) {
  return r != Recency::inactive;
}

}  // namespace regua
