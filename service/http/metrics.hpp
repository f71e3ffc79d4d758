// Counters of the service exposed at /metrics in the Prometheus text format.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "checks/audit/domain_audit.hpp"

namespace mh::service::http {

class Metrics {
 public:
  Metrics();

  void countRequest(int status);
  // One finished domain audit of a run kind ("national" | "self_check").
  void countAudit(const audit::DomainReport& report, std::string_view kind);
  void countAuditFailure(std::string_view kind);
  void countRunStarted();
  void countSmtpConnections(std::size_t n);
  // "cached" | "audited" | "rate_limited" | "timeout" | "busy" | "unknown_domain" | "invalid"
  void countSelfCheck(std::string_view outcome);

  // Lines another part of the service renders itself (the scheduler's gauges), appended to
  // render()'s text. Add them before the server starts.
  void addSection(std::function<std::string()> section);

  // The exposition text; `running` is 1 while a national run is in progress.
  std::string render(bool running) const;

 private:
  mutable std::mutex mutex_;
  std::map<int, std::uint64_t> requests_;
  std::map<std::string, std::uint64_t, std::less<>> audited_;
  std::map<std::string, std::uint64_t, std::less<>> audit_errors_;
  std::map<std::string, std::uint64_t, std::less<>> audit_failures_;
  std::map<std::string, std::uint64_t, std::less<>> self_checks_;
  std::uint64_t runs_started_ = 0;
  std::uint64_t dns_queries_ = 0;
  std::uint64_t smtp_connections_ = 0;
  std::vector<double> bounds_;                // audit duration histogram, seconds
  std::vector<std::uint64_t> bucket_counts_;  // per bound, non-cumulative; last is +Inf
  double duration_sum_ = 0;
  std::uint64_t duration_count_ = 0;
  std::vector<std::function<std::string()>> sections_;  // not guarded: fixed before serving
};

}  // namespace mh::service::http
