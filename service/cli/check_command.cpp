// Option parsing and wiring of the check subcommand: resolver, PSL, domain list, audit, report.
#include "service/cli/check_command.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <ostream>
#include <variant>

#include "checks/audit/domain_audit.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/caching_resolver.hpp"
#include "checks/dns/ldns_resolver.hpp"
#include "checks/mta_sts/policy_fetch.hpp"
#include "checks/tls/tls_check.hpp"
#include "reports/domain_report_text.hpp"
#include "service/domain_list.hpp"

namespace mh::service {

namespace {

struct CheckOptions {
  std::string domain;
  std::vector<dns::NameserverAddress> resolvers;
  double timeout_seconds = 5.0;
  int retries = 2;
  std::vector<std::string> selectors;
  std::string domains_file;  // empty: ./domains.csv when present
  std::string psl_file = MH_PSL_FILE_DEFAULT;
  std::string format = "text";
  std::string colour = "auto";
  bool no_smtp = false;
  std::string ca_file;                 // extra trust anchors for HTTPS (and SMTP) certificates
  bool allow_private_targets = false;  // the lab: let DNS answers point at loopback/private addresses
  std::uint16_t https_port = 443;      // MTA-STS policy server port (the lab uses a high port)
  std::uint16_t smtp_port = 25;
  std::string ehlo_name;
  bool enumerate = true;  // protocol and cipher enumeration (several connections per MX address)
  bool verbose = false;
  bool help = false;
};

struct UsageError {
  std::string message;
};

std::vector<std::string> splitComma(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + ",") {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  return out;
}

// Parses argv after "check"; returns the options or a usage error.
std::variant<CheckOptions, UsageError> parseOptions(const std::vector<std::string>& args) {
  CheckOptions o;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::optional<std::string> inlineValue;
    if (a.rfind("--", 0) == 0) {
      if (auto eq = a.find('='); eq != std::string::npos) {
        inlineValue = a.substr(eq + 1);
        a = a.substr(0, eq);
      }
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inlineValue) return inlineValue;
      if (i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    auto need = [&](const std::string& name) -> std::variant<std::string, UsageError> {
      auto v = value();
      if (!v) return UsageError{"option " + name + " needs a value"};
      return *v;
    };
#define MH_VALUE(name)                                                   \
  auto got = need(name);                                                 \
  if (auto* e = std::get_if<UsageError>(&got)) return *e;                \
  const std::string& v = std::get<std::string>(got);
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "--resolver") {
      MH_VALUE("--resolver");
      auto ns = dns::parseNameserver(v);
      if (!ns) return UsageError{"--resolver: '" + v + "' is not ADDR or ADDR:PORT ([ADDR]:PORT for IPv6)"};
      o.resolvers.push_back(*ns);
    } else if (a == "--timeout") {
      MH_VALUE("--timeout");
      char* end = nullptr;
      double t = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || !(t > 0 && t <= 120))
        return UsageError{"--timeout: give seconds between 0 and 120, e.g. 2.5"};
      o.timeout_seconds = t;
    } else if (a == "--retries") {
      MH_VALUE("--retries");
      int n = -1;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || p != v.data() + v.size() || n < 0 || n > 10)
        return UsageError{"--retries: give a whole number from 0 to 10"};
      o.retries = n;
    } else if (a == "--selectors") {
      MH_VALUE("--selectors");
      for (auto& s : splitComma(v)) o.selectors.push_back(s);
    } else if (a == "--domains") {
      MH_VALUE("--domains");
      o.domains_file = v;
    } else if (a == "--psl") {
      MH_VALUE("--psl");
      o.psl_file = v;
    } else if (a == "--format") {
      MH_VALUE("--format");
      if (v != "text" && v != "json") return UsageError{"--format: text or json"};
      o.format = v;
    } else if (a == "--color" || a == "--colour") {
      MH_VALUE("--color");
      if (v != "auto" && v != "always" && v != "never")
        return UsageError{"--color: auto, always or never"};
      o.colour = v;
    } else if (a == "--no-smtp") {
      o.no_smtp = true;
    } else if (a == "--ca-file") {
      MH_VALUE("--ca-file");
      o.ca_file = v;
    } else if (a == "--allow-private-targets") {
      o.allow_private_targets = true;
    } else if (a == "--smtp-port") {
      MH_VALUE("--smtp-port");
      int n = -1;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || p != v.data() + v.size() || n < 1 || n > 65535)
        return UsageError{"--smtp-port: give a port from 1 to 65535"};
      o.smtp_port = static_cast<std::uint16_t>(n);
    } else if (a == "--ehlo-name") {
      MH_VALUE("--ehlo-name");
      std::string error;
      if (!audit::normaliseDomainArgument(v, error))
        return UsageError{"--ehlo-name: give the scanner's own host name (" + error + ")"};
      o.ehlo_name = v;
    } else if (a == "--no-enumerate") {
      o.enumerate = false;
    } else if (a == "--https-port") {
      MH_VALUE("--https-port");
      int n = -1;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || p != v.data() + v.size() || n < 1 || n > 65535)
        return UsageError{"--https-port: give a port from 1 to 65535"};
      o.https_port = static_cast<std::uint16_t>(n);
    } else if (a == "-v" || a == "--verbose") {
      o.verbose = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError{"unknown option " + a};
    } else {
      positional.push_back(a);
    }
#undef MH_VALUE
  }
  if (o.help) return o;
  if (positional.size() != 1)
    return UsageError{positional.empty() ? "give the domain to check"
                                         : "give exactly one domain to check"};
  o.domain = positional.front();
  return o;
}

}  // namespace

std::string checkUsage() {
  return R"(usage: mailhygiene check DOMAIN [options]

Audits the mail security of DOMAIN: MX, SPF, DMARC, DKIM, STARTTLS and TLS of every MX,
MTA-STS, TLS-RPT and reverse DNS.

options:
  --resolver ADDR[:PORT]  nameserver to ask (repeatable; IPv6 as [ADDR]:PORT);
                          default: the nameservers of /etc/resolv.conf
  --timeout SECONDS       per-query timeout (default 5)
  --retries N             extra attempts per nameserver (default 2)
  --selectors a,b         DKIM selectors to try besides the registered and common ones
  --domains FILE          domain list with registered DKIM selectors (default ./domains.csv)
  --psl FILE              Public Suffix List (default /usr/share/publicsuffix/public_suffix_list.dat)
  --no-smtp               DNS only: no connection to mail or web servers (the MTA-STS policy
                          is then not fetched and not judged)
  --ca-file FILE          extra CA certificates (PEM) trusted besides the system store
  --allow-private-targets allow connections to loopback/private addresses found in DNS
                          (for a lab; refused by default so DNS cannot aim the scanner inward)
  --https-port N          port of MTA-STS policy servers (default 443)
  --smtp-port N           port of the MX hosts' SMTP servers (default 25)
  --ehlo-name NAME        host name sent in EHLO: the scanner's own, resolvable name
  --no-enumerate          one STARTTLS connection per MX address, no protocol/cipher
                          enumeration (TLS-02/03 then judge the negotiated session only)
  --format text|json      report format (default text)
  --color auto|always|never
  -v, --verbose           log DNS activity to stderr
exit status: 0 the audit ran, 2 usage error or invalid domain, 1 internal failure
)";
}

int runCheckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = parseOptions(args);
  if (auto* usage = std::get_if<UsageError>(&parsed)) {
    err << "mailhygiene check: " << usage->message << "\n\n" << checkUsage();
    return 2;
  }
  auto& o = std::get<CheckOptions>(parsed);
  if (o.help) {
    out << checkUsage();
    return 0;
  }
  std::string domainError;
  auto domain = audit::normaliseDomainArgument(o.domain, domainError);
  if (!domain) {
    err << "mailhygiene check: invalid domain name: " << domainError << "\n";
    return 2;
  }

  try {
    spdlog::set_level(o.verbose ? spdlog::level::debug : spdlog::level::warn);

    auto psl = dmarc::PublicSuffixList::load(o.psl_file);
    if (!psl) {
      err << "mailhygiene check: cannot load the Public Suffix List from " << o.psl_file << "\n";
      return 2;
    }

    audit::AuditOptions auditOptions;
    auditOptions.psl = psl.get();
    mta_sts::PolicyFetchOptions fetchOptions;
    fetchOptions.ca_file = o.ca_file;
    fetchOptions.allow_private_targets = o.allow_private_targets;
    fetchOptions.https_port = o.https_port;
    std::unique_ptr<tls::TlsAuditContext> tlsContext;
    if (!o.no_smtp) {
      auditOptions.mta_sts_fetch = &fetchOptions;
      tls::TlsAuditOptions tlsOptions;
      tlsOptions.smtp_port = o.smtp_port;
      tlsOptions.ehlo_name = o.ehlo_name;
      tlsOptions.allow_private_targets = o.allow_private_targets;
      tlsOptions.ca_file = o.ca_file;
      tlsOptions.enumerate = o.enumerate;
      tlsContext = std::make_unique<tls::TlsAuditContext>(tlsOptions);
      auditOptions.tls = tlsContext.get();
    }
    std::string domainsFile = o.domains_file;
    if (domainsFile.empty() && std::filesystem::exists("domains.csv")) domainsFile = "domains.csv";
    if (!domainsFile.empty()) {
      auto list = loadDomainList(domainsFile);
      if (!list) {
        err << "mailhygiene check: cannot read " << domainsFile << "\n";
        return 2;
      }
      if (const DomainEntry* entry = list->find(*domain))
        auditOptions.dkim_selectors = entry->dkim_selectors;
    }
    for (const auto& s : o.selectors) auditOptions.dkim_selectors.push_back(s);

    dns::LdnsResolverOptions resolverOptions;
    resolverOptions.nameservers = o.resolvers;
    resolverOptions.timeout =
        std::chrono::milliseconds(static_cast<long>(o.timeout_seconds * 1000.0));
    resolverOptions.retries = o.retries;
    dns::LdnsResolver ldns(resolverOptions);
    dns::DnsCache cache;
    dns::CachingResolver resolver(ldns, cache);

    auto report = audit::auditDomain(resolver, *domain, auditOptions);
    if (o.format == "json") {
      Json j = audit::toJson(report);
      j.set("network_checked", !o.no_smtp);
      out << j.pretty() << "\n";
    } else {
      reports::TextOptions textOptions;
      textOptions.colour = o.colour == "always" || (o.colour == "auto" && isatty(STDOUT_FILENO) &&
                                                    &out == &std::cout);
      out << reports::renderText(report, textOptions);
    }
    return 0;
  } catch (const std::exception& e) {
    err << "mailhygiene check: internal failure: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mh::service
