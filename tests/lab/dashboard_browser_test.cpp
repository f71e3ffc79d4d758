// Browser test of the dashboard (label "browser"): Debian's headless Chromium, driven through
// chromedriver over W3C WebDriver, signs in with tokens made by `mailhygiene token create`; as an
// auditor it loads the overview of two national lab runs, switches to English and back, submits
// the self-check form for a lab domain, sees the findings and the score chart; as an agency it
// sees only its domain and a clear "not yours" page for another, then signs out; an admin starts
// a run; an agency with two domains gets their list; anonymous, it uses the public self-check.
// Screenshots go into the build tree; no page may log a JS error or a CSP violation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/lab/dashboard_lab_data.hpp"
#include "tests/lab/run_program.hpp"
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
// the 4xx statuses of `expected_failures` (e.g. "/api/v1/self-check"), which Chromium logs.
std::vector<std::string> severeConsole(WebDriverSession& browser,
                                       const std::vector<std::string>& expected_failures) {
  std::vector<std::string> severe;
  for (auto& line : browser.consoleLog()) {
    if (!line.starts_with("SEVERE")) continue;
    bool expected = false;
    for (const auto& path : expected_failures)
      expected = expected || line.find(path +
                                       " - Failed to load resource: the server responded with a "
                                       "status of 4") != std::string::npos;
    if (!expected) severe.push_back(line);
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
                      const std::vector<std::string>& expected_failures = {}) {
  EXPECT_EQ(pageProblems(browser), kNoProblems) << page;
  const auto severe = severeConsole(browser, expected_failures);
  EXPECT_TRUE(severe.empty()) << page << ": " << (severe.empty() ? "" : severe.front());
}

// Anonymous pages ask for the session first, and `/` for the public overview (off unless
// configured); both 401s are logged by Chromium.
const std::string kSessionPath = "/api/v1/session";
const std::vector<std::string> kAnonymous = {kSessionPath, "/api/v1/overview/public"};

// `mailhygiene token create --db DB args...`: the new token, the last line of its output.
std::string createToken(const std::string& db, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {MH_CLI_PATH, "token", "create", "--db", db};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto run = runProgram(argv, std::chrono::seconds(30));
  if (run.exit_status != 0)
    throw std::runtime_error("token create exited " + std::to_string(run.exit_status) + ": " +
                             run.err);
  std::istringstream lines(run.out);
  std::string line, last;
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  if (last.size() < 22) throw std::runtime_error("no token in the output: " + run.out);
  return last;
}

void waitForPath(WebDriverSession& browser, const std::string& path) {
  ASSERT_TRUE(
      browser.waitUntil("return location.pathname === arguments[0] && document.body && "
                        "document.body.dataset.ready === 'true';",
                        kPageTimeout, argument(path)))
      << "not at " << path << " but " << browser.executeString("return location.href;") << ": "
      << pageProblems(browser);
}

// Pastes `token` into the sign-in form (the page must be the sign-in page) and submits it.
void submitToken(WebDriverSession& browser, const std::string& token) {
  const std::string input = browser.findElement("#token-input");
  browser.clearElement(input);
  browser.sendKeys(input, token);
  browser.click(browser.findElement("#sign-in-submit"));
}

TEST(DashboardBrowser, OverviewLanguageSwitchAndSelfCheckInHeadlessChromium) {
  ASSERT_EQ(::access("/usr/bin/chromium", X_OK), 0)
      << "/usr/bin/chromium is missing: install Debian's chromium (scripts/setup-deps.sh does)";
  ASSERT_EQ(::access("/usr/bin/chromedriver", X_OK), 0)
      << "/usr/bin/chromedriver is missing: install Debian's chromium-driver "
         "(scripts/setup-deps.sh does)";

  DashboardLabData data;  // two national runs, good.lab.test's DMARC weakened in the second
  const std::string auditor =
      createToken(data.db(), {"--role", "auditor", "--name", "Kiểm tra viên A"});
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

  // ---- signed in as an auditor: the overview, in Vietnamese ----
  browser.navigate(base + "/");
  waitForPath(browser, "/sign-in");
  submitToken(browser, auditor);
  waitForPath(browser, "/");
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
  expectNoProblems(browser, "overview", kAnonymous);

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
  expectNoProblems(browser, "self-check errors", {"/api/v1/self-check"});

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

TEST(DashboardBrowser, SignInPerRoleNotYoursPageSignOutAndPublicSelfCheck) {
  ASSERT_EQ(::access("/usr/bin/chromium", X_OK), 0) << "/usr/bin/chromium is missing";
  ASSERT_EQ(::access("/usr/bin/chromedriver", X_OK), 0) << "/usr/bin/chromedriver is missing";

  DashboardLabData data;
  const std::string agency = createToken(
      data.db(), {"--role", "agency", "--domains", "good.lab.test", "--name", "Sở Good"});
  const std::string auditor =
      createToken(data.db(), {"--role", "auditor", "--name", "Kiểm tra viên B"});
  const std::string admin = createToken(data.db(), {"--role", "admin", "--name", "Quản trị C"});
  const std::string province =
      createToken(data.db(), {"--role", "agency", "--domains",
                              "dmarc-none.lab.test,spf-plus-all.lab.test", "--name", "Tỉnh X"});
  TestServer server(kDashboardDomains, dashboardScanner(sharedLab().port()),
                    [&](service::http::ServeConfig& c) { c.db = data.db(); });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  TempDir browserDir;
  ChromeDriverProcess driver(browserDir.path);
  WebDriverSession browser(driver.port(),
                           WebDriverSession::chromiumCapabilities(browserDir.path / "profile"));

  // ---- anonymous: `/` and a domain page send to the sign-in page, which links the self-check ----
  browser.navigate(base + "/");
  waitForPath(browser, "/sign-in");
  EXPECT_EQ(browser.executeString("return document.body.dataset.role;"), "anonymous");
  EXPECT_EQ(text(browser, "h1"), "Đăng nhập");
  EXPECT_EQ(text(browser, "#account #sign-in-link"), "Đăng nhập");
  EXPECT_EQ(browser.executeString(
                "return document.querySelector('#public-self-check').getAttribute('href');"),
            "/self-check");
  EXPECT_EQ(browser.executeString("return document.querySelector('label[for=token-input]') "
                                  "? 'labelled' : 'no label';"),
            "labelled");
  EXPECT_TRUE(browser.executeString("return document.querySelector('#nav-overview').hidden "
                                    "? 'hidden' : 'shown';") == "hidden");
  browser.navigate(base + "/domain/good.lab.test");
  waitForPath(browser, "/sign-in");
  EXPECT_EQ(browser.executeString("return location.search;"), "?next=%2Fdomain%2Fgood.lab.test");
  EXPECT_EQ(text(browser, "#sign-in-status"), "Hãy đăng nhập để xem trang này.");
  expectNoProblems(browser, "anonymous redirects", kAnonymous);

  // ---- a wrong token: a clear error, in either language ----
  browser.navigate(base + "/sign-in");
  waitForPath(browser, "/sign-in");
  submitToken(browser, "mh_this-is-not-a-token-anyone-was-given");
  ASSERT_TRUE(browser.waitUntil("return document.querySelector('#sign-in-status.error') !== null;",
                                kPageTimeout))
      << text(browser, "#sign-in-status");
  EXPECT_NE(text(browser, "#sign-in-status").find("không đúng, đã hết hạn hoặc đã bị thu hồi"),
            std::string::npos)
      << text(browser, "#sign-in-status");
  EXPECT_EQ(browser.executeString(
                "return document.querySelector('#token-input').getAttribute('aria-invalid');"),
            "true");
  EXPECT_EQ(browser.executeString("return document.querySelector('#token-input').value;"), "")
      << "the token does not stay in the page";
  browser.click(browser.findElement("#lang-switch"));
  EXPECT_EQ(text(browser, "h1"), "Sign in");
  EXPECT_NE(text(browser, "#sign-in-status").find("wrong, expired or revoked"), std::string::npos)
      << text(browser, "#sign-in-status");
  saveScreenshot(browser, "dashboard-sign-in-error.png");
  browser.click(browser.findElement("#lang-switch"));
  expectNoProblems(browser, "wrong token", kAnonymous);

  // ---- the agency: lands on its one domain, name and role in the header ----
  submitToken(browser, agency);
  waitForPath(browser, "/domain/good.lab.test");
  EXPECT_EQ(text(browser, "#account-name"), "Sở Good");
  EXPECT_EQ(text(browser, "#account-role"), "Cơ quan");
  EXPECT_EQ(text(browser, "#nav-overview"), "Tên miền của tôi");
  EXPECT_GT(count(browser, "#findings article.check"), 5);
  EXPECT_EQ(count(browser, "#score-history svg circle.point"), 2);
  EXPECT_GE(count(browser, "#findings details.evidence"), 1);
  EXPECT_EQ(count(browser, "#not-yours:not([hidden])"), 0);
  const auto cookie = browser.cookie("mh_session");
  ASSERT_TRUE(cookie) << "no mh_session cookie";
  EXPECT_TRUE(cookie->getValue<bool>("httpOnly"));
  EXPECT_EQ(cookie->getValue<std::string>("sameSite"), "Strict");
  const std::string sessionCookie = "mh_session=" + cookie->getValue<std::string>("value");
  saveScreenshot(browser, "dashboard-agency-domain.png");
  expectNoProblems(browser, "agency's domain");

  // `/` is its domain's page again; the national overview is not its to see.
  browser.navigate(base + "/");
  waitForPath(browser, "/domain/good.lab.test");

  // Another agency's domain: the clear "not yours" page, nothing of that domain.
  browser.navigate(base + "/domain/dmarc-none.lab.test");
  waitForPage(browser);
  ASSERT_EQ(count(browser, "#not-yours:not([hidden])"), 1) << text(browser, "main");
  EXPECT_EQ(text(browser, "#not-yours h2"), "Không thuộc quyền của bạn");
  const std::string notYours = text(browser, "#not-yours");
  EXPECT_NE(notYours.find("dmarc-none.lab.test không thuộc quyền của tài khoản Sở Good"),
            std::string::npos)
      << notYours;
  EXPECT_EQ(count(browser, "#not-yours a[href='/domain/good.lab.test']"), 1);
  EXPECT_EQ(count(browser, "#not-yours a[href='/self-check?domain=dmarc-none.lab.test']"), 1);
  EXPECT_EQ(count(browser, "#domain-content[hidden]"), 1);
  EXPECT_EQ(count(browser, "#findings article.check"), 0);
  EXPECT_EQ(browser.executeString("return document.title;"),
            "Không thuộc quyền của bạn – mailhygiene");
  saveScreenshot(browser, "dashboard-not-yours.png");
  expectNoProblems(browser, "not yours", {"/api/v1/domains/dmarc-none.lab.test"});

  // Its own domain's self-check: a cookie-authenticated POST, which carries the CSRF header.
  browser.navigate(base + "/self-check?domain=good.lab.test");
  waitForPath(browser, "/self-check");
  browser.click(browser.findElement("#self-check-submit"));
  ASSERT_TRUE(browser.waitUntil(
      "return document.querySelector('#self-check-result[data-state=done]') !== null || "
      "document.querySelector('#self-check-status.error') !== null;",
      kSelfCheckTimeout))
      << text(browser, "#self-check-status");
  EXPECT_EQ(count(browser, "#self-check-status.error"), 0) << text(browser, "#self-check-status");
  EXPECT_GE(count(browser, "#score-history svg circle.point"), 2) << "its history, in full";
  expectNoProblems(browser, "agency's self-check");

  // ---- sign-out: back to the sign-in page, and the old session cookie no longer works ----
  browser.click(browser.findElement("#sign-out"));
  waitForPath(browser, "/sign-in");
  EXPECT_EQ(text(browser, "#sign-in-status"), "Bạn đã đăng xuất.");
  EXPECT_EQ(browser.executeString("return document.body.dataset.role;"), "anonymous");
  EXPECT_EQ(service::http::testing::call(server.port(), "GET", kSessionPath, "",
                                         {{"Cookie", sessionCookie}})
                .status,
            401)
      << "the session is revoked on the server";
  EXPECT_EQ(service::http::testing::call(server.port(), "GET", "/api/v1/domains/good.lab.test", "",
                                         {{"Cookie", sessionCookie}})
                .status,
            401);
  browser.navigate(base + "/domain/good.lab.test");
  waitForPath(browser, "/sign-in");
  expectNoProblems(browser, "signed out", kAnonymous);

  // ---- the auditor: lands on the national overview ----
  browser.navigate(base + "/sign-in");
  waitForPath(browser, "/sign-in");
  submitToken(browser, auditor);
  waitForPath(browser, "/");
  EXPECT_EQ(text(browser, "#account-name"), "Kiểm tra viên B");
  EXPECT_EQ(text(browser, "#account-role"), "Kiểm tra viên quốc gia");
  EXPECT_EQ(text(browser, "#nav-overview"), "Tổng quan");
  EXPECT_EQ(count(browser, "#national:not([hidden])"), 1);
  EXPECT_EQ(count(browser, "#domains-table tbody tr"), static_cast<int>(kDashboardDomains.size()));
  EXPECT_EQ(count(browser, "#tier-counts li[data-tier]"), 6);
  EXPECT_EQ(count(browser, "#run-control:not([hidden])"), 0) << "runs are for admins";
  browser.navigate(base + "/domain/dmarc-none.lab.test");
  waitForPage(browser);
  EXPECT_EQ(count(browser, "#not-yours:not([hidden])"), 0);
  EXPECT_GT(count(browser, "#findings article.check"), 5);
  expectNoProblems(browser, "auditor", kAnonymous);
  browser.click(browser.findElement("#sign-out"));
  waitForPath(browser, "/sign-in");

  // ---- an admin: the overview with the start-run button (a POST with the CSRF header) ----
  submitToken(browser, admin);
  waitForPath(browser, "/");
  EXPECT_EQ(text(browser, "#account-role"), "Quản trị viên");
  ASSERT_EQ(count(browser, "#run-control:not([hidden])"), 1);
  browser.click(browser.findElement("#start-run"));
  ASSERT_TRUE(browser.waitUntil("return document.querySelector('#run-status').textContent !== '';",
                                kPageTimeout));
  EXPECT_EQ(text(browser, "#run-status"), "Đã bắt đầu đợt kiểm tra quốc gia #3.");
  expectNoProblems(browser, "admin", kAnonymous);
  browser.click(browser.findElement("#sign-out"));
  waitForPath(browser, "/sign-in");

  // ---- an agency with two domains: `/` lists them, and only them ----
  submitToken(browser, province);
  waitForPath(browser, "/");
  EXPECT_EQ(text(browser, "h1"), "Tên miền của cơ quan bạn");
  EXPECT_EQ(count(browser, "#national:not([hidden])"), 0);
  ASSERT_EQ(count(browser, "#my-domains-table tbody tr"), 2) << text(browser, "main");
  EXPECT_EQ(count(browser, "#my-domains-table a[href='/domain/dmarc-none.lab.test']"), 1);
  EXPECT_EQ(count(browser, "#my-domains-table a[href='/domain/spf-plus-all.lab.test']"), 1);
  EXPECT_EQ(count(browser, "a[href='/domain/good.lab.test']"), 0);
  saveScreenshot(browser, "dashboard-agency-domains.png");
  expectNoProblems(browser, "agency's domains", kAnonymous);
  browser.click(browser.findElement("#sign-out"));
  waitForPath(browser, "/sign-in");

  // ---- anonymous: the public self-check, current findings and remediation only ----
  browser.click(browser.findElement("#public-self-check"));
  waitForPath(browser, "/self-check");
  EXPECT_EQ(browser.executeString("return document.body.dataset.role;"), "anonymous");
  browser.sendKeys(browser.findElement("#domain-input"), "dmarc-none.lab.test");
  browser.click(browser.findElement("#self-check-submit"));
  ASSERT_TRUE(browser.waitUntil(
      "return document.querySelector('#self-check-result[data-state=done]') !== null || "
      "document.querySelector('#self-check-status.error') !== null;",
      kSelfCheckTimeout))
      << text(browser, "#self-check-status");
  EXPECT_EQ(count(browser, "#self-check-status.error"), 0) << text(browser, "#self-check-status");
  EXPECT_GT(count(browser, "#findings article.check"), 5);
  EXPECT_GE(count(browser, "#findings .remediation p"), 1);
  EXPECT_EQ(count(browser, "#findings details.evidence"), 0) << "no evidence for anonymous";
  EXPECT_EQ(count(browser, "#self-check-result #score-history"), 0) << "no history";
  EXPECT_EQ(count(browser, "#self-check-result a[href^='/domain/']"), 0) << "no domain page link";
  saveScreenshot(browser, "dashboard-public-self-check.png");
  expectNoProblems(browser, "public self-check", kAnonymous);
}

TEST(DashboardBrowser, PublicOverviewShowsNationalAggregatesAndNothingPerDomain) {
  ASSERT_EQ(::access("/usr/bin/chromium", X_OK), 0) << "/usr/bin/chromium is missing";
  ASSERT_EQ(::access("/usr/bin/chromedriver", X_OK), 0) << "/usr/bin/chromedriver is missing";

  DashboardLabData data;
  TestServer server(kDashboardDomains, dashboardScanner(sharedLab().port()),
                    [&](service::http::ServeConfig& c) {
                      c.db = data.db();
                      c.access.public_overview = true;
                    });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  TempDir browserDir;
  ChromeDriverProcess driver(browserDir.path);
  WebDriverSession browser(driver.port(),
                           WebDriverSession::chromiumCapabilities(browserDir.path / "profile"));

  // Anonymous on `/`: the tiers of the latest national run, the distribution and the trend.
  browser.navigate(base + "/");
  waitForPath(browser, "/");
  EXPECT_EQ(browser.executeString("return document.body.dataset.role;"), "anonymous");
  ASSERT_EQ(count(browser, "#tier-counts li[data-tier]"), 6);
  EXPECT_EQ(browser
                .execute("let n = 0; for (const c of document.querySelectorAll('#tier-counts "
                         ".count')) n += Number(c.textContent); return n;")
                .convert<int>(),
            static_cast<int>(kDashboardDomains.size()));
  EXPECT_EQ(text(browser, "#tier-total"), "Đợt kiểm tra quốc gia #2: 6 tên miền.");
  EXPECT_EQ(count(browser, "#score-distribution svg rect.bar"), 10);
  EXPECT_EQ(count(browser, "#trend-charts svg.line-chart"), 15);
  EXPECT_EQ(count(browser, "#public-note:not([hidden]) a[href='/sign-in']"), 1);
  // Nothing per domain: no tables, no downloads, no domain name anywhere on the page.
  EXPECT_EQ(count(browser, "#national section.per-domain:not([hidden])"), 0);
  EXPECT_EQ(count(browser, "#domains-table, #groups-table"), 0);
  EXPECT_EQ(browser
                .execute("return [...document.querySelectorAll('a[href^=\"/reports\"]')]"
                         ".filter((a) => a.offsetParent !== null).length;")
                .convert<int>(),
            0)
      << "no download link is visible";
  EXPECT_EQ(browser.executeString("return document.body.innerText.includes('lab.test') ? "
                                  "'names a domain' : 'no domain';"),
            "no domain");
  browser.setWindowSize(1280, 2400);
  saveScreenshot(browser, "dashboard-public-overview.png");
  expectNoProblems(browser, "public overview", kAnonymous);
}

}  // namespace
}  // namespace mh::lab
