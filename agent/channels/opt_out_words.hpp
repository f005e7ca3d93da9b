#pragma once
// Whether a customer's reply (an SMS, a WhatsApp message or button) asks to stop receiving
// messages. The reply is normalised first: letters upper-cased, accents dropped (NÃO -> NAO),
// everything but letters (punctuation, emoji, digits) taken as a space, and polite words around it
// ignored (POR FAVOR, OBRIGADO, OK, PLEASE, ...). What is left must be one of the phrases of
// kOptOutPhrases: a single word such as SAIR or STOP, or a short phrase such as NAO QUERO MAIS.
// "Sair!", "sair por favor", " PARAR. " and "Descadastrar 🙏" opt out; "não quero sair" does not.
// docs/channels.md lists the phrases.

#include <span>
#include <string>
#include <string_view>

namespace regua {

std::span<const std::string_view> opt_out_phrases();

// The normalised text: "Não, obrigado!" -> "NAO OBRIGADO".
std::string normalise_reply(std::string_view text);

bool is_opt_out_reply(std::string_view text);

}  // namespace regua
