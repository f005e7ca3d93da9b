#pragma once
// The HQ API's rule-pack endpoints (docs/hub-api.md): list the published packs, read one, validate
// a pack, publish one (checked, signed and stored by cloud/rules/rule_packs.hpp, exactly as
// `regua-hub rules publish` does) and see which store runs which version. A network admin
// publishes; an analyst reads and validates; a store manager reads what is aimed at its store.

#include <httplib.h>

#include "cloud/api/api_context.hpp"

namespace regua::hub {

struct RulePackRoutes {
  ApiContext& api;

  void list(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void one(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void validate(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void publish(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void adoption(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
};

}  // namespace regua::hub
