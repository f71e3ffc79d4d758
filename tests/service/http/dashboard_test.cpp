// Tests of the dashboard routes without DNS: pages and assets served with their types under the
// CSP, unknown assets 404, every referenced asset embedded, nothing the CSP would block, and the
// dashboard JSON on an empty store (the lab tests cover it with data).
#include "service/http/dashboard.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/service/http/http_test_support.hpp"

namespace mh::service::http {
namespace {

using testing::call;
using testing::TestServer;

Poco::JSON::Object::Ptr parse(const std::string& body) {
  return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
}

// No DNS is needed: nothing here audits (the resolver is a closed port).
class DashboardTest : public ::testing::Test {
 protected:
  TestServer server_{{"agency.gov.vn,Bộ ngành", "other.gov.vn,Tỉnh thành"},
                     {"--resolver", "127.0.0.1:9", "--no-smtp", "--timeout", "0.2", "--retries",
                      "0", "--psl", MH_PSL_FILE}};
};

TEST_F(DashboardTest, PagesAreHtmlUnderTheStrictCsp) {
  for (const char* path : {"/", "/self-check", "/sign-in", "/domain/agency.gov.vn"}) {
    auto r = server_.get(path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_NE(r.body.find("<html lang=\"vi\">"), std::string::npos) << path;
    const std::string csp = r.header("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  }
  EXPECT_NE(server_.get("/").body.find("/assets/overview.js"), std::string::npos);
  EXPECT_NE(server_.get("/self-check").body.find("id=\"self-check-form\""), std::string::npos);
  const std::string signIn = server_.get("/sign-in").body;
  EXPECT_NE(signIn.find("id=\"sign-in-form\""), std::string::npos);
  EXPECT_NE(signIn.find("<label for=\"token-input\""), std::string::npos);
  EXPECT_NE(signIn.find("href=\"/self-check\""), std::string::npos) << "the public self-check";
}

TEST_F(DashboardTest, AssetsHaveTheirContentTypesAndUnknownOnesAre404) {
  const std::pair<const char*, const char*> expected[] = {
      {"/assets/overview.js", "text/javascript; charset=utf-8"},
      {"/assets/i18n.js", "text/javascript; charset=utf-8"},
      {"/assets/app.css", "text/css; charset=utf-8"},
      {"/assets/favicon.svg", "image/svg+xml"},
  };
  for (const auto& [path, type] : expected) {
    auto r = server_.get(path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.header("Content-Type"), type) << path;
    EXPECT_EQ(r.header("Cache-Control"), "public, max-age=300") << path;
    EXPECT_FALSE(r.body.empty());
  }
  for (const char* path : {"/assets/nope.js", "/assets/..%2Findex.html", "/assets/", "/assets"}) {
    EXPECT_EQ(server_.get(path).status, 404) << path;
  }
  EXPECT_EQ(server_.get("/assets/index.html").status, 404) << "pages are not assets";
  EXPECT_EQ(call(server_.port(), "POST", "/", "{}").status, 405);
}

TEST(DashboardFiles, EveryReferencedAssetIsEmbedded) {
  const std::regex reference(R"re((?:src|href)="(/assets/[^"]+)")re");
  const std::regex moduleImport(R"re(from '\./([^']+)')re");
  std::set<std::string> referenced;
  for (const auto& file : webFiles()) {
    const std::string body(file.body);
    const std::regex& pattern = file.path.ends_with(".js") ? moduleImport : reference;
    for (std::sregex_iterator it(body.begin(), body.end(), pattern), end; it != end; ++it) {
      referenced.insert(file.path.ends_with(".js") ? "assets/" + (*it)[1].str()
                                                   : (*it)[1].str().substr(1));
    }
  }
  for (const char* page : {"index.html", "domain.html", "self-check.html", "sign-in.html"})
    EXPECT_NE(findWebFile(page), nullptr) << page;
  EXPECT_GT(referenced.size(), 8u);
  for (const auto& path : referenced) EXPECT_NE(findWebFile(path), nullptr) << path;
}

TEST(DashboardFiles, NothingTheCspWouldBlock) {
  // Inline scripts, inline styles, event-handler attributes, eval and HTML parsing of data.
  const std::regex inlineScript(R"re(<script(?![^>]*\ssrc=)[^>]*>)re");
  const std::regex forbiddenInHtml(R"re(\sstyle=|\son[a-z]+=|<style|javascript:)re");
  const std::regex forbiddenInJs(
      R"re(innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\('style')re");
  const std::regex external(R"re((?:src|href)="(?:https?:)?//)re");
  for (const auto& file : webFiles()) {
    const std::string body(file.body);
    if (file.path.ends_with(".html")) {
      EXPECT_FALSE(std::regex_search(body, inlineScript)) << file.path;
      EXPECT_FALSE(std::regex_search(body, forbiddenInHtml)) << file.path;
      EXPECT_FALSE(std::regex_search(body, external)) << file.path;
    }
    if (file.path.ends_with(".js")) {
      EXPECT_FALSE(std::regex_search(body, forbiddenInJs)) << file.path;
    }
  }
}

TEST_F(DashboardTest, TrendOnAnEmptyStoreListsTheMetricsAndNoRun) {
  auto r = server_.get("/api/v1/trend");
  ASSERT_EQ(r.status, 200) << r.body;
  auto trend = parse(r.body);
  EXPECT_EQ(trend->getArray("runs")->size(), 0u);
  EXPECT_EQ(trend->getArray("metrics")->size(), 14u);
}

TEST_F(DashboardTest, OpenApiDescribesTheDashboardJson) {
  auto paths = parse(server_.get("/api/v1/openapi.json").body)->getObject("paths");
  EXPECT_TRUE(paths->has("/api/v1/trend"));
  EXPECT_TRUE(paths->has("/api/v1/domains/{domain}/changes"));
}

TEST_F(DashboardTest, ChangesValidateTheDomain) {
  auto none = server_.get("/api/v1/domains/agency.gov.vn/changes");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(parse(none.body)->getArray("audits")->size(), 0u);
  EXPECT_EQ(server_.get("/api/v1/domains/unknown.gov.vn/changes").status, 404);
  EXPECT_EQ(server_.get("/api/v1/domains/bad..name/changes").status, 400);
  EXPECT_EQ(server_.get("/api/v1/domains/" + std::string(300, 'a') + "/changes").status, 400);
}

TEST_F(DashboardTest, ThePublicOverviewIsForAuditorsUnlessConfigured) {
  EXPECT_EQ(server_.anonymousGet("/api/v1/overview/public").status, 401);
  EXPECT_EQ(server_.get("/api/v1/overview/public").status, 200);
  TestServer open({"agency.gov.vn"},
                  {"--resolver", "127.0.0.1:9", "--no-smtp", "--timeout", "0.2", "--retries", "0",
                   "--psl", MH_PSL_FILE},
                  [](ServeConfig& c) { c.access.public_overview = true; });
  auto r = open.anonymousGet("/api/v1/overview/public");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = parse(r.body);
  EXPECT_EQ(j->getObject("score_distribution")->getArray("counts")->size(), 10u);
  EXPECT_EQ(j->getArray("runs")->size(), 0u);
  EXPECT_EQ(r.body.find("agency.gov.vn"), std::string::npos) << "nothing per domain";
  // Only the aggregates: the per-domain reads stay closed.
  EXPECT_EQ(open.anonymousGet("/api/v1/trend").status, 401);
  EXPECT_EQ(open.anonymousGet("/api/v1/domains").status, 401);
}

}  // namespace
}  // namespace mh::service::http
