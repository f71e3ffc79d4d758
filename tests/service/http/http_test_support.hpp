// Test helpers for the HTTP service: a temp dir with a registry, a server on an ephemeral
// loopback port, and a small client.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "service/http/server.hpp"

namespace mh::service::http::testing {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/mh-http-test.XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

inline HttpResult call(std::uint16_t port, const std::string& method, const std::string& path,
                       const std::string& body = "",
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       const std::string& content_type = "application/json") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() || method == "POST") {
    request.setContentType(content_type);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpResult result;
  result.status = response.getStatus();
  Poco::StreamCopier::copyToString(in, result.body);
  for (const auto& [name, value] : response) result.headers[name] = value;
  return result;
}

// The admin token every TestServer accepts (admin.token_sha256): get() and post() send it.
inline constexpr const char* kTestAdminToken = "test-admin-token-of-at-least-32-characters";

inline std::vector<std::pair<std::string, std::string>> adminHeaders() {
  return {{"Authorization", std::string("Bearer ") + kTestAdminToken}};
}

// A server over a registry of `domains` (category agency, group "lab" unless given as
// "domain,group"), a fresh database, and the scanner arguments given.
class TestServer {
 public:
  TestServer(const std::vector<std::string>& domains, const std::vector<std::string>& scanner_args,
             const std::function<void(ServeConfig&)>& adjust = {}) {
    {
      std::ofstream csv(dir_.path / "domains.csv");
      csv << "domain,category,group\n";
      for (const auto& d : domains) {
        const auto comma = d.find(',');
        csv << d.substr(0, comma) << ",agency,"
            << (comma == std::string::npos ? "lab" : d.substr(comma + 1)) << "\n";
      }
    }
    std::vector<std::string> args = {"--port",    "0",
                                     "--domains", (dir_.path / "domains.csv").string(),
                                     "--db",      (dir_.path / "serve.db").string()};
    args.insert(args.end(), scanner_args.begin(), scanner_args.end());
    auto parsed = parseServeArguments(args);
    if (auto* usage = std::get_if<ServeUsage>(&parsed))
      throw std::runtime_error("bad test arguments: " + usage->message);
    ServeConfig config = std::get<ServeConfig>(parsed);
    if (adjust) adjust(config);
    config.admin_token_sha256.push_back(sha256Hex(kTestAdminToken));
    server_ = std::make_unique<Server>(config);
    server_->start();
  }
  std::uint16_t port() const { return server_->port(); }
  Server& server() { return *server_; }
  const TempDir& dir() const { return dir_; }
  // As admin (kTestAdminToken).
  HttpResult get(const std::string& path) { return call(port(), "GET", path, "", adminHeaders()); }
  // Without credentials.
  HttpResult anonymousGet(const std::string& path) { return call(port(), "GET", path); }
  // As admin unless `headers` say otherwise (an empty list: as admin; give
  // {{"Authorization", ""}} to post anonymously).
  HttpResult post(const std::string& path, const std::string& body,
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (headers.empty()) headers = adminHeaders();
    return call(port(), "POST", path, body, headers);
  }
  // POST /api/v1/self-check, then, for a 202, polls the job (at most 120 s) until it is no
  // longer running; returns the 200 of a cached result, the job's final poll (its "result"
  // holds the audit), or the error answer.
  HttpResult selfCheck(const std::string& body) {
    HttpResult r = post("/api/v1/self-check", body);
    return r.status == 202 ? pollJob(r.header("Location")) : r;
  }
  // Polls a self-check job until it is no longer running (at most 120 s).
  HttpResult pollJob(const std::string& location) {
    HttpResult r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      r = get(location);
      if (r.status != 200 || r.body.find("\"state\":\"running\"") == std::string::npos) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return r;
  }

 private:
  TempDir dir_;
  std::unique_ptr<Server> server_;
};

}  // namespace mh::service::http::testing
