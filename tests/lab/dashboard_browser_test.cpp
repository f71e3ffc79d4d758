// Browser test of the dashboard (label "browser"): Debian's headless Chromium, driven through
// chromedriver over W3C WebDriver, loads the overview of two national lab runs, switches to
// English and back, submits the self-check form for a lab domain, sees the findings and the
// score chart, and saves screenshots into the build tree; no page may log a JS error or a CSP
// violation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/lab/dashboard_lab_data.hpp"
#include "tests/support/webdriver.hpp"

namespace mh::lab {
namespace {

namespace fs = std::filesystem;
using service::http::testing::TempDir;
using service::http::testing::TestServer;
using testing_support::ChromeDriverProcess;
using testing_support::WebDriverSession;

constexpr auto kPageTimeout = std::chrono::seconds(20);
constexpr auto kSelfCheckTimeout = std::chrono::seconds(60);

// What the page's error collector (assets/errors.js) caught, as JSON text.
std::string pageProblems(WebDriverSession& browser) {
  return browser.executeString(
      "return JSON.stringify(window.mhPageProblems || {missing: 'errors.js did not run'});");
}

constexpr const char* kNoProblems = R"({"errors":[],"csp":[]})";

// Console entries at level SEVERE since the last call (CSP reports land there too), but for
// the error statuses of `expected_failures` (e.g. "/api/v1/self-check"), which Chromium logs.
std::vector<std::string> severeConsole(WebDriverSession& browser,
                                       const std::string& expected_failures) {
  std::vector<std::string> severe;
  for (auto& line : browser.consoleLog()) {
    if (!line.starts_with("SEVERE")) continue;
    if (!expected_failures.empty() &&
        line.find(expected_failures + " - Failed to load resource: the server responded with a "
                                      "status of 4") != std::string::npos)
      continue;
    severe.push_back(line);
  }
  return severe;
}

Poco::JSON::Array::Ptr argument(const std::string& value) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  a->add(value);
  return a;
}

int count(WebDriverSession& browser, const std::string& css) {
  return browser.execute("return document.querySelectorAll(arguments[0]).length;", argument(css))
      .convert<int>();
}

std::string text(WebDriverSession& browser, const std::string& css) {
  auto v = browser.execute(
      "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
      argument(css));
  return v.isEmpty() ? "<none>" : v.convert<std::string>();
}

void saveScreenshot(WebDriverSession& browser, const std::string& name) {
  const fs::path path = fs::path(MH_BINARY_DIR) / "tests" / "lab" / name;
  fs::create_directories(path.parent_path());
  const std::string png = browser.screenshotPng();
  ASSERT_TRUE(png.starts_with("\x89PNG\r\n\x1a\n")) << "not a PNG";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << png;
  std::cout << "screenshot: " << path.string() << " (" << png.size() << " bytes)" << std::endl;
}

void waitForPage(WebDriverSession& browser) {
  ASSERT_TRUE(browser.waitUntil("return document.body && document.body.dataset.ready === 'true';",
                                kPageTimeout))
      << "page not ready: " << pageProblems(browser);
}

void expectNoProblems(WebDriverSession& browser, const std::string& page,
                      const std::string& expected_failures = "") {
  EXPECT_EQ(pageProblems(browser), kNoProblems) << page;
  const auto severe = severeConsole(browser, expected_failures);
  EXPECT_TRUE(severe.empty()) << page << ": " << (severe.empty() ? "" : severe.front());
}

TEST(DashboardBrowser, OverviewLanguageSwitchAndSelfCheckInHeadlessChromium) {
  ASSERT_EQ(::access("/usr/bin/chromium", X_OK), 0)
      << "/usr/bin/chromium is missing: install Debian's chromium (scripts/setup-deps.sh does)";
  ASSERT_EQ(::access("/usr/bin/chromedriver", X_OK), 0)
      << "/usr/bin/chromedriver is missing: install Debian's chromium-driver "
         "(scripts/setup-deps.sh does)";

  DashboardLabData data;  // two national runs, good.lab.test's DMARC weakened in the second
  TestServer server(kDashboardDomains, dashboardScanner(sharedLab().port()),
                    [&](service::http::ServeConfig& c) {
                      c.db = data.db();
                      c.self_check.max_age_seconds = 0;  // the form audits for real
                      c.self_check.rate_per_domain_per_minute = 1;
                    });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  TempDir browserDir;
  ChromeDriverProcess driver(browserDir.path);
  WebDriverSession browser(driver.port(),
                           WebDriverSession::chromiumCapabilities(browserDir.path / "profile"));

  // Signed in as admin: the session cookie of POST /api/v1/session, set for the origin.
  const auto signIn = service::http::testing::call(
      server.port(), "POST", "/api/v1/session",
      std::string("{\"token\": \"") + service::http::testing::kTestAdminToken + "\"}");
  ASSERT_EQ(signIn.status, 200) << signIn.body;
  const std::string setCookie = signIn.header("Set-Cookie");
  const auto valueStart = setCookie.find('=') + 1;
  browser.navigate(base + "/self-check");  // a page with its icon: no /favicon.ico
  browser.addCookie("mh_session", setCookie.substr(valueStart, setCookie.find(';') - valueStart));

  // ---- the overview, in Vietnamese ----
  browser.navigate(base + "/");
  waitForPage(browser);
  EXPECT_EQ(browser.executeString("return document.documentElement.lang;"), "vi");
  ASSERT_EQ(count(browser, "#tier-counts li[data-tier]"), 6);
  EXPECT_EQ(text(browser, "#tier-counts li[data-tier=non_compliant] .label"), "Không đạt");
  EXPECT_EQ(text(browser, "#tier-counts li[data-tier=baseline] .label"), "Đạt cơ bản");
  EXPECT_EQ(text(browser, "#tier-counts li[data-tier=advanced] .label"), "Nâng cao");
  EXPECT_EQ(browser
                .execute("let n = 0; for (const c of document.querySelectorAll('#tier-counts "
                         ".count')) n += Number(c.textContent); return n;")
                .convert<int>(),
            static_cast<int>(kDashboardDomains.size()));
  EXPECT_EQ(text(browser, "#tier-counts li[data-tier=none] .count"), "0");
  EXPECT_EQ(count(browser, "#score-distribution svg rect.bar"), 10);
  EXPECT_GE(count(browser, "#score-distribution svg title"), 1);
  // The trend: mean/median and one chart per §3.4 metric, two runs each.
  EXPECT_EQ(count(browser, "#trend-charts svg.line-chart"), 15);
  EXPECT_EQ(count(browser, "#trend-charts figure:first-child svg circle.point"), 4);
  EXPECT_EQ(count(browser, "#trend-charts figure:first-child svg path.line"), 2);
  EXPECT_EQ(count(browser, "#groups-table tbody tr"), 3);
  EXPECT_EQ(count(browser, "#domains-table tbody tr"), static_cast<int>(kDashboardDomains.size()));
  EXPECT_EQ(count(browser, "#downloads a[href='/reports/national.csv']"), 1);
  EXPECT_EQ(count(browser, "#downloads a[href='/reports/national.xlsx']"), 1);
  EXPECT_EQ(count(browser, "#downloads a[href$='.xlsx']"),
            count(browser, "#downloads a[href$='.csv']"))
      << "every download in both formats";
  browser.setWindowSize(1280, 3200);  // the whole overview
  saveScreenshot(browser, "dashboard-overview.png");
  browser.setWindowSize(1280, 1600);

  // Sorting the group table by mean score, both ways.
  browser.click(browser.findElement("#groups-table th button[data-sort-key=mean]"));
  const std::string sortedOnce = text(browser, "#groups-table tbody tr:first-child th");
  const std::string ariaOnce = browser.executeString(
      "return document.querySelector('#groups-table th[aria-sort=ascending], "
      "#groups-table th[aria-sort=descending]').getAttribute('aria-sort');");
  browser.click(browser.findElement("#groups-table th button[data-sort-key=mean]"));
  EXPECT_NE(text(browser, "#groups-table tbody tr:first-child th"), sortedOnce);
  EXPECT_NE(browser.executeString(
                "return document.querySelector('#groups-table th button[data-sort-key=mean]')"
                ".parentElement.getAttribute('aria-sort');"),
            ariaOnce);

  // ---- English, remembered across a reload, then back to Vietnamese ----
  browser.click(browser.findElement("#lang-switch"));
  EXPECT_EQ(browser.executeString("return document.documentElement.lang;"), "en");
  EXPECT_EQ(text(browser, "h1"), "Email security of state agencies");
  EXPECT_EQ(text(browser, "#tier-counts li[data-tier=non_compliant] .label"), "Non-compliant");
  browser.navigate(base + "/");
  waitForPage(browser);
  EXPECT_EQ(browser.executeString("return document.documentElement.lang;"), "en");
  EXPECT_EQ(text(browser, "#lang-switch"), "Tiếng Việt");
  browser.click(browser.findElement("#lang-switch"));
  EXPECT_EQ(browser.executeString("return document.documentElement.lang;"), "vi");
  EXPECT_EQ(text(browser, "h1"), "An toàn thư điện tử của các cơ quan nhà nước");
  expectNoProblems(browser, "overview");

  // ---- the self-check form ----
  browser.click(browser.findElement("#nav-self-check"));
  waitForPage(browser);
  ASSERT_EQ(browser.executeString("return location.pathname;"), "/self-check");
  const std::string input = browser.findElement("#domain-input");
  browser.sendKeys(input, "good.lab.test");
  browser.click(browser.findElement("#self-check-submit"));
  ASSERT_TRUE(browser.waitUntil(
      "return document.querySelector('#self-check-result[data-state=done]') !== null && "
      "document.querySelectorAll('#findings article.check').length > 5 && "
      "document.querySelectorAll('#score-history svg circle.point').length > 0;",
      kSelfCheckTimeout))
      << text(browser, "#self-check-status") << " " << pageProblems(browser);
  EXPECT_EQ(text(browser, "#self-check-status"), "Đã kiểm tra good.lab.test.");
  EXPECT_GE(count(browser, "#findings ul.findings li.finding"), 5);
  EXPECT_GE(count(browser, "#findings .badge.status-pass"), 1);
  EXPECT_EQ(text(browser, "#findings .badge.status-pass"), "Đạt");
  // Two national runs and this self-check.
  EXPECT_EQ(count(browser, "#score-history svg circle.point"), 3);
  EXPECT_EQ(count(browser, "#score-history svg path.line"), 1);
  EXPECT_EQ(count(browser, "#score-history svg > title"), 1);
  saveScreenshot(browser, "dashboard-selfcheck.png");
  expectNoProblems(browser, "self-check");

  // The error messages: rate-limited (the same domain again), unknown, invalid.
  browser.click(browser.findElement("#self-check-submit"));
  ASSERT_TRUE(browser.waitUntil(
      "return document.querySelector('#self-check-status.error') !== null;", kPageTimeout));
  EXPECT_NE(text(browser, "#self-check-status").find("Quá nhiều yêu cầu kiểm tra"),
            std::string::npos)
      << text(browser, "#self-check-status");
  EXPECT_EQ(count(browser, "#findings"), 0) << "no stale result under an error";
  for (const auto& [domain, expected] : std::vector<std::pair<std::string, std::string>>{
           {"unknown.lab.test", "không có trong danh sách"},
           {"bad..name", "Tên miền không hợp lệ"}}) {
    browser.clearElement(input);
    browser.sendKeys(input, domain);
    browser.click(browser.findElement("#self-check-submit"));
    ASSERT_TRUE(
        browser.waitUntil("const s = document.querySelector('#self-check-status.error');"
                          "return s !== null && s.textContent.includes(arguments[0]);",
                          kPageTimeout, argument(expected)))
        << domain << ": " << text(browser, "#self-check-status");
  }
  expectNoProblems(browser, "self-check errors", "/api/v1/self-check");

  // ---- the domain page: history of three audits, the DMARC regression and its record ----
  browser.navigate(base + "/domain/good.lab.test");
  waitForPage(browser);
  EXPECT_EQ(text(browser, "#domain-name"), "good.lab.test");
  EXPECT_EQ(count(browser, "#score-history svg circle.point"), 3);
  EXPECT_GT(count(browser, "#findings article.check"), 5);
  ASSERT_GE(count(browser, "#changes-list li.change"), 2) << text(browser, "#changes");
  EXPECT_GE(count(browser, "#changes-list li.regression"), 1) << text(browser, "#changes");
  EXPECT_NE(text(browser, "#changes-list").find("_dmarc.good.lab.test TXT"), std::string::npos)
      << text(browser, "#changes-list");
  EXPECT_EQ(
      browser.executeString("return document.querySelector('#history-csv').getAttribute('href');"),
      "/reports/domains/good.lab.test/history.csv");
  EXPECT_EQ(
      browser.executeString("return document.querySelector('#history-xlsx').getAttribute('href');"),
      "/reports/domains/good.lab.test/history.xlsx");
  browser.setWindowSize(1280, 2400);
  saveScreenshot(browser, "dashboard-domain.png");
  expectNoProblems(browser, "domain page");

  // Remediation follows the language: p=none gets DMARC advice, in Vietnamese then in English.
  browser.navigate(base + "/domain/dmarc-none.lab.test");
  waitForPage(browser);
  ASSERT_GE(count(browser, "#findings .remediation p"), 1);
  const std::string adviceVi = text(browser, "#findings .remediation");
  // The findings follow the language too; none is marked English-only on a fresh result.
  const std::string policyFinding = "#findings [data-check=\"DMARC-02\"] .finding-text";
  const std::string findingVi = text(browser, policyFinding);
  EXPECT_NE(findingVi.find("Chính sách được áp dụng"), std::string::npos) << findingVi;
  EXPECT_EQ(count(browser, "#findings .finding-text[lang=\"en\"]"), 0);
  EXPECT_EQ(count(browser, "#findings .english-only"), 0);
  // So do the reasons for the tier (p=none misses the baseline's p=reject).
  const std::string reasonsVi = text(browser, "#summary .tier-reasons ul");
  EXPECT_NE(reasonsVi.find("chưa đạt: DMARC p=reject"), std::string::npos) << reasonsVi;
  EXPECT_EQ(count(browser, "#summary .tier-reasons li[lang=\"en\"]"), 0);
  EXPECT_EQ(count(browser, "#summary .tier-reasons .english-only"), 0);
  browser.click(browser.findElement("#lang-switch"));
  const std::string reasonsEn = text(browser, "#summary .tier-reasons ul");
  EXPECT_NE(reasonsEn.find("not met: DMARC p=reject"), std::string::npos) << reasonsEn;
  EXPECT_EQ(count(browser, "#summary .tier-reasons li[lang=\"vi\"]"), 0);
  const std::string adviceEn = text(browser, "#findings .remediation");
  EXPECT_NE(adviceVi, adviceEn);
  EXPECT_NE(adviceVi.find("Cách khắc phục"), std::string::npos) << adviceVi;
  EXPECT_NE(adviceEn.find("How to fix"), std::string::npos) << adviceEn;
  const std::string findingEn = text(browser, policyFinding);
  EXPECT_NE(findingEn.find("Applied policy"), std::string::npos) << findingEn;
  EXPECT_EQ(count(browser, "#findings .finding-text[lang=\"vi\"]"), 0);
  expectNoProblems(browser, "domain page, English");

  // The score caps follow the language too: SPF "+all" is a critical finding (English is
  // remembered from the switch above, then back to Vietnamese).
  browser.navigate(base + "/domain/spf-plus-all.lab.test");
  waitForPage(browser);
  const std::string capsEn = text(browser, "#summary .score-caps ul");
  EXPECT_NE(capsEn.find("critical finding: "), std::string::npos) << capsEn;
  EXPECT_NE(capsEn.find("SPF_POLICY_PASS_ALL"), std::string::npos) << capsEn;
  EXPECT_EQ(count(browser, "#summary .score-caps li[lang=\"vi\"]"), 0);
  browser.click(browser.findElement("#lang-switch"));
  const std::string capsVi = text(browser, "#summary .score-caps ul");
  EXPECT_NE(capsVi.find("phát hiện nghiêm trọng: "), std::string::npos) << capsVi;
  EXPECT_NE(capsVi.find("SPF_POLICY_PASS_ALL"), std::string::npos) << capsVi;
  EXPECT_EQ(count(browser, "#summary .score-caps li[lang=\"en\"]"), 0);
  EXPECT_EQ(count(browser, "#summary .score-caps .english-only"), 0);
  expectNoProblems(browser, "domain page, score caps");
}

}  // namespace
}  // namespace mh::lab
