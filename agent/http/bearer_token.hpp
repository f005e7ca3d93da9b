#pragma once
// Checks an `Authorization: Bearer <token>` header in time that does not depend on where the
// given token first differs from the expected one, so the token cannot be guessed byte by byte.

#include <string_view>

namespace regua {

enum class TokenCheck { ok, missing, wrong, not_configured };

TokenCheck check_bearer(std::string_view authorization_header, std::string_view expected);

}  // namespace regua
