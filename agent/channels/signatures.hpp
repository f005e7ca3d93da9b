#pragma once
// The signatures providers put on their callbacks, and ours on webhook requests:
//  - Twilio's X-Twilio-Signature: Base64 of HMAC-SHA1, keyed with the account's Auth Token, over
//    the full URL Twilio requested followed by every POST parameter's name and value, sorted by name;
//  - Meta's X-Hub-Signature-256 (WhatsApp Cloud) and our X-Regua-Signature-256: "sha256=" and the
//    hex of HMAC-SHA256 of the raw body, keyed with the app secret (ours: [channels.webhook] secret).
// Comparisons take the same time wherever the given signature first differs.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace regua {

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             std::vector<std::pair<std::string, std::string>> post_params);
// "sha256=<hex>"
std::string sha256_signature(std::string_view secret, std::string_view body);

bool same_secret(std::string_view given, std::string_view expected);

std::string base64(std::string_view bytes);

}  // namespace regua
