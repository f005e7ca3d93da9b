#include "agent/http/api_auth.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "agent/http/bearer_token.hpp"

namespace regua {

void reply_api_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", message}}.dump(), kJsonContentType);
}

bool api_token_accepted(const httplib::Request& req, httplib::Response& res, std::string_view token,
                        std::string_view what) {
  switch (check_bearer(req.get_header_value("Authorization"), token)) {
    case TokenCheck::ok:
      return true;
    case TokenCheck::not_configured:
      reply_api_error(
          res, 403,
          std::string(what) +
              " is off: set [http] token in the agent's configuration (or $REGUA_HTTP_TOKEN) and send "
              "it as `Authorization: Bearer <token>`");
      return false;
    case TokenCheck::missing:
      res.set_header("WWW-Authenticate", "Bearer");
      reply_api_error(res, 401, "send the agent's token as `Authorization: Bearer <token>`");
      return false;
    case TokenCheck::wrong:
      res.set_header("WWW-Authenticate", "Bearer");
      reply_api_error(res, 401, "the token is not this agent's ([http] token in its configuration)");
      return false;
  }
  return false;
}

}  // namespace regua
