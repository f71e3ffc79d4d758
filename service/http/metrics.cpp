// Prometheus text rendering of the service counters.
#include "service/http/metrics.hpp"

#include <cstdio>

namespace mh::service::http {

namespace {

bool hasErrors(const audit::DomainReport& r) {
  for (const auto& c : r.checks)
    if (c.status == Status::Error) return true;
  return false;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

template <typename Map>
void labelled(std::string& out, const char* name, const char* label, const Map& values) {
  for (const auto& [key, count] : values)
    out += std::string(name) + "{" + label + "=\"" + key + "\"} " + std::to_string(count) + "\n";
}

}  // namespace

Metrics::Metrics() : bounds_{0.1, 0.5, 1, 2, 5, 10, 30, 60, 120}, bucket_counts_(10, 0) {}

void Metrics::countRequest(int status) {
  std::lock_guard lock(mutex_);
  ++requests_[status];
}

void Metrics::countAudit(const audit::DomainReport& report, std::string_view kind) {
  std::lock_guard lock(mutex_);
  ++audited_[std::string(kind)];
  if (hasErrors(report)) ++audit_errors_[std::string(kind)];
  dns_queries_ += report.dns_queries;
  const double seconds = report.duration_ms / 1000.0;
  std::size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) ++i;
  ++bucket_counts_[i];
  duration_sum_ += seconds;
  ++duration_count_;
}

void Metrics::countAuditFailure(std::string_view kind) {
  std::lock_guard lock(mutex_);
  ++audit_failures_[std::string(kind)];
}

void Metrics::countRunStarted() {
  std::lock_guard lock(mutex_);
  ++runs_started_;
}

void Metrics::countSmtpConnections(std::size_t n) {
  std::lock_guard lock(mutex_);
  smtp_connections_ += n;
}

void Metrics::countSelfCheck(std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++self_checks_[std::string(outcome)];
}

void Metrics::addSection(std::function<std::string()> section) {
  sections_.push_back(std::move(section));
}

std::string Metrics::render(bool running) const {
  std::string sections;  // rendered first: a section may take its own locks
  for (const auto& section : sections_) sections += section();
  std::lock_guard lock(mutex_);
  std::string out;
  header(out, "mailhygiene_http_requests_total", "counter", "HTTP requests answered, by status.");
  for (const auto& [status, count] : requests_)
    out += "mailhygiene_http_requests_total{status=\"" + std::to_string(status) + "\"} " +
           std::to_string(count) + "\n";
  header(out, "mailhygiene_runs_started_total", "counter",
         "National runs started or resumed by this process.");
  out += "mailhygiene_runs_started_total " + std::to_string(runs_started_) + "\n";
  header(out, "mailhygiene_run_in_progress", "gauge", "1 while a national run is in progress.");
  out += std::string("mailhygiene_run_in_progress ") + (running ? "1" : "0") + "\n";
  header(out, "mailhygiene_domains_audited_total", "counter", "Domain audits finished, by kind.");
  labelled(out, "mailhygiene_domains_audited_total", "kind", audited_);
  header(out, "mailhygiene_domain_audit_errors_total", "counter",
         "Domain audits with a check in error (lookup or probe failed), by kind.");
  labelled(out, "mailhygiene_domain_audit_errors_total", "kind", audit_errors_);
  header(out, "mailhygiene_domain_audit_failures_total", "counter",
         "Domain audits that failed internally, by kind.");
  labelled(out, "mailhygiene_domain_audit_failures_total", "kind", audit_failures_);
  header(out, "mailhygiene_dns_queries_total", "counter",
         "DNS queries asked by the audits (cache hits included).");
  out += "mailhygiene_dns_queries_total " + std::to_string(dns_queries_) + "\n";
  header(out, "mailhygiene_smtp_connections_total", "counter",
         "SMTP connections made by the STARTTLS probes and the TLS enumeration.");
  out += "mailhygiene_smtp_connections_total " + std::to_string(smtp_connections_) + "\n";
  header(out, "mailhygiene_self_checks_total", "counter", "Self-check requests, by outcome.");
  labelled(out, "mailhygiene_self_checks_total", "outcome", self_checks_);
  header(out, "mailhygiene_domain_audit_duration_seconds", "histogram",
         "Duration of one domain's audit.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bucket_counts_.size(); ++i) {
    cumulative += bucket_counts_[i];
    const std::string le = i < bounds_.size() ? number(bounds_[i]) : "+Inf";
    out += "mailhygiene_domain_audit_duration_seconds_bucket{le=\"" + le + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += "mailhygiene_domain_audit_duration_seconds_sum " + number(duration_sum_) + "\n";
  out +=
      "mailhygiene_domain_audit_duration_seconds_count " + std::to_string(duration_count_) + "\n";
  return out + sections;
}

}  // namespace mh::service::http
