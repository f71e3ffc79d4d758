// Routing, the Host allow-list, response headers and request logging of the HTTP service.
#include "service/http/router.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/MediaType.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <chrono>

#include "service/http/report_routes.hpp"

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
  std::vector<Route> routes = {
      {"GET", "/healthz", false, [](ApiContext& c, const Request&) { return health(c); }},
      {"GET", "/metrics", false, [](ApiContext& c, const Request&) { return metrics(c); }},
      {"GET", "/api/v1/openapi.json", false,
       [](ApiContext&, const Request&) { return openApiDocument(); }},
      {"GET", "/api/v1/rubric", false, [](ApiContext&, const Request&) { return rubricDocument(); }},
      {"GET", "/api/v1/domains", false,
       [](ApiContext& c, const Request& r) { return listDomains(c, r.queryValue("group")); }},
      {"GET", "/api/v1/domains/{}", false,
       [](ApiContext& c, const Request& r) { return getDomain(c, r.params[0]); }},
      {"GET", "/api/v1/domains/{}/history", false,
       [](ApiContext& c, const Request& r) { return getDomainHistory(c, r.params[0]); }},
      {"POST", "/api/v1/self-check", true,
       [](ApiContext& c, const Request& r) { return postSelfCheck(c, r.body, r.client); }},
      {"GET", "/api/v1/self-check/{}", false,
       [](ApiContext& c, const Request& r) { return getSelfCheckJob(c, r.params[0]); }},
      {"GET", "/api/v1/runs", false, [](ApiContext& c, const Request&) { return listRuns(c); }},
      {"POST", "/api/v1/runs", false,
       [](ApiContext& c, const Request& r) { return postRun(c, r.authorization, r.client); }},
      {"GET", "/api/v1/runs/{}", false,
       [](ApiContext& c, const Request& r) { return getRun(c, r.params[0]); }},
  };
  for (auto& route : reportRoutes()) routes.push_back(std::move(route));
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
  req.authorization = request.get("Authorization", "");
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

  if (route->json_body) {
    Poco::Net::MediaType type(request.getContentType().empty() ? "application/octet-stream"
                                                               : request.getContentType());
    if (!type.matches("application", "json"))
      return errorResponse(415, "unsupported_media_type", "send application/json");
    req.body = body;  // the front has read it in full, whatever the route
  }
  return route->handler(ctx_, req);
}

void Router::serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   const std::string& body) {
  const auto start = std::chrono::steady_clock::now();
  ApiResponse r;
  try {
    r = dispatch(request, body);
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
