#include "local/rules/default_pack.hpp"

#include <array>
#include <initializer_list>

namespace regua {
namespace {

using Field = std::pair<std::string_view, std::variant<std::int64_t, bool, std::string_view>>;

RawRule make(std::initializer_list<Field> fields) {
  RawRule raw;
  raw.label = "a default rule";
  raw.origin = "default pack";
  for (const auto& [key, value] : fields) {
    RawValue v;
    v.origin = "default pack";
    if (const auto* n = std::get_if<std::int64_t>(&value)) {
      v.value = *n;
    } else if (const auto* b = std::get_if<bool>(&value)) {
      v.value = *b;
    } else {
      v.value = std::string(std::get<std::string_view>(value));
    }
    raw.fields.emplace_back(std::string(key), std::move(v));
  }
  return raw;
}

constexpr std::array<std::string_view, 8> kIds{"rating-1h",     "review-3d",       "inactive-15d",
                                               "inactive-180d", "loyal-quiet-30d", "welcome",
                                               "birthday",      "survey-3rd"};

}  // namespace

std::span<const std::string_view> default_rule_ids() {
  return kIds;
}

std::vector<RawRule> default_pack_raw() {
  using I = std::int64_t;
  return {
      make({{"id", "rating-1h"},
            {"description", "SMS 1 hour after a purchase with the service-rating link (seed 000)"},
            {"priority", I{50}},
            {"trigger.kind", "after_purchase"},
            {"trigger.delay", "1h"},
            {"action.kind", "message"},
            {"action.channel", "sms"},
            {"action.template",
             "Oi{?, {first_name}}! Obrigado pela visita à {store}. Como foi o seu atendimento? "
             "Sua opinião leva 1 minuto: {rating_url}"}}),
      make({{"id", "review-3d"},
            {"description", "SMS 3 days after a purchase with the product-review link (seed 000)"},
            {"priority", I{40}},
            {"trigger.kind", "after_purchase"},
            {"trigger.delay", "3d"},
            {"trigger.at", "10:00"},
            {"action.kind", "message"},
            {"action.channel", "sms"},
            {"action.template",
             "Oi{?, {first_name}}! Já deu para aproveitar o que você levou da {store}? "
             "Conte o que achou dos produtos: {review_url}"}}),
      make({{"id", "inactive-15d"},
            {"description", "SMS at 15 days without buying: a reason to come back (seed 000)"},
            {"priority", I{70}},
            {"trigger.kind", "days_without_purchase"},
            {"trigger.days", I{15}},
            {"action.kind", "message"},
            {"action.channel", "sms"},
            {"action.template",
             "Oi{?, {first_name}}! Faz um tempinho que você não passa na {store}. "
             "Chegaram novidades e vamos adorar te ver de novo!"}}),
      make({{"id", "inactive-180d"},
            {"description", "SMS at 180 days without buying: understand what went wrong (seed 000)"},
            {"priority", I{60}},
            {"trigger.kind", "days_without_purchase"},
            {"trigger.days", I{180}},
            {"action.kind", "message"},
            {"action.channel", "sms"},
            {"action.template",
             "Oi{?, {first_name}}. Sentimos sua falta na {store}. Se algo não saiu como você esperava, "
             "queremos saber para melhorar: é só responder esta mensagem."}}),
      make({{"id", "loyal-quiet-30d"},
            {"description",
             "task: a personal WhatsApp to a loyal customer (4+ purchases in 90 days) at 30 days without "
             "buying (seed 000)"},
            {"priority", I{80}},
            {"conditions", "purchases_last(90) >= 4"},
            {"trigger.kind", "days_without_purchase"},
            {"trigger.days", I{30}},
            {"action.kind", "task"},
            {"action.channel", "whatsapp"},
            {"action.title", "WhatsApp para {name|cliente fiel}: {days_since_last} dias sem comprar"},
            {"action.instructions",
             "Cliente fiel: {purchases} compras, a última em {last_purchase}. Mande uma mensagem pessoal "
             "pelo WhatsApp (o link já traz um texto; ajuste como quiser): pergunte como vai, conte as "
             "novidades e convide para uma visita."},
            {"action.template",
             "Oi{?, {first_name}}! Aqui é da {store}. Sentimos sua falta por aqui! Chegaram novidades que "
             "combinam com você. Quer que eu separe alguma coisa para você ver?"},
            {"action.due_in", "1d"},
            {"action.expires_in", "7d"}}),
      make({{"id", "welcome"},
            {"description", "e-mail a few days after the customer's registration (seed 002)"},
            {"priority", I{30}},
            {"trigger.kind", "registration"},
            {"trigger.delay", "2d"},
            {"trigger.at", "10:00"},
            {"action.kind", "message"},
            {"action.channel", "email"},
            {"action.subject", "Boas-vindas da {store}"},
            {"action.template",
             "Oi{?, {first_name}}! Obrigado por escolher a {store}. Que bom ter você com a gente! "
             "Sempre que precisar de ajuda para escolher, nossa equipe está à disposição. "
             "Até a próxima visita!"}}),
      make({{"id", "birthday"},
            {"description", "SMS on the customer's birthday (seed 002)"},
            {"priority", I{90}},
            {"trigger.kind", "birthday"},
            {"trigger.days_before", I{0}},
            {"action.kind", "message"},
            {"action.channel", "sms"},
            {"action.template",
             "Feliz aniversário{?, {first_name}}! Toda a equipe da {store} deseja um dia muito especial "
             "para você."}}),
      make({{"id", "survey-3rd"},
            {"description", "SMS with the satisfaction survey after the 3rd purchase (seed 002)"},
            {"priority", I{20}},
            {"trigger.kind", "nth_purchase"},
            {"trigger.n", I{3}},
            {"trigger.delay", "2d"},
            {"trigger.at", "10:00"},
            {"guards.max_lateness", "7d"},
            {"action.kind", "message"},
            {"action.channel", "sms"},
            {"action.template",
             "Oi{?, {first_name}}! Obrigado por voltar à {store} mais uma vez. Você responde 3 perguntas "
             "rápidas sobre a sua experiência? {survey_url}"}}),
  };
}

Result<std::vector<Rule>> default_pack() {
  std::vector<Rule> rules;
  for (const RawRule& raw : default_pack_raw()) {
    auto rule = build_rule(raw, RuleContext{});
    if (!rule) return rule.error().within("the default rule pack (a bug: please report it)");
    rules.push_back(std::move(*rule));
  }
  return rules;
}

}  // namespace regua
