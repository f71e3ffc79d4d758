// The national benchmark: audits a synthetic lab of N domains served by knotd and prints the
// figures.
//
//   national_bench [--domains N] [--threads T] [--latency-ms L] [--timeout S] [--retries R]
//                  [--seed S] [--udp-workers W] [--no-retry] [--keep]
//                  [--smtp [--smtp-timeout S] [--no-enumerate] [--server-threads W]]
//                  [--dump FILE]
//
// Not a test: it asserts nothing and is not registered with ctest. The model (see README,
// "Benchmark"): the audit's stub resolver asks a UDP forwarder on loopback (as it would ask a
// recursive resolver), which adds --latency-ms to each direction and forwards to knotd serving
// every generated zone. "dead-*" domains model a nameserver that never answers: their zones exist,
// but the forwarder drops every query under them, so each query ends in the stub's timeout.
// "servfail-*" zones fail to load in knotd (SERVFAIL), "gone-*" names do not exist (NXDOMAIN).
//
// --smtp: the full audit. The lab's MX and MTA-STS policy hosts are in 127.0.0.0/8 and answered
// by the bench's own SMTP + HTTPS server (smtp_lab_server.hpp, threads of this process, CPU shown
// apart); the audit is wired as `mailhygiene audit` wires it (makeScanner: one TlsAuditContext for
// the run, one of its own for the re-checks, the MTA-STS fetch over verified HTTPS), with the
// lab CA trusted, private targets allowed and the lab's ports, and the CLI's SMTP defaults.
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/knot_server.hpp"
#include "bench/lab_generator.hpp"
#include "bench/lab_pki.hpp"
#include "bench/smtp_lab_server.hpp"
#include "bench/udp_forwarder.hpp"
#include "checks/audit/domain_audit.hpp"
#include "checks/audit/scoring.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/in_flight_limit.hpp"
#include "service/audit/audit_runner.hpp"
#include "service/audit/run_order.hpp"
#include "service/cli/scanner_options.hpp"

namespace mh::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::size_t domains = 10000;
  unsigned threads = 64;
  double latency_ms = 0;
  double timeout_s = 2;
  int retries = 1;
  std::uint32_t seed = 20240601;
  unsigned udp_workers = 2;
  bool retry_errors = true;
  double recheck_after_s = -1;  // < 0: the product's default (AuditRunOptions::recheck_after)
  bool keep = false;
  bool smtp = false;
  double smtp_timeout_s = 0;  // 0: the CLI's default (--smtp-timeout of mailhygiene audit)
  bool enumerate = true;
  unsigned server_threads = 2;
  std::string dump;  // one line per look at a domain (statuses and finding tags), for diagnosis
  bool previous_run = false;  // audit once unmeasured first, as the previous national run
  int server_rcvbuf = 0;      // the forwarder's receive buffer towards the audit; 0: 8 MiB
  std::size_t dns_in_flight = service::kDefaultMaxDnsInFlight;  // the AIMD windows' bound
};

[[noreturn]] void usage(const char* error) {
  if (error) std::fprintf(stderr, "national_bench: %s\n", error);
  std::fprintf(
      stderr,
      "usage: national_bench [--domains N] [--threads T] [--latency-ms L] [--timeout S]\n"
      "                      [--retries R] [--seed S] [--udp-workers W] [--no-retry] [--keep]\n"
      "                      [--smtp [--smtp-timeout S] [--no-enumerate] [--server-threads W]]\n"
      "                      [--dump FILE] [--previous-run] [--recheck-after S]\n"
      "                      [--server-rcvbuf BYTES] [--dns-in-flight N]\n"
      "  Audits a synthetic lab of N domains (default 10000) served by knotd on loopback through\n"
      "  a UDP forwarder (--latency-ms each way; dead-* domains never answer), with T worker\n"
      "  threads (64) and the stub resolver's --timeout (2 s) and --retries (1). Prints figures;\n"
      "  asserts nothing.\n"
      "  Without --smtp: DNS only (no SMTP/TLS, no MTA-STS policy fetch).\n"
      "  --smtp: the full audit, as `mailhygiene audit` runs it: STARTTLS probe, TLS protocol\n"
      "  and cipher enumeration (off with --no-enumerate) and certificate of every MX address,\n"
      "  and the MTA-STS policy fetch over HTTPS, against the bench's own SMTP + HTTPS server\n"
      "  on 127.0.0.0/8 (W epoll threads, default 2) with a lab CA made at start. The lab\n"
      "  then has transport defects too (see bench/lab_generator.hpp). --smtp-timeout is the\n"
      "  per-address SMTP budget (default: mailhygiene audit's, 60 s); the other SMTP timeouts\n"
      "  are the product's defaults.\n"
      "  --dump FILE: one line per look at a domain (kind, lab variant, attempt, each check's\n"
      "  status and the tags of its findings worse than pass).\n"
      "  --previous-run: audit the lab once first, not measured, as the previous national run\n"
      "  of a periodic audit; the measured run then starts the domains that ended in error in\n"
      "  it at once on threads of their own, as mailhygiene audit and serve do\n"
      "  (service/audit/run_order).\n"
      "  --recheck-after S: a domain in error is re-checked S seconds after its first look, or\n"
      "  when the first looks are all done if sooner (default: mailhygiene audit's, 5 s).\n"
      "  --server-rcvbuf BYTES: the receive buffer of the forwarder's socket the audit asks (the\n"
      "  kernel doubles it; default 8 MiB): a DNS server that a burst overruns. The queries the\n"
      "  kernel dropped there are printed, with the AIMD in-flight level the audit reached.\n"
      "  --dns-in-flight N: the upper bound of the in-flight level (default 512).\n");
  std::exit(error ? 2 : 0);
}

Args parseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> double {
      if (i + 1 >= argc) usage(("missing value for " + arg).c_str());
      char* end = nullptr;
      const double v = std::strtod(argv[++i], &end);
      if (*end != '\0' || v < 0) usage(("bad value for " + arg).c_str());
      return v;
    };
    if (arg == "--domains")
      a.domains = std::size_t(value());
    else if (arg == "--threads")
      a.threads = std::max(1u, unsigned(value()));
    else if (arg == "--latency-ms")
      a.latency_ms = value();
    else if (arg == "--timeout")
      a.timeout_s = value();
    else if (arg == "--retries")
      a.retries = int(value());
    else if (arg == "--seed")
      a.seed = std::uint32_t(value());
    else if (arg == "--udp-workers")
      a.udp_workers = std::max(1u, unsigned(value()));
    else if (arg == "--no-retry")
      a.retry_errors = false;
    else if (arg == "--recheck-after")
      a.recheck_after_s = value();
    else if (arg == "--previous-run")
      a.previous_run = true;
    else if (arg == "--server-rcvbuf")
      a.server_rcvbuf = int(value());
    else if (arg == "--dns-in-flight")
      a.dns_in_flight = std::max<std::size_t>(1, std::size_t(value()));
    else if (arg == "--keep")
      a.keep = true;
    else if (arg == "--smtp")
      a.smtp = true;
    else if (arg == "--smtp-timeout")
      a.smtp_timeout_s = value();
    else if (arg == "--no-enumerate")
      a.enumerate = false;
    else if (arg == "--server-threads")
      a.server_threads = std::max(1u, unsigned(value()));
    else if (arg == "--dump") {
      if (i + 1 >= argc) usage("missing value for --dump");
      a.dump = argv[++i];
    } else if (arg == "-h" || arg == "--help")
      usage(nullptr);
    else
      usage(("unknown option " + arg).c_str());
  }
  if (a.domains == 0) usage("--domains must be at least 1");
  if (!a.smtp && (a.smtp_timeout_s > 0 || !a.enumerate))
    usage("--smtp-timeout and --no-enumerate need --smtp");
  if (a.smtp && a.smtp_timeout_s != 0 && (a.smtp_timeout_s < 0.1 || a.smtp_timeout_s > 600))
    usage("--smtp-timeout: give seconds between 0.1 and 600");
  return a;
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// The peak resident set size of this process so far (VmHWM), in KiB; 0 when unreadable.
long peakRssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

double cpuSeconds(const rusage& r) {
  return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

// A temp dir removed on scope exit (unless kept).
struct TempDir {
  std::filesystem::path path;
  bool keep = false;
  TempDir() {
    char pattern[] = "/tmp/mh-national-bench.XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!keep) std::filesystem::remove_all(path, ec);
  }
};

struct Outcome {
  std::string domain;
  Kind kind = Kind::Good;
  double ms = 0;
  std::size_t queries = 0;
  int attempt = 1;
  Status worst = Status::Na;
  std::string grade;  // "-" when no score
};

// The transport checks of a domain's latest look (--smtp).
constexpr std::array<std::string_view, 5> kTransportChecks = {"TLS-01", "TLS-02", "TLS-03",
                                                              "TLS-04", "MTASTS-01"};
struct TransportOutcome {
  int attempt = 0;
  std::array<std::optional<Status>, kTransportChecks.size()> status;  // nullopt: not reported
};

// "pass 12 warn 3": how many of each status, in the order of the Status enum.
std::string statusMix(const std::map<Status, int>& counts) {
  std::string out;
  for (const auto& [s, n] : counts)
    out += (out.empty() ? "" : " ") + std::string(toString(s)) + " " + std::to_string(n);
  return out.empty() ? "-" : out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

Kind kindOf(const std::string& name) {
  for (int k = 0; k < kKindCount; ++k) {
    const auto prefix = std::string(toString(Kind(k))) + "-";
    if (name.rfind(prefix, 0) == 0) return Kind(k);
  }
  return Kind::Good;
}

int run(const Args& args) {
  spdlog::set_level(spdlog::level::warn);
  const std::string loadBefore = loadAverage();
  TempDir dir;
  dir.keep = args.keep;

  auto t0 = Clock::now();
  const NationalLab lab = generateLab(args.domains, args.seed, dir.path / "zones", args.smtp);
  const double genSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::fprintf(stderr, "generated %zu domains (%zu zones) in %.1f s in %s\n", lab.domains.size(),
               lab.zones.size(), genSeconds, dir.path.c_str());

  KnotServerOptions knotOptions;
  knotOptions.udp_workers = args.udp_workers;
  KnotServer knot(dir.path, lab.zones, knotOptions);
  std::fprintf(stderr, "knotd pid %d on 127.0.0.1#%u, ready in %.1f s\n", int(knot.pid()),
               unsigned(knot.port()), knot.startSeconds());

  ForwarderOptions fwdOptions;
  fwdOptions.upstream_port = knot.port();
  fwdOptions.delay = std::chrono::microseconds(long(args.latency_ms * 1000));
  fwdOptions.drop_label_prefix = std::string(kDeadPrefix);
  fwdOptions.listen_rcvbuf = args.server_rcvbuf;
  UdpForwarder forwarder(fwdOptions);

  // --smtp: the lab's SMTP + HTTPS server, its CA, and the audit wired as the CLI wires it.
  std::unique_ptr<LabPki> pki;
  std::unique_ptr<SmtpLabServer> labServer;
  std::unique_ptr<service::Scanner> scanner;
  double pkiSeconds = 0;
  service::ScannerOptions scannerOptions;
  if (args.smtp) {
    // The lab server holds one listening socket per MX address (thousands): lift the soft limit
    // on open files to the hard one.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
      files.rlim_cur = files.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &files);
    }
    t0 = Clock::now();
    pki = std::make_unique<LabPki>(dir.path);
    pkiSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
    LabServerOptions serverOptions;
    serverOptions.threads = args.server_threads;
    labServer = std::make_unique<SmtpLabServer>(lab.transport, *pki, serverOptions);
    std::fprintf(stderr,
                 "lab SMTP server: %zu listeners (%zu MX addresses, SMTP port %u, HTTPS port %u "
                 "on %s), %u threads; lab CA and keys made in %.1f s\n",
                 labServer->listeners(), lab.transport.smtp_hosts.size(),
                 unsigned(labServer->smtpPort()), unsigned(labServer->httpsPort()),
                 lab.transport.https_address.c_str(), args.server_threads, pkiSeconds);
    scannerOptions.psl_file = MH_BENCH_PSL_FILE;
    scannerOptions.no_dnssec = true;  // as in the DNS-only mode: the lab zones are unsigned
    scannerOptions.ca_file = pki->caFile();
    scannerOptions.allow_private_targets = true;
    scannerOptions.smtp_port = labServer->smtpPort();
    scannerOptions.https_port = labServer->httpsPort();
    scannerOptions.enumerate = args.enumerate;
    if (args.smtp_timeout_s > 0) scannerOptions.smtp_timeout_seconds = args.smtp_timeout_s;
    std::string error;
    scanner = service::makeScanner(scannerOptions, error);
    if (!scanner) throw std::runtime_error(error);
    spdlog::set_level(spdlog::level::warn);
  }

  auto psl = dmarc::PublicSuffixList::load(MH_BENCH_PSL_FILE);
  if (!psl) throw std::runtime_error("cannot load the lab PSL " MH_BENCH_PSL_FILE);
  audit::AuditOptions base;
  base.psl = psl.get();
  base.tls = nullptr;            // DNS only: no SMTP/TLS probe
  base.mta_sts_fetch = nullptr;  // and no MTA-STS policy fetch
  if (scanner) base = scanner->audit;

  service::AuditRunOptions runOptions;
  runOptions.threads = args.threads;
  runOptions.retry_errors = args.retry_errors;
  if (args.recheck_after_s >= 0)
    runOptions.recheck_after = std::chrono::milliseconds(long(args.recheck_after_s * 1000));
  runOptions.resolver.nameservers = {{"127.0.0.1", forwarder.port()}};
  runOptions.resolver.timeout = std::chrono::milliseconds(long(args.timeout_s * 1000));
  runOptions.resolver.retries = args.retries;

  std::vector<service::AuditTask> tasks;
  tasks.reserve(lab.domains.size());
  for (const auto& d : lab.domains) tasks.push_back({d.name, {}});

  std::size_t previousErrored = 0;
  double previousWall = 0;
  if (args.previous_run) {
    // The previous national run: its own DNS cache (runAudit's) and, with --smtp, its own TLS
    // context and probe registry, so the measured run probes every MX again for real.
    std::unique_ptr<service::Scanner> previousScanner;
    audit::AuditOptions previousBase = base;
    if (scanner) {
      std::string error;
      previousScanner = service::makeScanner(scannerOptions, error);
      if (!previousScanner) throw std::runtime_error(error);
      spdlog::set_level(spdlog::level::warn);
      previousBase = previousScanner->audit;
    }
    std::mutex previousMutex;
    std::map<std::string, std::pair<int, bool>> latest;  // domain -> (attempt, has an error)
    service::AuditSink previousSink;
    previousSink.onReport = [&](const audit::DomainReport& r, int attempt) {
      bool errored = false;
      for (const auto& c : r.checks) errored = errored || c.status == Status::Error;
      std::lock_guard lock(previousMutex);
      auto& l = latest[r.domain];
      if (attempt >= l.first) l = {attempt, errored};
    };
    const auto previousStart = Clock::now();
    service::runAudit(tasks, previousBase, runOptions, previousSink);
    previousWall = std::chrono::duration<double>(Clock::now() - previousStart).count();
    std::set<std::string, std::less<>> errored;
    for (const auto& [domain, l] : latest)
      if (l.second) errored.insert(domain);
    previousErrored = errored.size();
    service::expectSlow(tasks, errored);
    std::fprintf(stderr,
                 "previous run (not measured): %.1f s, %zu domains ended in error, expected slow\n",
                 previousWall, previousErrored);
  }

  std::mutex mutex;
  std::vector<Outcome> outcomes;
  outcomes.reserve(tasks.size());
  std::size_t failures = 0;
  std::map<std::string, TransportOutcome> transport;  // by domain, the latest look
  std::map<std::string, const LabDomain*> labDomain;
  for (const auto& d : lab.domains) labDomain[d.name] = &d;
  std::ofstream dump;
  if (!args.dump.empty()) {
    dump.open(args.dump);
    if (!dump) throw std::runtime_error("cannot write " + args.dump);
  }
  Clock::time_point lastFirstPass{}, firstRecheck{};
  std::vector<Clock::time_point> recheckDone;    // when each re-check was reported
  std::vector<Clock::time_point> firstPassDone;  // when each first look was reported
  firstPassDone.reserve(tasks.size());
  long firstPassPeakRss = 0;  // KiB, read when the first re-check report arrives
  service::AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int attempt) {
    Outcome o;
    o.domain = r.domain;
    o.kind = kindOf(r.domain);
    o.ms = r.duration_ms;
    o.queries = r.dns_queries;
    o.attempt = attempt;
    for (const auto& c : r.checks) o.worst = worst(o.worst, c.status);
    const auto score = audit::scoreReport(r);
    o.grade = score.grade ? std::string(audit::toString(*score.grade)) : "-";
    TransportOutcome t;
    t.attempt = attempt;
    for (std::size_t i = 0; i < kTransportChecks.size(); ++i)
      if (const auto* c = r.find(kTransportChecks[i])) t.status[i] = c->status;
    std::string line;
    if (dump.is_open()) {
      const LabDomain* d = labDomain.at(r.domain);
      line = r.domain + "\t" + d->variant + "\t" + d->transport + "\t" + d->sts + "\t" +
             std::to_string(attempt);
      for (const auto& c : r.checks) {
        line += "\t" + c.id + "=" + std::string(toString(c.status));
        for (const auto& f : c.findings)
          if (f.status > Status::Pass) line += " " + f.tag;
      }
    }
    const auto now = Clock::now();
    std::lock_guard lock(mutex);
    if (dump.is_open()) dump << line << "\n";
    outcomes.push_back(std::move(o));
    if (attempt == 1) {
      lastFirstPass = std::max(lastFirstPass, now);
      firstPassDone.push_back(now);
    }
    if (attempt == 2) recheckDone.push_back(now);
    if (attempt == 2 && firstRecheck == Clock::time_point{}) {
      firstRecheck = now;
      firstPassPeakRss = peakRssKib();
    }
    if (args.smtp) {
      auto& latest = transport[r.domain];
      if (attempt >= latest.attempt) latest = t;
    }
  };
  sink.onFailure = [&](const std::string&, const std::string&) {
    std::lock_guard lock(mutex);
    ++failures;
  };
  auto lastPrint = Clock::now();
  sink.onProgress = [&](const service::AuditProgress& p) {
    if (Clock::now() - lastPrint < std::chrono::seconds(2) && p.done != p.total) return;
    lastPrint = Clock::now();
    std::fprintf(stderr, "  %zu/%zu done, %.0f domains/s\n", p.done, p.total,
                 p.elapsed_seconds > 0 ? double(p.done) / p.elapsed_seconds : 0.0);
  };

  rusage before{}, after{};
  ::getrusage(RUSAGE_SELF, &before);
  const double knotCpuBefore = knot.cpuSeconds();
  const auto fwdBefore = forwarder.stats();
  const LabServerStats serverBefore = labServer ? labServer->stats() : LabServerStats{};
  // The measured run's own pacing, starting afresh at the initial window.
  const auto dnsLimit = std::make_shared<dns::InFlightLimit>(
      args.dns_in_flight, dns::InFlightLimit::kInitialWindow, runOptions.resolver.timeout);
  runOptions.resolver.in_flight = dnsLimit;
  const auto started = Clock::now();
  const auto progress = service::runAudit(tasks, base, runOptions, sink);
  const double wall = std::chrono::duration<double>(Clock::now() - started).count();
  ::getrusage(RUSAGE_SELF, &after);
  const double knotCpu = knot.cpuSeconds() - knotCpuBefore;
  const auto fwd = forwarder.stats();
  const long knotRss = knot.rssKib();
  const std::string loadAfter = loadAverage();
  const LabServerStats server = labServer ? labServer->stats() : LabServerStats{};

  // ---- report -------------------------------------------------------------------------------
  const double n = double(tasks.size());
  const std::size_t asked =
      std::accumulate(outcomes.begin(), outcomes.end(), std::size_t(0),
                      [](std::size_t s, const Outcome& o) { return s + o.queries; });
  const double processCpu = cpuSeconds(after) - cpuSeconds(before);
  const double fwdCpu = fwd.cpu_seconds - fwdBefore.cpu_seconds;
  const std::uint64_t upstream = fwd.forwarded - fwdBefore.forwarded;
  const std::uint64_t dropped = fwd.dropped - fwdBefore.dropped;
  std::size_t retried = 0;
  for (const auto& o : outcomes) retried += o.attempt == 2;

  const double serverCpu = server.cpu_seconds - serverBefore.cpu_seconds;
  if (args.smtp)
    std::printf(
        "\nmailhygiene national benchmark (full audit: DNS, SMTP STARTTLS/TLS with enumeration "
        "%s, MTA-STS fetch)\n",
        args.enumerate ? "on" : "off");
  else
    std::printf("\nmailhygiene national benchmark (DNS only: no SMTP/TLS, no MTA-STS fetch)\n");
  std::printf(
      "  domains %zu, threads %u, latency +%.1f ms each way (forwarder), timeout %.1f s x "
      "%d attempts, seed %u\n",
      tasks.size(), args.threads, args.latency_ms, args.timeout_s, 1 + args.retries, args.seed);
  if (args.smtp)
    std::printf(
        "  SMTP: per-address budget %.0f s (connect %lld s, greeting %lld s, reply %lld s, "
        "handshake %lld s), lab server threads %u\n",
        scannerOptions.smtp_timeout_seconds,
        (long long)(scanner->tls->options().timeouts.connect.count() / 1000),
        (long long)(scanner->tls->options().timeouts.greeting.count() / 1000),
        (long long)(scanner->tls->options().timeouts.reply.count() / 1000),
        (long long)(scanner->tls->options().timeouts.handshake.count() / 1000),
        args.server_threads);
  std::printf("  load average before: %s   after: %s   (%u CPUs online)\n", loadBefore.c_str(),
              loadAfter.c_str(), unsigned(std::thread::hardware_concurrency()));
  std::printf("\n  %-44s %12s\n", "figure", "value");
  auto row = [](const char* name, const std::string& v) {
    std::printf("  %-44s %12s\n", name, v.c_str());
  };
  auto fmt = [](const char* f, double v) {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return std::string(b);
  };
  std::size_t recheckedEarly = 0;
  for (const auto& t : recheckDone) recheckedEarly += t < lastFirstPass;
  row("wall time (s)", fmt("%.2f", wall));
  row("domains/s", fmt("%.1f", n / wall));
  const double firstPass = lastFirstPass == Clock::time_point{}
                               ? wall
                               : std::chrono::duration<double>(lastFirstPass - started).count();
  row("  first looks (s, until the last one)", fmt("%.2f", firstPass));
  std::sort(firstPassDone.begin(), firstPassDone.end());
  if (firstPassDone.size() >= 100) {
    // The steady part of the first pass, before its tail (domains waiting out a timeout).
    const double at99 =
        std::chrono::duration<double>(firstPassDone[firstPassDone.size() * 99 / 100 - 1] - started)
            .count();
    row("    of which 99 % of first looks done (s)", fmt("%.2f", at99));
    row("    domains/s until then", fmt("%.1f", double(firstPassDone.size() * 99 / 100) / at99));
  }
  row("  re-checks after the last first look (s)", fmt("%.2f", wall - firstPass));
  row("domains re-checked (errors)", fmt("%.0f", double(retried)));
  row("  of which done before the last first look", fmt("%.0f", double(recheckedEarly)));
  if (args.previous_run) {
    row("previous run (not measured): wall s", fmt("%.2f", previousWall));
    row("  its domains in error, now expected slow", fmt("%.0f", double(previousErrored)));
  }
  row("audit failures (exceptions)", fmt("%.0f", double(failures)));
  row("DNS queries asked per domain (incl. cache)", fmt("%.1f", double(asked) / n));
  row("upstream queries per domain (sent to knotd)", fmt("%.1f", double(upstream) / n));
  row("upstream queries/s", fmt("%.0f", double(upstream) / wall));
  row("queries dropped (dead domains, attempts)", fmt("%.0f", double(dropped)));
  row("truncated answers (TC; TCP not forwarded)", fmt("%.0f", double(fwd.truncated)));
  row("queries lost at knotd (no answer in 1 s)",
      fmt("%.0f", double(fwd.unanswered - fwdBefore.unanswered)));
  row("queries lost to overrun (server socket full)",
      fmt("%.0f", double(fwd.overruns - fwdBefore.overruns)));
  row("DNS timeouts seen by the audit (attempts)", fmt("%.0f", double(dnsLimit->losses())));
  row("DNS in flight: highest level reached", fmt("%.0f", double(dnsLimit->peakWindow())));
  row("DNS in flight: level at the end",
      fmt("%.0f", double(dnsLimit->window(runOptions.resolver.nameservers.at(0).label()))));
  if (args.smtp) {
    const std::size_t firstConnections = scanner->tls->connections();
    row("SMTP connections made (audit, both passes)",
        fmt("%.0f", double(firstConnections + progress.recheck_smtp_connections)));
    row("  of which by re-checks", fmt("%.0f", double(progress.recheck_smtp_connections)));
    row("SMTP connections accepted (lab server)",
        fmt("%.0f", double(server.smtp_connections - serverBefore.smtp_connections)));
    row("MX addresses probed (first pass, registry)",
        fmt("%.0f", double(scanner->tls->registry().probesRun())));
    row("MX addresses connected to (lab server)", fmt("%.0f", double(server.smtp_addresses)));
    row("STARTTLS answered 220", fmt("%.0f", double(server.starttls - serverBefore.starttls)));
    row("TLS handshakes completed (SMTP)",
        fmt("%.0f", double(server.smtp_handshakes - serverBefore.smtp_handshakes)));
    row("TLS handshakes not completed (refused/hellos)",
        fmt("%.0f",
            double(server.smtp_handshakes_unfinished - serverBefore.smtp_handshakes_unfinished)));
    row("421 greetings", fmt("%.0f", double(server.busy_greetings - serverBefore.busy_greetings)));
    row("MTA-STS fetches: HTTPS connections",
        fmt("%.0f", double(server.https_connections - serverBefore.https_connections)));
    row("  policies served / 404",
        std::to_string(server.policies_served - serverBefore.policies_served) + " / " +
            std::to_string(server.policies_not_found - serverBefore.policies_not_found));
    // Where the domains' time went: their audit durations summed, against the time connections
    // to the lab server were open (a domain waiting for another's probe of a shared MX address
    // is in the first figure, not in the others).
    const double domainSeconds =
        std::accumulate(outcomes.begin(), outcomes.end(), 0.0,
                        [](double s, const Outcome& o) { return s + o.ms; }) /
        1000.0;
    const double smtpSeconds =
        server.smtp_connection_seconds - serverBefore.smtp_connection_seconds;
    const double httpsSeconds =
        server.https_connection_seconds - serverBefore.https_connection_seconds;
    row("domain-seconds (durations summed, all looks)", fmt("%.1f", domainSeconds));
    row("  SMTP connection-seconds (server side)", fmt("%.1f", smtpSeconds));
    row("  HTTPS connection-seconds (server side)", fmt("%.1f", httpsSeconds));
    row("  mean SMTP connections open at once", fmt("%.2f", smtpSeconds / wall));
    row("certificates minted (lab CA)", fmt("%.0f", double(server.certificates_minted)));
    row("connections closed idle / foreign peers",
        std::to_string(server.idle_closed) + " / " + std::to_string(server.rejected_peers));
  }
  row("peak RSS of the bench process (MB)", fmt("%.1f", double(after.ru_maxrss) / 1024.0));
  if (firstPassPeakRss > 0)
    row("  peak RSS at the first re-check (MB)", fmt("%.1f", double(firstPassPeakRss) / 1024.0));
  row("CPU s, bench process (user+sys)", fmt("%.2f", processCpu));
  row("  of which the forwarder thread", fmt("%.2f", fwdCpu));
  if (args.smtp) row("  of which the lab SMTP/HTTPS server threads", fmt("%.2f", serverCpu));
  row("  audit CPU ms per domain", fmt("%.2f", (processCpu - fwdCpu - serverCpu) * 1000.0 / n));
  row("CPU s, knotd (user+sys)", fmt("%.2f", knotCpu));
  row("knotd RSS (MB)", fmt("%.1f", double(knotRss) / 1024.0));

  // One row entry per domain: its latest look (the re-check's, for a re-checked domain).
  std::set<std::string> rechecked;
  for (const auto& o : outcomes)
    if (o.attempt == 2) rechecked.insert(o.domain);
  std::printf("\n  %-9s %6s %9s %9s %9s %9s %8s  %s\n", "kind", "count", "ms mean", "ms p50",
              "ms p99", "ms max", "queries", "worst status / grade");
  for (int k = 0; k < kKindCount; ++k) {
    std::vector<double> ms;
    double q = 0;
    std::map<std::string, int> worstCount, grades;
    for (const auto& o : outcomes) {
      if (o.kind != Kind(k) || (o.attempt == 1 && rechecked.count(o.domain))) continue;
      ms.push_back(o.ms);
      q += double(o.queries);
      ++worstCount[std::string(toString(o.worst))];
      ++grades[o.grade];
    }
    if (ms.empty()) continue;
    std::string mix;
    for (const auto& [s, c] : worstCount) mix += s + ":" + std::to_string(c) + " ";
    mix += "/";
    for (const auto& [g, c] : grades) mix += " " + g + ":" + std::to_string(c);
    std::printf("  %-9s %6zu %9.1f %9.1f %9.1f %9.1f %8.1f  %s\n",
                std::string(toString(Kind(k))).c_str(), ms.size(),
                std::accumulate(ms.begin(), ms.end(), 0.0) / double(ms.size()), percentile(ms, 0.5),
                percentile(ms, 0.99), percentile(ms, 1.0), q / double(ms.size()), mix.c_str());
  }
  std::printf("  (each domain's latest look: for a retried domain, the second one)\n");

  if (args.smtp) {
    // Transport outcomes of each domain's latest look, by what the lab put behind its MX and its
    // MTA-STS host: the defect should show in the matching check.
    // Dead domains are left out: their DNS never answers, so nothing of their transport is seen.
    std::map<std::string, std::string> transportOf, stsOf;
    for (const auto& d : lab.domains) {
      if (d.kind == Kind::Dead) continue;
      transportOf[d.name] = d.transport;
      stsOf[d.name] = d.sts;
    }
    std::array<std::map<Status, int>, kTransportChecks.size()> overall;
    std::map<std::string, std::pair<int, std::array<std::map<Status, int>, 4>>> byTransport;
    std::map<std::string, std::pair<int, std::map<Status, int>>> bySts;
    for (const auto& [domain, t] : transport) {
      for (std::size_t i = 0; i < kTransportChecks.size(); ++i)
        if (t.status[i]) ++overall[i][*t.status[i]];
      const std::string& tr = transportOf[domain];
      if (!tr.empty()) {
        auto& row = byTransport[tr];
        ++row.first;
        for (std::size_t i = 0; i < 4; ++i)
          if (t.status[i]) ++row.second[i][*t.status[i]];
      }
      const std::string& sts = stsOf[domain];
      if (!sts.empty()) {
        auto& row = bySts[sts];
        ++row.first;
        if (t.status[4]) ++row.second[*t.status[4]];
      }
    }
    std::printf("\n  transport checks, each domain's latest look (domains reporting the check)\n");
    for (std::size_t i = 0; i < kTransportChecks.size(); ++i)
      std::printf("  %-9s %s\n", std::string(kTransportChecks[i]).c_str(),
                  statusMix(overall[i]).c_str());
    std::printf("\n  %-13s %6s  %-22s %-22s %-22s %s\n", "MX transport", "count", "TLS-01",
                "TLS-02", "TLS-03", "TLS-04");
    for (const auto& [tr, row] : byTransport)
      std::printf("  %-13s %6d  %-22s %-22s %-22s %s\n", tr.c_str(), row.first,
                  statusMix(row.second[0]).c_str(), statusMix(row.second[1]).c_str(),
                  statusMix(row.second[2]).c_str(), statusMix(row.second[3]).c_str());
    std::printf("  (mail domains of the lab, dead ones left out: their DNS never answers)\n");
    std::printf("\n  %-13s %6s  %s\n", "MTA-STS host", "count", "MTASTS-01");
    for (const auto& [sts, row] : bySts)
      std::printf("  %-13s %6d  %s\n", sts.c_str(), row.first, statusMix(row.second).c_str());
  }

  // One dead domain alone, first attempt, fresh cache: what a nameserver that never answers costs.
  for (const auto& d : lab.domains) {
    if (d.kind != Kind::Dead) continue;
    dns::LdnsResolver resolver(runOptions.resolver);
    const auto s = Clock::now();
    const auto report = audit::auditDomain(resolver, d.name, base);
    const double secs = std::chrono::duration<double>(Clock::now() - s).count();
    const double budget = args.timeout_s * (1 + args.retries);
    std::printf(
        "\n  one dead domain alone (%s, uncached): %.2f s = %.2f timeout budgets "
        "(budget = timeout x attempts = %.1f s), %zu queries asked\n",
        d.name.c_str(), secs, secs / budget, budget, report.dns_queries);
    break;
  }
  std::printf("  done: %zu of %zu domains\n", progress.done, progress.total);
  return 0;
}

}  // namespace

}  // namespace mh::bench

int main(int argc, char** argv) {
  try {
    return mh::bench::run(mh::bench::parseArgs(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "national_bench: %s\n", e.what());
    return 1;
  }
}
