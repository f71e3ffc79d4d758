// Startup, signal handling and shutdown of the HTTP service.
#include "service/http/server.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <ostream>


namespace mh::service::http {

namespace {

DomainList loadRegistry(const std::string& path) {
  auto list = loadDomainList(path);
  if (!list) throw std::runtime_error("cannot read the domain registry " + path);
  for (const auto& e : list->errors)
    httpLogger()->warn("registry row skipped file={} line={} why=\"{}\"", path, e.line, e.message);
  return std::move(*list);
}

std::unique_ptr<store::SqliteStore> openStore(const ServeConfig& config) {
  const std::string& path = config.db;
  if (auto parent = std::filesystem::path(path).parent_path();
      !parent.empty() && !path.starts_with("file:"))
    std::filesystem::create_directories(parent);
  store::SqliteStoreOptions options;
  options.keep_evidence_days = config.keep_evidence_days;
  options.busy_timeout_ms = config.busy_timeout_ms;
  return std::make_unique<store::SqliteStore>(path, options);
}

std::unique_ptr<Scanner> buildScanner(const ScannerOptions& options) {
  std::string error;
  auto scanner = makeScanner(options, error);
  if (!scanner) throw std::runtime_error(error);
  return scanner;
}

// The newest national run of the store, complete or not.
std::optional<store::RunInfo> newestNationalRun(store::ResultStore& store) {
  auto complete = store.latestRun(store::RunKind::National);
  auto unfinished = store.unfinishedRun(store::RunKind::National);
  if (complete && unfinished) return complete->id > unfinished->id ? complete : unfinished;
  return complete ? complete : unfinished;
}

// A run that waits longer for its re-checks than the schedule's interval skips the next slot.
void warnIfRechecksOutlastTheInterval(const ScheduleConfig& c) {
  const Schedule& s = c.schedule;
  const auto interval =
      s.kind == Schedule::Kind::Daily ? std::chrono::minutes(24 * 60) : s.interval;
  if (s.kind != Schedule::Kind::Off && c.rechecks > 0 && c.retry_delay * c.rechecks >= interval)
    httpLogger()->warn(
        "re-checks outlast the schedule interval schedule=\"{}\" retry_delay_seconds={} "
        "rechecks={} effect=\"the next slot is skipped while a run waits for its re-check\"",
        describe(s), c.retry_delay.count(), c.rechecks);
}

TrustedProxies trustedProxies(const std::vector<std::string>& cidrs) {
  std::vector<Cidr> networks;
  for (const auto& text : cidrs)
    if (auto cidr = parseCidr(text)) networks.push_back(*cidr);
  return TrustedProxies(std::move(networks));
}

FrontLimits frontLimits(const ServeConfig& c) {
  FrontLimits limits;
  limits.max_threads = c.max_threads;
  limits.max_queued = c.max_queued;
  limits.max_connections_per_client = c.max_connections_per_client;
  limits.max_waiting_heads = c.max_waiting_connections;
  limits.request_deadline_seconds = c.request_deadline_seconds;
  limits.response_deadline_seconds = c.response_deadline_seconds;
  limits.keep_alive_seconds = c.keep_alive_seconds;
  limits.timeout_seconds = c.timeout_seconds;
  limits.max_body_bytes = c.max_body_bytes;
  return limits;
}

}  // namespace

Server::Server(ServeConfig config)
    : config_(std::move(config)),
      registry_(loadRegistry(config_.domains_file)),
      store_(openStore(config_)),
      scanner_(buildScanner(config_.scanner)),
      clock_(config_.clock ? config_.clock : std::make_shared<SystemClock>()),
      accounts_(std::make_unique<store::AccountStore>(config_.db)),
      // The backlog: the acceptor drains it at once, so it only absorbs bursts of connects.
      socket_(Poco::Net::SocketAddress(config_.bind, config_.port),
              std::max(config_.max_queued, config_.max_waiting_connections)) {
  // makeScanner sets the global log level (warn unless --verbose); requests are logged at info.
  httpLogger()->set_level(config_.scanner.verbose ? spdlog::level::debug : spdlog::level::info);
  if (store_->readOnly()) {
    httpLogger()->warn(
        "store is read-only db={} effect=\"pages, reports and the API's reads are served; "
        "national runs and self-checks are refused with 503\"",
        config_.db);
  } else {
    try {
      store_->upsertDomains(registry_.entries);
    } catch (const store::StoreError& e) {
      // Another writer holds the store (or the disk is full): the service starts all the same;
      // a result adds its domain when missing, and the agencies' details wait for the next start.
      httpLogger()->error("registry not written to the store what=\"{}\"", e.what());
    }
  }
  AuditEnvironment env{.store = *store_,
                       .registry = registry_,
                       .scanner = *scanner_,
                       .metrics = metrics_,
                       .audit_threads = config_.audit_threads,
                       .store_read_only = store_->readOnly()};
  self_check_ = std::make_unique<SelfCheckService>(env, config_.self_check);
  const RecheckPolicy recheck{config_.schedule.retry_delay, config_.schedule.rechecks};
  runs_ = std::make_unique<RunManager>(env, recheck, *clock_);
  scheduler_ = std::make_unique<Scheduler>(config_.schedule.schedule, *clock_,
                                           [this] { return runs_->start("schedule"); });
  metrics_.addSection([this] { return scheduler_->metricsText() + runs_->metricsText(); });
  AccessConfig access = config_.access;
  access.admin_token_sha256 = config_.admin_token_sha256;
  access.attempts_per_minute = config_.admin_attempts_per_minute;
  auth_ = std::make_unique<Authenticator>(*accounts_, std::move(access));
  auto schedule = [this] {
    ApiResponse r;
    r.body = scheduleJson(scheduler_->status(),
                          RecheckPolicy{config_.schedule.retry_delay, config_.schedule.rechecks},
                          config_.schedule.resume_on_start, runs_->active(),
                          newestNationalRun(*store_));
    return r;
  };
  ctx_ = std::make_unique<ApiContext>(ApiContext{env, *self_check_, *runs_, *auth_, schedule});
  warnIfRechecksOutlastTheInterval(config_.schedule);

  auto routes = serviceRoutes();

  const auto hostnames = allowedHostnames(config_);
  if (hostnames.empty())
    httpLogger()->warn(
        "any Host header is answered bind={} effect=\"set serve.hostnames to the names clients "
        "use, so that a rebound DNS name cannot reach the service\"",
        config_.bind);
  router_ = std::make_unique<Router>(*ctx_, std::move(routes), hostnames,
                                     trustedProxies(config_.trusted_proxies));
  front_ = std::make_unique<HttpFront>(socket_, frontLimits(config_),
                                       trustedProxies(config_.trusted_proxies), *router_);
  metrics_.addSection([this] { return front_->metricsText(); });
}

Server::~Server() {
  stop();
}

void Server::start() {
  front_->start();
  started_ = true;
  httpLogger()->info("listening bind={} port={} domains={} db={}", config_.bind, port(),
                     registry_.entries.size(), config_.db);
  if (config_.schedule.resume_on_start) {
    try {
      if (auto resumed = runs_->resumeUnfinished())
        httpLogger()->info("unfinished run resumed at start run={}", resumed->run_id);
    } catch (const std::exception& e) {
      // The store cannot be read now: the service answers, and the next slot or POST retries.
      httpLogger()->error("unfinished run not resumed at start what=\"{}\"", e.what());
    }
  }
  scheduler_->start();
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) front_->stop();
  scheduler_->stop();
  self_check_->stop();
  runs_->stop();
  if (started_) httpLogger()->info("stopped port={}", port());
}

std::uint16_t Server::port() const {
  return socket_.address().port();
}

int runServeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = parseServeArguments(args);
  if (auto* usage = std::get_if<ServeUsage>(&parsed)) {
    if (usage->message.empty()) {
      out << serveUsage();
      return 0;
    }
    err << "mailhygiene serve: " << usage->message << "\n\n" << serveUsage();
    return 2;
  }
  // Block the stop signals before any thread starts, so every thread inherits the mask and this
  // one receives them in sigwait.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  try {
    Server server(std::get<ServeConfig>(std::move(parsed)));
    server.start();
    int signal = 0;
    sigwait(&stopSignals, &signal);
    httpLogger()->info("stopping signal={}", signal);
    server.stop();
    return 0;
  } catch (const Poco::Exception& e) {
    err << "mailhygiene serve: " << e.displayText() << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "mailhygiene serve: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mh::service::http
