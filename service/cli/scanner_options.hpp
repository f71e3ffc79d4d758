// The scanner options shared by `check` and `audit` (resolver, timeouts, network probes) and the
// parts built from them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/audit/domain_audit.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/ldns_resolver.hpp"
#include "checks/dnssec/trust_anchor.hpp"
#include "checks/mta_sts/policy_fetch.hpp"
#include "checks/tls/tls_check.hpp"

namespace mh::service {

struct ScannerOptions {
  std::vector<dns::NameserverAddress> resolvers;  // empty: /etc/resolv.conf
  double timeout_seconds = 5.0;
  int retries = 2;
  std::size_t dns_in_flight = 512;  // DNS queries in flight at once, all threads together
  std::string psl_file = MH_PSL_FILE_DEFAULT;
  bool no_smtp = false;                // DNS only: no SMTP probe, no MTA-STS policy fetch
  std::string ca_file;                 // extra trust anchors for SMTP and HTTPS certificates
  bool allow_private_targets = false;  // the lab: allow loopback/private addresses found in DNS
  std::uint16_t https_port = 443;
  std::uint16_t smtp_port = 25;
  double smtp_timeout_seconds = 60.0;  // each MX address's total SMTP/TLS budget per connection
  // The whole audit of one domain; 0: audit::kDnsOnlyAuditBudget with no_smtp, else
  // audit::kFullAuditBudget.
  double domain_budget_seconds = 0;
  tls::ProbeCaps caps;  // MX hosts and addresses probed per domain
  std::string ehlo_name;
  bool enumerate = true;
  std::string trust_anchor_file = "/usr/share/dns/root.key";  // Debian's dns-root-data
  bool no_dnssec = false;                                     // skip DNSSEC-01 and DANE-01
  bool verbose = false;
};

// A whole decimal option value within [min, max]; nullopt otherwise.
std::optional<int> parseInt(const std::string& v, int min, int max);
// A decimal number of seconds within [min, max]; nullopt otherwise (empty, trailing text).
std::optional<double> parseSeconds(const std::string& v, double min, double max);

// One command-line argument: "--name=value" split at the first '=', any other word as given.
struct CommandLineOption {
  std::string name;
  std::optional<std::string> inline_value;

  // The option's value: the inline one, else the next argument (advancing i); nullopt when there
  // is none.
  std::optional<std::string> value(const std::vector<std::string>& args, std::size_t& i) const;
};
CommandLineOption splitOption(const std::string& arg);

// Consumes args[i] (and its value, advancing i) when it is a scanner option. Returns nullopt when
// args[i] is not one, "" when consumed, or the usage error message for a bad value.

std::optional<std::string> parseScannerOption(const std::vector<std::string>& args, std::size_t& i,
                                              ScannerOptions& options);

// The usage lines of the scanner options.
std::string scannerUsage();

// What an audit needs, built once per command from the options and shared by every domain.
struct Scanner {
  std::unique_ptr<dmarc::PublicSuffixList> psl;
  dns::LdnsResolverOptions resolver;
  mta_sts::PolicyFetchOptions fetch;
  std::unique_ptr<tls::TlsAuditContext> tls;    // null with --no-smtp
  std::optional<dnssec::TrustAnchors> anchors;  // empty with --no-dnssec
  audit::AuditOptions audit;                    // points into the members above
};

// The audit options of one national run pass or one self-check. The STARTTLS probe results are
// cached per MX address for the life of a TlsAuditContext, so each job gets a fresh one: a
// long-running service must not serve yesterday's probe.
struct JobOptions {
  audit::AuditOptions audit;
  std::unique_ptr<tls::TlsAuditContext> tls;
};
JobOptions makeJobOptions(const Scanner& scanner);

// nullptr and `error` set when the Public Suffix List cannot be loaded (a usage error); throws
// std::runtime_error for a broken environment (unreadable CA file).
std::unique_ptr<Scanner> makeScanner(const ScannerOptions& options, std::string& error);

}  // namespace mh::service
