// Option parsing and wiring of the check subcommand: scanner, domain list, audit, report.
#include "service/cli/check_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <ostream>
#include <variant>

#include "checks/audit/domain_audit.hpp"
#include "checks/dns/caching_resolver.hpp"
#include "checks/dnssec/resolver_capability.hpp"
#include "reports/domain_report_text.hpp"
#include "service/cli/scanner_options.hpp"
#include "service/domain_list.hpp"

namespace mh::service {

namespace {

struct CheckOptions {
  std::string domain;
  ScannerOptions scanner;
  std::vector<std::string> selectors;
  std::string domains_file;  // empty: ./domains.csv when present
  std::string format = "text";
  std::string colour = "auto";
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
    if (auto scanner = parseScannerOption(args, i, o.scanner)) {
      if (!scanner->empty()) return UsageError{*scanner};
      continue;
    }
    const CommandLineOption option = splitOption(args[i]);
    const std::string& a = option.name;
    auto value = [&] { return option.value(args, i); };
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "--selectors" || a == "--domains" || a == "--format" || a == "--color" ||
               a == "--colour") {
      auto v = value();
      if (!v) return UsageError{"option " + a + " needs a value"};
      if (a == "--selectors") {
        for (auto& s : splitComma(*v)) o.selectors.push_back(s);
      } else if (a == "--domains") {
        o.domains_file = *v;
      } else if (a == "--format") {
        if (*v != "text" && *v != "json") return UsageError{"--format: text or json"};
        o.format = *v;
      } else {
        if (*v != "auto" && *v != "always" && *v != "never")
          return UsageError{"--color: auto, always or never"};
        o.colour = *v;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError{"unknown option " + a};
    } else {
      positional.push_back(a);
    }
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
  --selectors a,b         DKIM selectors to try besides the registered and common ones
  --domains FILE          domain list with registered DKIM selectors (default ./domains.csv)
  --format text|json      report format (default text)
  --color auto|always|never
)" + scannerUsage() +
         "exit status: 0 the audit ran, 2 usage error or invalid domain, 1 internal failure\n";
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
    std::string error;
    auto scanner = makeScanner(o.scanner, error);
    if (!scanner) {
      err << "mailhygiene check: " << error << "\n";
      return 2;
    }
    audit::AuditOptions auditOptions = scanner->audit;
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

    dns::LdnsResolver ldns(scanner->resolver);
    dns::DnsCache cache;
    dns::CachingResolver resolver(ldns, cache);

    if (auditOptions.trust_anchors)
      auditOptions.dnssec_unavailable =
          dnssec::dnssecUnavailableReason(dnssec::probeResolverDnssec(resolver));
    // What the resolver cannot do is said once, beside the report (not a finding of the domain).
    const auto transport = dnssec::probeResolverTransport(scanner->resolver);
    const std::vector<std::pair<std::string, std::string>> resolverProblems = {
        {"dnssec_unavailable", auditOptions.dnssec_unavailable},
        {"tcp_unavailable", dnssec::tcpUnavailableReason(transport)},
        {"edns_unavailable", dnssec::ednsUnavailableReason(transport)}};
    auto report = audit::auditDomain(resolver, *domain, auditOptions);
    if (o.format == "json") {
      Json j = audit::toJson(report);
      j.set("network_checked", !o.scanner.no_smtp);
      Json problems = Json::object();
      for (const auto& [key, reason] : resolverProblems)
        problems.set(key, reason.empty() ? Json() : Json(reason));
      j.set("resolver", problems);
      out << j.pretty() << "\n";
    } else {
      reports::TextOptions textOptions;
      textOptions.colour = o.colour == "always" || (o.colour == "auto" && isatty(STDOUT_FILENO) &&
                                                    &out == &std::cout);
      out << reports::renderText(report, textOptions);
      for (const auto& [key, reason] : resolverProblems)
        if (!reason.empty()) out << "resolver: " << reason << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    err << "mailhygiene check: internal failure: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mh::service
