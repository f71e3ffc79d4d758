// `mailhygiene serve`: the HTTP front and router over the registry, the store and the scanner.
#pragma once

#include <Poco/Net/ServerSocket.h>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "service/http/access.hpp"
#include "service/http/api.hpp"
#include "service/http/http_front.hpp"
#include "service/http/router.hpp"
#include "service/http/scheduler.hpp"
#include "service/http/serve_config.hpp"
#include "service/store/sqlite_store.hpp"

namespace mh::service::http {

class Server {
 public:
  // Loads the registry, opens (and migrates) the store, builds the scanner and binds the
  // listening socket. Throws std::runtime_error with a message for the operator.
  explicit Server(ServeConfig config);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves, resumes an unfinished national run (audit.resume_on_start) and starts the
  // scheduler.
  void start();
  // Stops accepting, finishes the requests in progress, then stops the scheduler, the
  // self-checks and the run in progress (which stays resumable). Idempotent.
  void stop();

  std::uint16_t port() const;  // the bound port (useful with port 0)
  const DomainList& registry() const { return registry_; }
  const Scheduler& scheduler() const { return *scheduler_; }

 private:
  ServeConfig config_;
  DomainList registry_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<Scanner> scanner_;
  std::shared_ptr<Clock> clock_;
  Metrics metrics_;
  std::unique_ptr<store::AccountStore> accounts_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<SelfCheckService> self_check_;
  std::unique_ptr<RunManager> runs_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<ApiContext> ctx_;
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpFront> front_;
  bool started_ = false;
  bool stopped_ = false;
};

// Exit status: 0 stopped by SIGTERM/SIGINT, 2 usage or configuration error, 1 failure to start.
int runServeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace mh::service::http
