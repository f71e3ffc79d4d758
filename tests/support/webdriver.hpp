// Test helper: a chromedriver process on a free loopback port and a small W3C WebDriver client
// over it (Poco HTTP + JSON), for the dashboard's browser test with Debian's headless Chromium.
#pragma once

#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace mh::testing_support {

// A loopback TCP port that was free a moment ago (bound to port 0, then released).
inline std::uint16_t freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

inline std::string readWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An HTTP exchange with a WebDriver endpoint: the status and the parsed {"value": ...} body.
struct WebDriverReply {
  int status = 0;
  Poco::Dynamic::Var value;
  std::string body;
};

inline WebDriverReply webDriverCall(std::uint16_t port, const std::string& method,
                                    const std::string& path, const std::string& body = "",
                                    int timeout_seconds = 60) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(timeout_seconds, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (method == "POST") {
    request.setContentType("application/json; charset=utf-8");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  WebDriverReply reply;
  reply.status = response.getStatus();
  Poco::StreamCopier::copyToString(in, reply.body);
  auto parsed = Poco::JSON::Parser().parse(reply.body);
  auto object = parsed.extract<Poco::JSON::Object::Ptr>();
  if (object && object->has("value")) reply.value = object->get("value");
  return reply;
}

// chromedriver started on a free loopback port (it accepts local connections only), in its own
// process group so that the browsers it starts are stopped with it. Throws std::runtime_error
// with a clear message when the binary is missing or does not come up.
class ChromeDriverProcess {
 public:
  explicit ChromeDriverProcess(const std::filesystem::path& log_dir,
                               const std::string& binary = "/usr/bin/chromedriver")
      : log_(log_dir / "chromedriver.log") {
    if (::access(binary.c_str(), X_OK) != 0)
      throw std::runtime_error(binary +
                               " is missing: install Debian's chromium and chromium-driver "
                               "(scripts/setup-deps.sh does)");
    for (int attempt = 0; attempt < 3 && pid_ < 0; ++attempt) start(binary);
    if (pid_ < 0) throw std::runtime_error("chromedriver did not start: " + readWholeFile(log_));
  }
  ~ChromeDriverProcess() { stop(); }
  ChromeDriverProcess(const ChromeDriverProcess&) = delete;
  ChromeDriverProcess& operator=(const ChromeDriverProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string log() const { return readWholeFile(log_); }

 private:
  void start(const std::string& binary) {
    port_ = freeLoopbackPort();
    const std::string portArg = "--port=" + std::to_string(port_);
    const std::string logText = log_.string();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      // Child: only async-signal-safe calls until exec.
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      const int log = ::open(logText.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (log >= 0) {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
      }
      const char* argv[] = {"chromedriver", portArg.c_str(), nullptr};
      ::execv(binary.c_str(), const_cast<char* const*>(argv));
      ::_exit(127);
    }
    ::setpgid(pid, pid);  // also from here, so that it holds before the child runs
    pid_ = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: port taken, or broken
        pid_ = -1;
        return;
      }
      try {
        auto reply = webDriverCall(port_, "GET", "/status", "", 2);
        auto value = reply.value.extract<Poco::JSON::Object::Ptr>();
        if (reply.status == 200 && value && value->optValue<bool>("ready", false)) return;
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    stop();
  }

  void stop() {
    if (pid_ < 0) return;
    const pid_t group = pid_;
    ::kill(-group, SIGTERM);  // the group: chromedriver and any browser it left behind
    for (int i = 0; i < 50 && ::waitpid(pid_, nullptr, WNOHANG) != pid_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::kill(-group, SIGKILL);  // whatever did not stop (ESRCH when nothing is left)
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::filesystem::path log_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// One WebDriver session. Every command that fails throws std::runtime_error with WebDriver's
// error and message.
class WebDriverSession {
 public:
  // Headless Chromium with a fresh profile in `profile_dir`, quiet on a closed network.
  static Poco::JSON::Object::Ptr chromiumCapabilities(
      const std::filesystem::path& profile_dir, const std::string& binary = "/usr/bin/chromium") {
    Poco::JSON::Array::Ptr args = new Poco::JSON::Array;
    for (const char* a : {"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                          "--disable-quic", "--no-first-run", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", "--disable-extensions",
                          "--no-default-browser-check", "--mute-audio", "--window-size=1280,1600"})
      args->add(std::string(a));
    args->add("--user-data-dir=" + profile_dir.string());
    Poco::JSON::Object::Ptr chrome = new Poco::JSON::Object;
    chrome->set("binary", binary);
    chrome->set("args", args);
    Poco::JSON::Object::Ptr logging = new Poco::JSON::Object;
    logging->set("browser", "ALL");
    Poco::JSON::Object::Ptr timeouts = new Poco::JSON::Object;
    timeouts->set("pageLoad", 30000);
    timeouts->set("script", 15000);
    timeouts->set("implicit", 0);
    Poco::JSON::Object::Ptr always = new Poco::JSON::Object;
    always->set("browserName", "chrome");
    always->set("goog:chromeOptions", chrome);
    always->set("goog:loggingPrefs", logging);
    always->set("timeouts", timeouts);
    Poco::JSON::Object::Ptr capabilities = new Poco::JSON::Object;
    capabilities->set("alwaysMatch", always);
    return capabilities;
  }

  WebDriverSession(std::uint16_t port, const Poco::JSON::Object::Ptr& capabilities) : port_(port) {
    Poco::JSON::Object body;
    body.set("capabilities", capabilities);
    auto value = command("POST", "/session", stringify(body)).extract<Poco::JSON::Object::Ptr>();
    id_ = value->getValue<std::string>("sessionId");
  }
  ~WebDriverSession() {
    try {
      webDriverCall(port_, "DELETE", "/session/" + id_, "", 30);
    } catch (const std::exception&) {
      // the driver process is stopped next anyway
    }
  }
  WebDriverSession(const WebDriverSession&) = delete;
  WebDriverSession& operator=(const WebDriverSession&) = delete;

  void navigate(const std::string& url) {
    Poco::JSON::Object body;
    body.set("url", url);
    sessionCommand("POST", "/url", stringify(body));
  }

  // Runs `script` (a function body; `arguments` are `args`) and returns its value.
  Poco::Dynamic::Var execute(const std::string& script,
                             Poco::JSON::Array::Ptr args = new Poco::JSON::Array) {
    Poco::JSON::Object body;
    body.set("script", script);
    body.set("args", args);
    return sessionCommand("POST", "/execute/sync", stringify(body));
  }

  std::string executeString(const std::string& script) {
    auto v = execute(script);
    return v.isEmpty() ? "" : v.convert<std::string>();
  }

  // Polls `script` (with `args`) every 100 ms until it returns true, for at most `timeout`.
  bool waitUntil(const std::string& script, std::chrono::milliseconds timeout,
                 Poco::JSON::Array::Ptr args = new Poco::JSON::Array) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto v = execute(script, args);
      if (v.isBoolean() && v.extract<bool>()) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // The element matching a CSS selector (throws "no such element" when none does).
  std::string findElement(const std::string& css) {
    Poco::JSON::Object body;
    body.set("using", "css selector");
    body.set("value", css);
    auto value =
        sessionCommand("POST", "/element", stringify(body)).extract<Poco::JSON::Object::Ptr>();
    return value->getValue<std::string>("element-6066-11e4-a52e-4f735466cecf");
  }

  void click(const std::string& element) {
    sessionCommand("POST", "/element/" + element + "/click", "{}");
  }

  void sendKeys(const std::string& element, const std::string& text) {
    Poco::JSON::Object body;
    body.set("text", text);
    sessionCommand("POST", "/element/" + element + "/value", stringify(body));
  }

  void clearElement(const std::string& element) {
    sessionCommand("POST", "/element/" + element + "/clear", "{}");
  }

  void setWindowSize(int width, int height) {
    Poco::JSON::Object body;
    body.set("width", width);
    body.set("height", height);
    sessionCommand("POST", "/window/rect", stringify(body));
  }

  // Sets a cookie for the current page's origin (path /), as if the server had set it.
  void addCookie(const std::string& name, const std::string& value) {
    Poco::JSON::Object cookie;
    cookie.set("name", name);
    cookie.set("value", value);
    cookie.set("path", "/");
    Poco::JSON::Object body;
    body.set("cookie", cookie);
    sessionCommand("POST", "/cookie", stringify(body));
  }

  // The viewport as PNG bytes.
  std::string screenshotPng() {
    const std::string base64 = sessionCommand("GET", "/screenshot", "").convert<std::string>();
    std::istringstream in(base64);
    Poco::Base64Decoder decoder(in);
    std::string png;
    Poco::StreamCopier::copyToString(decoder, png);
    return png;
  }

  // The cookie `name` of the current page's origin as WebDriver sees it (HttpOnly ones too):
  // {name, value, httpOnly, sameSite, secure, ...}; nullptr when there is none.
  Poco::JSON::Object::Ptr cookie(const std::string& name) {
    auto reply = webDriverCall(port_, "GET", "/session/" + id_ + "/cookie/" + name, "");
    if (reply.status != 200 || reply.value.isEmpty()) return nullptr;
    return reply.value.extract<Poco::JSON::Object::Ptr>();
  }

  // The browser console so far (chromedriver's log extension), one "LEVEL message" per entry;
  // empty when the driver does not offer it.
  std::vector<std::string> consoleLog() {
    std::vector<std::string> out;
    auto reply =
        webDriverCall(port_, "POST", "/session/" + id_ + "/se/log", R"({"type":"browser"})");
    if (reply.status != 200 || reply.value.isEmpty()) return out;
    auto entries = reply.value.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; entries && i < entries->size(); ++i) {
      auto entry = entries->getObject(static_cast<unsigned>(i));
      out.push_back(entry->optValue<std::string>("level", "") + " " +
                    entry->optValue<std::string>("message", ""));
    }
    return out;
  }

 private:
  static std::string stringify(const Poco::JSON::Object& o) {
    std::ostringstream out;
    o.stringify(out);
    return out.str();
  }

  Poco::Dynamic::Var command(const std::string& method, const std::string& path,
                             const std::string& body) {
    auto reply = webDriverCall(port_, method, path, body);
    if (reply.status != 200)
      throw std::runtime_error("WebDriver " + method + " " + path + " -> " +
                               std::to_string(reply.status) + ": " + reply.body.substr(0, 2000));
    return reply.value;
  }

  Poco::Dynamic::Var sessionCommand(const std::string& method, const std::string& path,
                                    const std::string& body) {
    return command(method, "/session/" + id_ + path, body);
  }

  std::uint16_t port_;
  std::string id_;
};

}  // namespace mh::testing_support
