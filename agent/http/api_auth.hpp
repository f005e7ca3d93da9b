#pragma once
// The answer of the agent's API to a request without the right bearer token (docs/http-api.md):
// 403 when the store has configured no token (the API is off), 401 with `WWW-Authenticate: Bearer`
// when the token is missing or not this agent's. Errors are {"error": "..."} for every route.

#include <string>
#include <string_view>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace regua {

inline constexpr const char* kJsonContentType = "application/json";

void reply_api_error(httplib::Response& res, int status, const std::string& message);

// True when `req` carries the agent's token; otherwise the reply is written and it returns false.
// `what` names the API in the 403 message ("consent over HTTP").
bool api_token_accepted(const httplib::Request& req, httplib::Response& res, std::string_view token,
                        std::string_view what);

}  // namespace regua
