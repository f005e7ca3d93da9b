// Replies that ask to stop, as customers write them: any case, with or without accents,
// punctuation, emoji and polite words; and replies that only look like it.

#include "agent/channels/opt_out_words.hpp"

#include <gtest/gtest.h>

namespace regua {
namespace {

TEST(OptOutWords, NormalisingDropsAccentsCaseAndPunctuation) {
  EXPECT_EQ(normalise_reply("Não, obrigado!"), "NAO OBRIGADO");
  EXPECT_EQ(normalise_reply("  Descadastrar 🙏 "), "DESCADASTRAR");
  EXPECT_EQ(normalise_reply("ÇÃÕÉÜ ñ"), "CAOEU N");
  EXPECT_EQ(normalise_reply("opt-out"), "OPT OUT");
  EXPECT_EQ(normalise_reply("2 × 3"), "");
}

TEST(OptOutWords, EveryDocumentedPhraseOptsOutAsWrittenAndInLowerCase) {
  for (const auto phrase : opt_out_phrases()) {
    std::string lower(phrase);
    for (auto& c : lower)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(is_opt_out_reply(phrase)) << phrase;
    EXPECT_TRUE(is_opt_out_reply(lower)) << lower;
  }
}

TEST(OptOutWords, ToleratesTheWaysPeopleWriteIt) {
  for (const char* reply : {"SAIR",
                            "sair",
                            "Sair!",
                            " PARAR. ",
                            "parar!!!",
                            "Pare",
                            "STOP",
                            "stop.",
                            "Cancelar",
                            "CANCELAR 😡",
                            "descadastrar",
                            "Descadastre-me",
                            "NÃO QUERO MAIS",
                            "nao quero mais",
                            "Não quero mais!",
                            "sair por favor",
                            "Parar, obrigado",
                            "pf sair",
                            "Remover",
                            "Quero sair",
                            "não envie mais",
                            "Unsubscribe",
                            "opt-out",
                            "STOPALL"}) {
    EXPECT_TRUE(is_opt_out_reply(reply)) << reply;
  }
}

TEST(OptOutWords, OtherRepliesDoNotOptOut) {
  for (const char* reply :
       {"", "Oi", "Obrigado!", "ok", "Não quero sair", "Vou sair mais tarde", "Sair? Nunca!! Adoro a loja",
        "Quando abre?", "sairia", "stopping by", "PARARAM", "não", "Quero mais descontos", "12345"}) {
    EXPECT_FALSE(is_opt_out_reply(reply)) << reply;
  }
}

}  // namespace
}  // namespace regua
