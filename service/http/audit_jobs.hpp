// What the service's audits share (store, registry, scanner, metrics) and the run bookkeeping.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "checks/audit/domain_audit.hpp"
#include "checks/tls/tls_check.hpp"
#include "service/cli/scanner_options.hpp"
#include "service/domain_list.hpp"
#include "service/http/metrics.hpp"
#include "service/store/result_store.hpp"

namespace mh::service::http {

// The service's logger "http" (constant messages with key=value pairs).
std::shared_ptr<spdlog::logger> httpLogger();

struct AuditEnvironment {
  store::ResultStore& store;
  const DomainList& registry;
  const Scanner& scanner;
  Metrics& metrics;
  unsigned audit_threads = 8;
  // The store was opened read-only: reads are served, runs and self-checks are refused.
  bool store_read_only = false;
};

// The JSON of a run's options as stored with the run.
std::string runOptionsJson(const AuditEnvironment& env, std::string_view started_by);

// Whether a run probed SMTP and HTTPS (its options say no_smtp otherwise).
bool runCheckedNetwork(const store::RunInfo& run);

// The result of a domain as `mailhygiene check --format json` prints it, plus where it is stored.
Json domainResultJson(const audit::DomainReport& report, bool network_checked, std::int64_t run_id,
                      store::RunKind kind);

}  // namespace mh::service::http
