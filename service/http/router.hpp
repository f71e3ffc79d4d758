// The router: method + path over the API functions, with the Host allow-list, the client address
// (X-Forwarded-For from trusted proxies), each route's declared access (access.hpp) enforced
// before its handler, security headers, JSON errors and one log line per request. The HTTP front (http_front.hpp) hands it requests whose body it has read in full.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "service/http/access.hpp"
#include "service/http/api.hpp"
#include "service/http/client_address.hpp"
#include "service/http/http_front.hpp"

namespace mh::service::http {

// What a handler sees of a request: plain values.
struct Request {
  std::string method;
  std::vector<std::string> params;  // the {placeholders} of the route, percent-decoded
  std::vector<std::pair<std::string, std::string>> query;
  std::string body;
  std::string client;  // the client's address: the peer, or X-Forwarded-For from a trusted proxy
  Identity who;        // who sent it (the router has checked the route's access)
  std::string origin;  // the Origin header ("" when none)
  std::string host;    // the Host header
  bool https = false;  // X-Forwarded-Proto: https from a trusted proxy

  std::string queryValue(std::string_view name) const;
};

using RouteHandler = std::function<ApiResponse(ApiContext&, const Request&)>;

// How a route treats its body and the cross-site rule.
enum class RouteBody {
  None,    // the body is not read
  Json,    // application/json (415 otherwise)
  SignIn,  // application/json; a sign-in: no CSRF token (no session yet), but Origin checked
};

struct Route {
  // `access` has no default: every route says who may use it.
  Route(std::string method, std::string pattern, Access access, RouteHandler handler,
        RouteBody body = RouteBody::None)
      : method(std::move(method)),
        pattern(std::move(pattern)),
        access(access),
        body(body),
        handler(std::move(handler)) {}

  std::string method;   // a "GET" route answers HEAD too, without the body
  std::string pattern;  // "/api/v1/domains/{}/history": {} matches one non-empty segment
  Access access;
  RouteBody body;
  RouteHandler handler;
};

// Every route of the service: the API, the session, the report downloads (report_routes.hpp)
// and the dashboard (dashboard.hpp).
std::vector<Route> serviceRoutes();

// True when a Host header value names one of `allowed` (any port; names case-insensitive, a
// trailing dot ignored, IPv6 literals with or without brackets). An empty list allows any Host.
bool hostAllowed(std::string_view host, const std::vector<std::string>& allowed);

class Router final : public RequestSink {
 public:
  // `hostnames`: the Host allow-list (empty: any); `proxies`: the peers whose X-Forwarded-For
  // names the client.
  Router(ApiContext& ctx, std::vector<Route> routes, std::vector<std::string> hostnames,
         TrustedProxies proxies);

  // Answers one request: every exception stops here (500 with a generic message, the details
  // only in the log).
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
             const std::string& body) override;
  void refuse(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
              int status, std::string_view code, std::string_view message) override;

  // The client of a request (see TrustedProxies::client).
  std::string client(const Poco::Net::HTTPServerRequest& request) const;

 private:
  ApiResponse dispatch(Poco::Net::HTTPServerRequest& request, const std::string& body);
  void respond(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
               const ApiResponse& r, bool close, std::chrono::steady_clock::time_point start);

  ApiContext& ctx_;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> patterns_;  // routes_' patterns split in segments
  std::vector<std::string> hostnames_;
  TrustedProxies proxies_;
};

}  // namespace mh::service::http
