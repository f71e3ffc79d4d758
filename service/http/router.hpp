// The HTTP front: a Router (HTTPRequestHandlerFactory) on method + path over the API functions,
// with the request limits, security headers, JSON errors and one log line per request.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <functional>
#include <string>
#include <vector>

#include "service/http/api.hpp"

namespace mh::service::http {

// What a handler sees of a request: plain values.
struct Request {
  std::string method;
  std::vector<std::string> params;  // the {placeholders} of the route, percent-decoded
  std::vector<std::pair<std::string, std::string>> query;
  std::string body;
  std::string client;  // the peer's address
  std::string authorization;

  std::string queryValue(std::string_view name) const;
};

using RouteHandler = std::function<ApiResponse(ApiContext&, const Request&)>;

struct Route {
  std::string method;   // a "GET" route answers HEAD too, without the body
  std::string pattern;  // "/api/v1/domains/{}/history": {} matches one non-empty segment
  bool json_body = false;
  RouteHandler handler;
};

// The routes of the service (the report downloads of report_routes.hpp included).
std::vector<Route> serviceRoutes();

class Router final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Router(ApiContext& ctx, std::vector<Route> routes, std::size_t max_body_bytes);

  // One handler per request; it only calls back into serve() (handlers hold no state).
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

  // Answers one request: every exception stops here (500 with a generic message, the details
  // only in the log).
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

 private:
  ApiResponse dispatch(Poco::Net::HTTPServerRequest& request, bool& close);

  ApiContext& ctx_;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> patterns_;  // routes_' patterns split in segments
  std::size_t max_body_bytes_;
};

}  // namespace mh::service::http
