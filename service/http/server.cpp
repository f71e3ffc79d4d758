// Startup, signal handling and shutdown of the HTTP service.
#include "service/http/server.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SocketAddress.h>
#include <pthread.h>
#include <signal.h>

#include <filesystem>
#include <ostream>

#include "service/http/dashboard.hpp"
#include "service/http/router.hpp"

namespace mh::service::http {

namespace {

DomainList loadRegistry(const std::string& path) {
  auto list = loadDomainList(path);
  if (!list) throw std::runtime_error("cannot read the domain registry " + path);
  for (const auto& e : list->errors)
    httpLogger()->warn("registry row skipped file={} line={} why=\"{}\"", path, e.line, e.message);
  return std::move(*list);
}

std::unique_ptr<store::SqliteStore> openStore(const std::string& path) {
  if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
    std::filesystem::create_directories(parent);
  return std::make_unique<store::SqliteStore>(path);
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

}  // namespace

Server::Server(ServeConfig config)
    : config_(std::move(config)),
      registry_(loadRegistry(config_.domains_file)),
      store_(openStore(config_.db)),
      scanner_(buildScanner(config_.scanner)),
      clock_(config_.clock ? config_.clock : std::make_shared<SystemClock>()),
      tokens_(config_.admin_token_sha256),
      pool_(2, config_.max_threads + 2),
      socket_(Poco::Net::SocketAddress(config_.bind, config_.port), config_.max_queued) {
  // makeScanner sets the global log level (warn unless --verbose); requests are logged at info.
  httpLogger()->set_level(config_.scanner.verbose ? spdlog::level::debug : spdlog::level::info);
  store_->upsertDomains(registry_.entries);
  AuditEnvironment env{*store_, registry_, *scanner_, metrics_, config_.audit_threads};
  self_check_ = std::make_unique<SelfCheckService>(env, config_.self_check);
  const RecheckPolicy recheck{config_.schedule.retry_delay, config_.schedule.rechecks};
  runs_ = std::make_unique<RunManager>(env, recheck, *clock_);
  scheduler_ = std::make_unique<Scheduler>(config_.schedule.schedule, *clock_,
                                           [this] { return runs_->start("schedule"); });
  metrics_.addSection([this] { return scheduler_->metricsText() + runs_->metricsText(); });
  ctx_ = std::make_unique<ApiContext>(ApiContext{env, *self_check_, *runs_, tokens_});
  warnIfRechecksOutlastTheInterval(config_.schedule);

  auto routes = serviceRoutes();
  routes.push_back({"GET", "/api/v1/schedule", false, [this](ApiContext&, const Request&) {
                      ApiResponse r;
                      r.body = scheduleJson(
                          scheduler_->status(),
                          RecheckPolicy{config_.schedule.retry_delay, config_.schedule.rechecks},
                          config_.schedule.resume_on_start, runs_->active(),
                          newestNationalRun(*store_));
                      return r;
                    }});
  for (auto& route : dashboardRoutes()) routes.push_back(std::move(route));

  auto params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(config_.max_threads);
  params->setMaxQueued(config_.max_queued);
  params->setTimeout(Poco::Timespan(config_.timeout_seconds, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(5, 0));
  params->setMaxKeepAliveRequests(100);
  params->setServerName("mailhygiene");
  params->setSoftwareVersion("");
  server_ = std::make_unique<Poco::Net::HTTPServer>(
      new Router(*ctx_, std::move(routes), config_.max_body_bytes), pool_, socket_, params);
}

Server::~Server() {
  stop();
}

void Server::start() {
  server_->start();
  started_ = true;
  httpLogger()->info("listening bind={} port={} domains={} db={}", config_.bind, port(),
                     registry_.entries.size(), config_.db);
  if (config_.schedule.resume_on_start) {
    if (auto resumed = runs_->resumeUnfinished())
      httpLogger()->info("unfinished run resumed at start run={}", resumed->run_id);
  }
  scheduler_->start();
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) {
    server_->stopAll(false);
    pool_.joinAll();
  }
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
