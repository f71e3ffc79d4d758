// Routing, the Host allow-list, response headers and request logging of the HTTP service.
#include "service/http/router.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/MediaType.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <chrono>

#include "checks/core/text.hpp"
#include "service/http/dashboard.hpp"
#include "service/http/report_routes.hpp"
#include "service/store/sqlite_handle.hpp"

namespace mh::service::http {

namespace {

constexpr std::pair<const char*, const char*> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
     "form-action 'self'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    {"Cache-Control", "no-store"},
};

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

// A path or query as written in the log: printable ASCII only, bounded.
std::string loggable(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text.substr(0, 300)) {
    if (c < 0x21 || c >= 0x7f || c == '"' || c == '\\') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > 300) out += "...";
  return out;
}

// A host name or address literal as compared: lower case, no brackets, no trailing dot.
std::string hostKey(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    host = host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  } else if (host.find(':') == host.rfind(':') && host.find(':') != std::string_view::npos) {
    host = host.substr(0, host.find(':'));  // name:port (one colon: not an IPv6 literal)
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return Poco::toLower(std::string(host));
}

// `mh_session=<value>; HttpOnly; SameSite=Strict; Path=/` (+ Secure over HTTPS); an empty
// value with Max-Age=0 clears it.
std::string sessionCookie(const std::string& value, bool https) {
  std::string cookie = std::string(kSessionCookie) + "=" + value + "; HttpOnly; SameSite=Strict; Path=/";
  if (value.empty()) cookie += "; Max-Age=0";
  if (https) cookie += "; Secure";
  return cookie;
}

// POST /api/v1/session {"token": "..."}: a session cookie for a valid token.
ApiResponse postSession(ApiContext& ctx, const Request& req) {
  std::string token;
  try {
    auto object = Poco::JSON::Parser().parse(req.body).extract<Poco::JSON::Object::Ptr>();
    if (object && object->has("token") && object->get("token").isString())
      token = object->getValue<std::string>("token");
  } catch (const std::exception&) {  // Poco's parse and cast errors included
  }
  if (token.empty())
    return errorResponse(400, "invalid_request", "send a JSON object {\"token\": \"...\"}");
  auto signedIn = ctx.auth.signIn(token, req.client);
  if (auto* error = std::get_if<ApiResponse>(&signedIn)) return *error;
  auto& in = std::get<SignedIn>(signedIn);
  ApiResponse r = sessionResponse(in.who);
  r.headers.emplace_back("Set-Cookie", sessionCookie(in.cookie_value, req.https));
  return r;
}

// DELETE /api/v1/session: ends the cookie's session and clears the cookie.
ApiResponse deleteSession(ApiContext& ctx, const Request& req) {
  ctx.auth.signOut(req.who, req.client);
  ApiResponse r;
  r.status = 204;
  r.text = "";
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Set-Cookie", sessionCookie("", req.https));
  return r;
}

// The value of cookie `name` in a Cookie header ("a=1; mh_session=abc"); "" when absent.
std::string cookieValue(std::string_view header, std::string_view name) {
  std::size_t at = 0;
  while (at < header.size()) {
    const auto end = std::min(header.find(';', at), header.size());
    const auto pair = ascii::trim(header.substr(at, end - at));
    if (const auto eq = pair.find('='); eq != std::string_view::npos && pair.substr(0, eq) == name)
      return std::string(pair.substr(eq + 1));
    at = end + 1;
  }
  return "";
}

}  // namespace

bool hostAllowed(std::string_view host, const std::vector<std::string>& allowed) {
  if (allowed.empty()) return true;
  const std::string key = hostKey(host);
  if (key.empty()) return false;
  for (const auto& a : allowed)
    if (hostKey(a) == key) return true;
  return false;
}

std::string Request::queryValue(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name) return value;
  return "";
}

std::vector<Route> serviceRoutes() {
  using A = Access;
  std::vector<Route> routes = {
      {"GET", "/healthz", A::Public, [](ApiContext& c, const Request&) { return health(c); }},
      {"GET", "/metrics", A::Metrics, [](ApiContext& c, const Request&) { return metrics(c); }},
      {"GET", "/api/v1/openapi.json", A::Public,
       [](ApiContext&, const Request&) { return openApiDocument(); }},
      {"GET", "/api/v1/rubric", A::Public,
       [](ApiContext&, const Request&) { return rubricDocument(); }},
      {"GET", "/api/v1/domains", A::Auditor,
       [](ApiContext& c, const Request& r) { return listDomains(c, r.queryValue("group")); }},
      {"GET", "/api/v1/domains/{}", A::DomainReader,
       [](ApiContext& c, const Request& r) { return getDomain(c, r.params[0]); }},
      {"GET", "/api/v1/domains/{}/history", A::DomainReader,
       [](ApiContext& c, const Request& r) { return getDomainHistory(c, r.params[0]); }},
      {"POST", "/api/v1/self-check", A::Public,
       [](ApiContext& c, const Request& r) { return postSelfCheck(c, r.body, r.client, r.who); },
       RouteBody::Json},
      {"GET", "/api/v1/self-check/{}", A::Public,
       [](ApiContext& c, const Request& r) { return getSelfCheckJob(c, r.params[0], r.who); }},
      {"GET", "/api/v1/runs", A::Auditor, [](ApiContext& c, const Request&) { return listRuns(c); }},
      {"POST", "/api/v1/runs", A::Admin, [](ApiContext& c, const Request&) { return postRun(c); }},
      {"GET", "/api/v1/runs/{}", A::Auditor,
       [](ApiContext& c, const Request& r) { return getRun(c, r.params[0]); }},
      {"GET", "/api/v1/schedule", A::Auditor,
       [](ApiContext& c, const Request&) { return c.schedule(); }},
      {"POST", "/api/v1/session", A::Public,
       [](ApiContext& c, const Request& r) { return postSession(c, r); }, RouteBody::SignIn},
      {"GET", "/api/v1/session", A::Account,
       [](ApiContext&, const Request& r) { return sessionResponse(r.who); }},
      {"DELETE", "/api/v1/session", A::Account,
       [](ApiContext& c, const Request& r) { return deleteSession(c, r); }},
  };
  for (auto& route : reportRoutes()) routes.push_back(std::move(route));
  for (auto& route : dashboardRoutes()) routes.push_back(std::move(route));
  return routes;
}

Router::Router(ApiContext& ctx, std::vector<Route> routes, std::vector<std::string> hostnames,
               TrustedProxies proxies)
    : ctx_(ctx),
      routes_(std::move(routes)),
      hostnames_(std::move(hostnames)),
      proxies_(std::move(proxies)) {
  for (const auto& r : routes_) patterns_.push_back(splitPath(r.pattern));
}

std::string Router::client(const Poco::Net::HTTPServerRequest& request) const {
  return proxies_.client(request.clientAddress().host().toString(),
                         request.get("X-Forwarded-For", ""));
}

ApiResponse Router::dispatch(Poco::Net::HTTPServerRequest& request, const std::string& body) {
  // DNS rebinding: a page of another site whose name now resolves to this service must not read
  // it, so only the configured names are answered (RFC 9110 §15.5.20: 421).
  if (!request.has("Host")) return errorResponse(400, "missing_host", "a Host header is required");
  if (!hostAllowed(request.getHost(), hostnames_))
    return errorResponse(421, "misdirected_request", "this service does not answer for that host");
  const std::string& uri = request.getURI();
  const auto question = uri.find('?');
  const std::string path = uri.substr(0, question);
  if (path.empty() || path[0] != '/') return errorResponse(400, "bad_path", "malformed path");

  Request req;
  req.method = request.getMethod();
  req.client = client(request);
  std::vector<std::string> segments;
  try {
    for (const auto& raw : splitPath(path)) {
      std::string decoded;
      Poco::URI::decode(raw, decoded);
      segments.push_back(std::move(decoded));
    }
    if (question != std::string::npos) {
      Poco::URI query("/?" + uri.substr(question + 1));
      for (auto& kv : query.getQueryParameters()) req.query.push_back(std::move(kv));
    }
  } catch (const Poco::SyntaxException&) {
    return errorResponse(400, "bad_path", "malformed percent-encoding");
  }
  for (const auto& s : segments)
    if (s == "." || s == "..") return errorResponse(400, "bad_path", "dot segments in path");

  // HEAD is GET without the body (RFC 9110 §9.3.2): it runs the GET route, and serve() sends
  // only the head.
  const std::string routeMethod = req.method == "HEAD" ? "GET" : req.method;
  const Route* route = nullptr;
  std::string allowed;
  for (std::size_t i = 0; i < routes_.size() && !route; ++i) {
    const auto& pattern = patterns_[i];
    if (pattern.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool match = true;
    for (std::size_t k = 0; k < pattern.size() && match; ++k) {
      if (pattern[k] == "{}") {
        match = !segments[k].empty();
        params.push_back(segments[k]);
      } else {
        match = pattern[k] == segments[k];
      }
    }
    if (!match) continue;
    if (routes_[i].method != routeMethod) {
      allowed += (allowed.empty() ? "" : ", ") + routes_[i].method;
      if (routes_[i].method == "GET") allowed += ", HEAD";
      continue;
    }
    route = &routes_[i];
    req.params = std::move(params);
  }
  if (!route && !allowed.empty()) {
    auto r = errorResponse(405, "method_not_allowed", "method not allowed here");
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  if (!route) return errorResponse(404, "not_found", "no such resource");

  if (route->body != RouteBody::None) {
    Poco::Net::MediaType type(request.getContentType().empty() ? "application/octet-stream"
                                                               : request.getContentType());
    if (!type.matches("application", "json"))
      return errorResponse(415, "unsupported_media_type", "send application/json");
    req.body = body;  // the front has read it in full, whatever the route
  }

  // Access, enforced here for every route before its handler (access.hpp).
  req.origin = request.get("Origin", "");
  req.host = request.getHost();
  const std::string peer = request.clientAddress().host().toString();
  req.https = proxies_.contains(canonicalAddress(peer).value_or(peer)) &&
              ascii::iequals(request.get("X-Forwarded-Proto", ""), "https");
  if (route->body == RouteBody::SignIn) {
    // No session yet, so no CSRF token: a page of another site must still not sign in here.
    if (!req.origin.empty() && !originMatchesHost(req.origin, req.host)) return csrfResponse();
  } else {
    auto identified = ctx_.auth.identify(
        request.get("Authorization", ""),
        cookieValue(request.get("Cookie", ""), kSessionCookie), req.client);
    if (auto* error = std::get_if<ApiResponse>(&identified)) return *error;
    req.who = std::get<Identity>(std::move(identified));
  }
  switch (decide(route->access, req.who, req.params, ctx_.auth.publicOverview())) {
    case Decision::Allow:
      break;
    case Decision::Unauthenticated:
      return unauthenticatedResponse();
    case Decision::Forbidden:
      return forbiddenResponse(route->access == Access::DomainReader
                                   ? "this account may not see that domain"
                                   : "this account's role may not do this");
  }
  if (!csrfAllows(req.method, req.who, request.get("X-CSRF-Token", ""), req.origin, req.host))
    return csrfResponse();
  ApiResponse response = route->handler(ctx_, req);
  if (route->access == Access::Admin && routeMethod != "GET")
    ctx_.auth.audit(req.who, req.client, "admin_action", req.method + " " + path,
                    std::to_string(response.status));
  return response;
}

void Router::serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   const std::string& body) {
  const auto start = std::chrono::steady_clock::now();
  ApiResponse r;
  try {
    r = dispatch(request, body);
  } catch (const store::StoreError& e) {
    // A full disk, a store another writer holds locked, or a read-only one: the service goes on
    // answering, and says what stopped this request.
    httpLogger()->error("request failed method={} path={} what=\"{}\"",
                        loggable(request.getMethod()), loggable(request.getURI()), e.what());
    r = errorResponse(503, "store_unavailable",
                      std::string("the store cannot be used now (") +
                          (e.code() ? sqlite3_errstr(e.code()) : e.what()) + "); retry later");
    r.headers.emplace_back("Retry-After", "30");
  } catch (const std::exception& e) {
    httpLogger()->error("request failed method={} path={} what=\"{}\"",
                        loggable(request.getMethod()), loggable(request.getURI()), e.what());
    r = errorResponse(500, "internal", "internal error");
  }
  respond(request, response, r, false, start);
}

void Router::refuse(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                    int status, std::string_view code, std::string_view message) {
  respond(request, response, errorResponse(status, code, message), true,
          std::chrono::steady_clock::now());
}

void Router::respond(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                     const ApiResponse& r, bool close,
                     std::chrono::steady_clock::time_point start) {
  std::string body = r.text;
  std::string contentType = r.content_type;
  if (body.empty() && contentType.empty()) {
    body = r.body.dump();
    contentType = "application/json; charset=utf-8";
  }
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
  response.setContentType(contentType);
  for (const auto& [name, value] : kSecurityHeaders) response.set(name, value);
  for (const auto& [name, value] : r.headers) response.set(name, value);
  if (close) response.setKeepAlive(false);
  // A HEAD answer carries the Content-Length of the GET body but no body: Poco's send() writes
  // only the head for a HEAD request, and nothing is written to its stream here either.
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  const bool head = request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD;
  try {
    std::ostream& out = response.send();
    if (!head) out.write(body.data(), static_cast<std::streamsize>(body.size()));
  } catch (const std::exception& e) {
    httpLogger()->warn("response not sent path={} what=\"{}\"", loggable(request.getURI()),
                       e.what());
  }
  ctx_.env.metrics.countRequest(r.status);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  httpLogger()->info("request method={} path={} status={} ms={:.1f} client={} peer={}",
                     loggable(request.getMethod()), loggable(request.getURI()), r.status, ms,
                     client(request), request.clientAddress().host().toString());
}

}  // namespace mh::service::http
