// The configuration of `mailhygiene serve`: defaults in code, a properties/INI file, then the
// command line.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "service/cli/scanner_options.hpp"
#include "service/http/access.hpp"
#include "service/http/clock.hpp"
#include "service/http/schedule.hpp"
#include "service/store/sqlite_store.hpp"

namespace mh::service::http {

struct SelfCheckConfig {
  int max_age_seconds = 3600;          // a stored result younger than this is served as is
  int rate_per_client_per_minute = 6;  // self-check requests per client address (token bucket)
  int agency_rate_per_minute = 30;     // an agency account's self-checks of its own domains
  int rate_per_domain_per_minute = 2;  // fresh audits per domain (token bucket)
  int deadline_seconds = 60;           // a job still running after this is reported "timeout"
  int max_concurrent = 4;              // fresh audits at the same time (503 beyond)
  int max_jobs_per_client = 2;         // running self-check jobs a client started or joined
  int max_waiters_per_domain = 16;     // clients joined to one domain's running job (503 beyond)
  int job_retention_seconds = 600;     // a finished job can be polled this long
};

// National runs without an operator (the audit.* keys besides threads).
struct ScheduleConfig {
  // Off by default: a service started without a configuration (a developer, a test) does not
  // begin to probe every agency's mail servers on its own.
  Schedule schedule;
  std::chrono::seconds retry_delay{30 * 60};  // before the re-check of domains left in error
  int rechecks = 2;                           // re-check rounds per run (0: none)
  bool resume_on_start = true;                // an unfinished national run is resumed at start
};

struct ServeConfig {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: an ephemeral port (tests)
  std::string domains_file = "domains.csv";
  std::string db = "var/mailhygiene.db";
  int max_threads = 16;               // HTTP connection threads
  int max_queued = 64;                // connections waiting for a thread (503 + Retry-After beyond)
  int timeout_seconds = 10;           // socket send/receive timeout per read or write
  int request_deadline_seconds = 10;  // whole request head and body (408 and closed beyond)
  int response_deadline_seconds = 60;  // handling and writing one response
  int keep_alive_seconds = 5;          // idle wait for the next request on a connection
  int max_connections_per_client = 8;  // open connections per client address (429 beyond)
  int max_waiting_connections = 1024;  // connections still sending their first request (503)
  std::size_t max_body_bytes = 4096;
  // The Host names answered (421 for others). Empty: the loopback names when bound to loopback,
  // otherwise any name (allowedHostnames()).
  std::vector<std::string> hostnames;
  // Reverse proxies (CIDRs) whose X-Forwarded-For names the client; none by default.
  std::vector<std::string> trusted_proxies;
  int admin_attempts_per_minute = 10;  // failed admin-token attempts per client (429 beyond)
  unsigned audit_threads = 8;          // worker threads of a national run
  SelfCheckConfig self_check;
  ScheduleConfig schedule;
  std::vector<std::string> admin_token_sha256;  // lower-case hex SHA-256 of each admin token
  // [access]: metrics scrape tokens, session expiry, the public overview (access.hpp; its
  // admin_token_sha256 and attempts_per_minute come from the two keys above).
  AccessConfig access;
  ScannerOptions scanner;
  // Retention (store.keep_evidence_days): evidence unused this long is pruned after each
  // complete national run; 0 keeps all.
  int keep_evidence_days = store::kDefaultKeepEvidenceDays;
  // How long a write waits for another writer's lock before it fails (store.busy_timeout_ms).
  int busy_timeout_ms = store::SqliteStoreOptions{}.busy_timeout_ms;
  // Times the schedule and the re-check delay: the system clock when null (tests set their own).
  std::shared_ptr<Clock> clock;
};

struct ServeUsage {
  std::string message;  // empty: --help was asked
};

// Reads --config FILE (a .ini file, or Java-style properties otherwise), then applies the other
// options. Returns the configuration, or a usage error (ServeUsage with a message), or
// ServeUsage{""} for --help.
std::variant<ServeConfig, ServeUsage> parseServeArguments(const std::vector<std::string>& args);

std::string serveUsage();

// The Host allow-list the service applies: `hostnames`, plus localhost, 127.0.0.1 and ::1 when
// bound to a loopback address, plus the bound address itself when it is not a wildcard. Empty
// (any Host) only when bound to a non-loopback address with no `hostnames`.
std::vector<std::string> allowedHostnames(const ServeConfig& config);

}  // namespace mh::service::http
