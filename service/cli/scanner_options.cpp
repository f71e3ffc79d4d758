// Parsing of the shared scanner options and construction of the resolver, PSL and probes.
#include "service/cli/scanner_options.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>

namespace mh::service {

std::optional<int> parseInt(const std::string& v, int min, int max) {
  int n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < min || n > max) return std::nullopt;
  return n;
}

std::optional<double> parseSeconds(const std::string& v, double min, double max) {
  char* end = nullptr;
  const double t = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !(t >= min && t <= max)) return std::nullopt;
  return t;
}

CommandLineOption splitOption(const std::string& arg) {
  if (arg.rfind("--", 0) == 0)
    if (auto eq = arg.find('='); eq != std::string::npos)
      return {arg.substr(0, eq), arg.substr(eq + 1)};
  return {arg, std::nullopt};
}

std::optional<std::string> CommandLineOption::value(const std::vector<std::string>& args,
                                                    std::size_t& i) const {
  if (inline_value) return inline_value;
  if (i + 1 < args.size()) return args[++i];
  return std::nullopt;
}

std::optional<std::string> parseScannerOption(const std::vector<std::string>& args, std::size_t& i,
                                              ScannerOptions& o) {
  const CommandLineOption option = splitOption(args[i]);
  const std::string& a = option.name;
  static const char* const kWithValue[] = {"--resolver",
                                           "--timeout",
                                           "--retries",
                                           "--psl",
                                           "--ca-file",
                                           "--https-port",
                                           "--smtp-port",
                                           "--ehlo-name",
                                           "--trust-anchor",
                                           "--smtp-timeout",
                                           "--dns-in-flight",
                                           "--domain-budget",
                                           "--max-mx-hosts",
                                           "--max-addresses-per-host",
                                           "--max-addresses-per-domain"};
  bool needsValue = false;
  for (const char* name : kWithValue) needsValue = needsValue || a == name;
  std::string v;
  if (needsValue) {
    auto value = option.value(args, i);
    if (!value) return "option " + a + " needs a value";
    v = std::move(*value);
  }

  if (a == "--resolver") {
    auto ns = dns::parseNameserver(v);
    if (!ns) return "--resolver: '" + v + "' is not ADDR or ADDR:PORT ([ADDR]:PORT for IPv6)";
    o.resolvers.push_back(*ns);
  } else if (a == "--timeout") {
    auto t = parseSeconds(v, 0, 120);
    if (!t || *t <= 0) return std::string("--timeout: give seconds between 0 and 120, e.g. 2.5");
    o.timeout_seconds = *t;
  } else if (a == "--smtp-timeout") {
    auto t = parseSeconds(v, 0.1, 600);
    if (!t) return std::string("--smtp-timeout: give seconds between 0.1 and 600, e.g. 60");
    o.smtp_timeout_seconds = *t;
  } else if (a == "--domain-budget") {
    auto t = parseSeconds(v, 0.1, 3600);
    if (!t) return std::string("--domain-budget: give seconds between 0.1 and 3600, e.g. 300");
    o.domain_budget_seconds = *t;
  } else if (a == "--max-mx-hosts") {
    auto n = parseInt(v, 1, static_cast<int>(mx::kMaxMxHosts));
    if (!n)
      return "--max-mx-hosts: give a whole number from 1 to " + std::to_string(mx::kMaxMxHosts);
    o.caps.mx_hosts = static_cast<std::size_t>(*n);
  } else if (a == "--max-addresses-per-host" || a == "--max-addresses-per-domain") {
    auto n = parseInt(v, 1, 1000);
    if (!n) return a + ": give a whole number from 1 to 1000";
    (a == "--max-addresses-per-host" ? o.caps.addresses_per_host : o.caps.addresses_per_domain) =
        static_cast<std::size_t>(*n);
  } else if (a == "--retries") {
    auto n = parseInt(v, 0, 10);
    if (!n) return std::string("--retries: give a whole number from 0 to 10");
    o.retries = *n;
  } else if (a == "--dns-in-flight") {
    auto n = parseInt(v, 1, 65535);
    if (!n) return std::string("--dns-in-flight: give a whole number from 1 to 65535");
    o.dns_in_flight = static_cast<std::size_t>(*n);
  } else if (a == "--psl") {
    o.psl_file = v;
  } else if (a == "--ca-file") {
    o.ca_file = v;
  } else if (a == "--https-port" || a == "--smtp-port") {
    auto n = parseInt(v, 1, 65535);
    if (!n) return a + ": give a port from 1 to 65535";
    (a == "--https-port" ? o.https_port : o.smtp_port) = static_cast<std::uint16_t>(*n);
  } else if (a == "--ehlo-name") {
    std::string error;
    if (!audit::normaliseDomainArgument(v, error))
      return "--ehlo-name: give the scanner's own host name (" + error + ")";
    o.ehlo_name = v;
  } else if (a == "--trust-anchor") {
    o.trust_anchor_file = v;
  } else if (a == "--no-dnssec") {
    o.no_dnssec = true;
  } else if (a == "--no-smtp") {
    o.no_smtp = true;
  } else if (a == "--allow-private-targets") {
    o.allow_private_targets = true;
  } else if (a == "--no-enumerate") {
    o.enumerate = false;
  } else if (a == "-v" || a == "--verbose") {
    o.verbose = true;
  } else {
    return std::nullopt;
  }
  return std::string();
}

std::string scannerUsage() {
  return R"(scanner options:
  --resolver ADDR[:PORT]  nameserver to ask (repeatable; IPv6 as [ADDR]:PORT);
                          default: the nameservers of /etc/resolv.conf
  --timeout SECONDS       per-query DNS timeout (default 5)
  --retries N             extra attempts per nameserver (default 2)
  --dns-in-flight N       upper bound of the DNS queries in flight at once, all threads
                          together (default 512); below it the pacing adapts per resolver
                          address, from 32: up while answers come back, halved when timeouts
                          rise, so a resolver that drops what overflows is not overrun
  --psl FILE              Public Suffix List (default /usr/share/publicsuffix/public_suffix_list.dat)
  --no-smtp               DNS only: no connection to mail or web servers (no TLS checks, and
                          the MTA-STS policy is not fetched)
  --smtp-port N           port of the MX hosts' SMTP servers (default 25)
  --smtp-timeout SECONDS  time limit of each SMTP/TLS connection to an MX address, every phase
                          included (default 60): a tarpit costs at most this; the protocol
                          enumeration of one address at most 3 times this
  --domain-budget SECONDS the whole audit of one domain (default 60 with --no-smtp, else 300):
                          no query or connection after it; the checks it left unfinished are
                          `error` (AUDIT_BUDGET_EXHAUSTED) and the domain is checked again
  --max-mx-hosts N        MX hosts probed per domain (default and most 10)
  --max-addresses-per-host N    addresses probed per MX host (default 8)
  --max-addresses-per-domain N  addresses probed per domain, all MX hosts together (default 20)
  --ehlo-name NAME        host name sent in EHLO: the scanner's own, resolvable name
  --no-enumerate          one STARTTLS connection per MX address, no protocol/cipher enumeration
  --trust-anchor FILE     DNSSEC trust anchors (DS or DNSKEY records) our own validation starts
                          from (default /usr/share/dns/root.key, from dns-root-data)
  --no-dnssec             skip DNSSEC-01 and DANE-01
  --ca-file FILE          extra CA certificates (PEM) trusted besides the system store
  --https-port N          port of MTA-STS policy servers (default 443)
  --allow-private-targets allow connections to loopback/private addresses found in DNS
                          (for a lab; refused by default so DNS cannot aim the scanner inward)
  -v, --verbose           log DNS and probe activity to stderr
)";
}

std::unique_ptr<Scanner> makeScanner(const ScannerOptions& o, std::string& error) {
  spdlog::set_level(o.verbose ? spdlog::level::debug : spdlog::level::warn);
  auto scanner = std::make_unique<Scanner>();
  scanner->psl = dmarc::PublicSuffixList::load(o.psl_file);
  if (!scanner->psl) {
    error = "cannot load the Public Suffix List from " + o.psl_file;
    return nullptr;
  }
  scanner->resolver.nameservers = o.resolvers;
  scanner->resolver.timeout =
      std::chrono::milliseconds(static_cast<long>(o.timeout_seconds * 1000.0));
  scanner->resolver.retries = o.retries;
  scanner->resolver.in_flight = std::make_shared<dns::InFlightLimit>(
      o.dns_in_flight, dns::InFlightLimit::kInitialWindow, scanner->resolver.timeout);
  scanner->fetch.ca_file = o.ca_file;
  scanner->fetch.allow_private_targets = o.allow_private_targets;
  scanner->fetch.https_port = o.https_port;
  scanner->audit.psl = scanner->psl.get();
  const auto defaultBudget = o.no_smtp ? audit::kDnsOnlyAuditBudget : audit::kFullAuditBudget;
  scanner->audit.budget =
      o.domain_budget_seconds > 0
          ? std::chrono::milliseconds(static_cast<long>(o.domain_budget_seconds * 1000.0))
          : std::chrono::duration_cast<std::chrono::milliseconds>(defaultBudget);
  if (!o.no_dnssec) {
    std::string anchorError;
    scanner->anchors = dnssec::TrustAnchors::load(o.trust_anchor_file, anchorError);
    if (!scanner->anchors) {
      error = "cannot load DNSSEC trust anchors from " + o.trust_anchor_file + ": " + anchorError +
              " (install dns-root-data, give --trust-anchor FILE, or --no-dnssec)";
      return nullptr;
    }
    scanner->audit.trust_anchors = &*scanner->anchors;
  }
  if (!o.no_smtp) {
    tls::TlsAuditOptions tlsOptions;
    tlsOptions.smtp_port = o.smtp_port;
    tlsOptions.ehlo_name = o.ehlo_name;
    tlsOptions.allow_private_targets = o.allow_private_targets;
    tlsOptions.ca_file = o.ca_file;
    tlsOptions.enumerate = o.enumerate;
    tlsOptions.caps = o.caps;
    tlsOptions.timeouts.budget =
        std::chrono::milliseconds(static_cast<long>(o.smtp_timeout_seconds * 1000.0));
    scanner->tls = std::make_unique<tls::TlsAuditContext>(tlsOptions);
    scanner->audit.tls = scanner->tls.get();
    scanner->audit.mta_sts_fetch = &scanner->fetch;
  }
  return scanner;
}

JobOptions makeJobOptions(const Scanner& scanner) {
  JobOptions job;
  job.audit = scanner.audit;
  if (scanner.tls) {
    job.tls = std::make_unique<tls::TlsAuditContext>(scanner.tls->options());
    job.audit.tls = job.tls.get();
  }
  return job;
}

}  // namespace mh::service
