#include "agent/channels/opt_out_words.hpp"

#include <algorithm>
#include <array>
#include <sstream>
#include <vector>

namespace regua {
namespace {

constexpr std::array<std::string_view, 29> kOptOutPhrases{
    // Portuguese
    "SAIR", "PARAR", "PARE", "CANCELAR", "CANCELE", "DESCADASTRAR", "DESCADASTRE", "DESCADASTRO", "REMOVER",
    "REMOVA", "BLOQUEAR", "QUERO SAIR", "NAO QUERO", "NAO QUERO MAIS", "NAO ENVIE MAIS", "NAO MANDE MAIS",
    "ME DESCADASTRE", "DESCADASTRE ME", "ME REMOVA", "ME TIRE DA LISTA", "PARE DE ENVIAR",
    // English, as Twilio's own opt-out keywords
    "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT OUT"};

constexpr std::array<std::string_view, 10> kPoliteWords{"POR",      "FAVOR",    "PF",  "PFV", "PFVR",
                                                        "OBRIGADO", "OBRIGADA", "OBG", "OK",  "PLEASE"};

// The ASCII letter of a Latin-1 letter U+00C0..U+00FF ('\0' for a non-letter such as × or ÷).
char latin1_base_letter(unsigned code) {
  // An array, not a string_view: the table holds '\0' for the two signs.
  static constexpr char kBase[] =
      "AAAAAAACEEEEIIII"    // C0-CF: À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï
      "DNOOOOO\0OUUUUYTS"   // D0-DF: Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß
      "AAAAAAACEEEEIIII"    // E0-EF
      "DNOOOOO\0OUUUUYTY";  // F0-FF
  return code >= 0xC0 && code <= 0xFF ? kBase[code - 0xC0] : '\0';
}

}  // namespace

std::span<const std::string_view> opt_out_phrases() {
  return kOptOutPhrases;
}

std::string normalise_reply(std::string_view text) {
  std::string out;
  bool space = true;  // no leading space
  const auto put = [&](char c) {
    if (c == '\0') {
      if (!space) out += ' ';
      space = true;
      return;
    }
    out += c;
    space = false;
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c >= 'a' && c <= 'z') {
        put(static_cast<char>(c - 'a' + 'A'));
      } else if (c >= 'A' && c <= 'Z') {
        put(static_cast<char>(c));
      } else {
        put('\0');
      }
      ++i;
      continue;
    }
    // A multi-byte UTF-8 character: Latin-1 letters (two bytes, C3 xx) keep their base letter.
    std::size_t length = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    if (length == 2 && i + 1 < text.size()) {
      const unsigned code = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      put(latin1_base_letter(code));
    } else {
      put('\0');
    }
    i += length;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

bool is_opt_out_reply(std::string_view text) {
  std::istringstream words(normalise_reply(text));
  std::string phrase, word;
  while (words >> word) {
    if (std::find(kPoliteWords.begin(), kPoliteWords.end(), word) != kPoliteWords.end()) continue;
    phrase += (phrase.empty() ? "" : " ") + word;
  }
  return !phrase.empty() &&
         std::find(kOptOutPhrases.begin(), kOptOutPhrases.end(), phrase) != kOptOutPhrases.end();
}

}  // namespace regua
