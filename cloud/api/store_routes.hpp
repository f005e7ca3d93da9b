#pragma once
// The HQ API's store endpoints (docs/hub-api.md): the stores and their health, their task backlogs
// and tasks, HQ's orders to close or reassign a task, and who the calling token is.

#include <httplib.h>

#include "cloud/api/api_context.hpp"

namespace regua::hub {

struct StoreRoutes {
  ApiContext& api;

  void me(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void list(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void one(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void tasks(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void backlogs(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
  void task_order(const httplib::Request& req, httplib::Response& res, const ApiCaller& caller);
};

}  // namespace regua::hub
