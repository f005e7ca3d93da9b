#pragma once
// The HQ API's figures (docs/hub-api.md): retention KPIs and the lifecycle matrix per store, group
// or network, the stores ranked, and the customers who buy in several stores. The figures
// themselves are cloud/network/'s; this is their HTTP face: parameters, roles, JSON.

#include <httplib.h>

#include "cloud/api/api_context.hpp"

namespace regua::hub {

struct FigureRoutes {
  ApiContext& api;

  void kpis(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void matrix(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void rankings(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void cross_store(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void cross_store_list(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
};

}  // namespace regua::hub
