// The national benchmark: audits a synthetic lab of N domains served by knotd and prints the
// figures.
//
//   national_bench [--domains N] [--threads T] [--latency-ms L] [--timeout S] [--retries R]
//                  [--seed S] [--udp-workers W] [--no-retry] [--keep]
//
// Not a test: it asserts nothing and is not registered with ctest. The model (see README,
// "Benchmark"): the audit's stub resolver asks a UDP forwarder on loopback (as it would ask a
// recursive resolver), which adds --latency-ms to each direction and forwards to knotd serving
// every generated zone. "dead-*" domains model a nameserver that never answers: their zones exist,
// but the forwarder drops every query under them, so each query ends in the stub's timeout.
// "servfail-*" zones fail to load in knotd (SERVFAIL), "gone-*" names do not exist (NXDOMAIN).
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
#include <string>
#include <vector>

#include "bench/knot_server.hpp"
#include "bench/lab_generator.hpp"
#include "bench/udp_forwarder.hpp"
#include "checks/audit/domain_audit.hpp"
#include "checks/audit/scoring.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "service/audit/audit_runner.hpp"

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
  bool keep = false;
};

[[noreturn]] void usage(const char* error) {
  if (error) std::fprintf(stderr, "national_bench: %s\n", error);
  std::fprintf(stderr,
               "usage: national_bench [--domains N] [--threads T] [--latency-ms L] [--timeout S]\n"
               "                      [--retries R] [--seed S] [--udp-workers W] [--no-retry] "
               "[--keep]\n"
               "  DNS-only audit (no SMTP/TLS, no MTA-STS policy fetch) of a synthetic lab of N\n"
               "  domains served by knotd on loopback. --smtp is not implemented.\n");
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
    else if (arg == "--keep")
      a.keep = true;
    else if (arg == "--smtp")
      usage("--smtp (full audit with SMTP/TLS) is not implemented yet");
    else if (arg == "-h" || arg == "--help")
      usage(nullptr);
    else
      usage(("unknown option " + arg).c_str());
  }
  if (a.domains == 0) usage("--domains must be at least 1");
  return a;
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
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
  Kind kind = Kind::Good;
  double ms = 0;
  std::size_t queries = 0;
  int attempt = 1;
  Status worst = Status::Na;
  std::string grade;  // "-" when no score
};

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
  const NationalLab lab = generateLab(args.domains, args.seed, dir.path / "zones");
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
  UdpForwarder forwarder(fwdOptions);

  auto psl = dmarc::PublicSuffixList::load(MH_BENCH_PSL_FILE);
  if (!psl) throw std::runtime_error("cannot load the lab PSL " MH_BENCH_PSL_FILE);
  audit::AuditOptions base;
  base.psl = psl.get();
  base.tls = nullptr;            // DNS only: no SMTP/TLS probe
  base.mta_sts_fetch = nullptr;  // and no MTA-STS policy fetch

  service::AuditRunOptions runOptions;
  runOptions.threads = args.threads;
  runOptions.retry_errors = args.retry_errors;
  runOptions.resolver.nameservers = {{"127.0.0.1", forwarder.port()}};
  runOptions.resolver.timeout = std::chrono::milliseconds(long(args.timeout_s * 1000));
  runOptions.resolver.retries = args.retries;

  std::vector<service::AuditTask> tasks;
  tasks.reserve(lab.domains.size());
  for (const auto& d : lab.domains) tasks.push_back({d.name, {}});

  std::mutex mutex;
  std::vector<Outcome> outcomes;
  outcomes.reserve(tasks.size());
  std::size_t failures = 0;
  service::AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int attempt) {
    Outcome o;
    o.kind = kindOf(r.domain);
    o.ms = r.duration_ms;
    o.queries = r.dns_queries;
    o.attempt = attempt;
    for (const auto& c : r.checks) o.worst = worst(o.worst, c.status);
    const auto score = audit::scoreReport(r);
    o.grade = score.grade ? std::string(audit::toString(*score.grade)) : "-";
    std::lock_guard lock(mutex);
    outcomes.push_back(std::move(o));
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
  const auto started = Clock::now();
  const auto progress = service::runAudit(tasks, base, runOptions, sink);
  const double wall = std::chrono::duration<double>(Clock::now() - started).count();
  ::getrusage(RUSAGE_SELF, &after);
  const double knotCpu = knot.cpuSeconds() - knotCpuBefore;
  const auto fwd = forwarder.stats();
  const long knotRss = knot.rssKib();
  const std::string loadAfter = loadAverage();

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

  std::printf("\nmailhygiene national benchmark (DNS only: no SMTP/TLS, no MTA-STS fetch)\n");
  std::printf(
      "  domains %zu, threads %u, latency +%.1f ms each way (forwarder), timeout %.1f s x "
      "%d attempts, seed %u\n",
      tasks.size(), args.threads, args.latency_ms, args.timeout_s, 1 + args.retries, args.seed);
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
  row("wall time (s)", fmt("%.2f", wall));
  row("domains/s", fmt("%.1f", n / wall));
  row("domains retried (errors, second pass)", fmt("%.0f", double(retried)));
  row("audit failures (exceptions)", fmt("%.0f", double(failures)));
  row("DNS queries asked per domain (incl. cache)", fmt("%.1f", double(asked) / n));
  row("upstream queries per domain (sent to knotd)", fmt("%.1f", double(upstream) / n));
  row("upstream queries/s", fmt("%.0f", double(upstream) / wall));
  row("queries dropped (dead domains, attempts)", fmt("%.0f", double(dropped)));
  row("truncated answers (TC; TCP not forwarded)", fmt("%.0f", double(fwd.truncated)));
  row("peak RSS of the bench process (MB)", fmt("%.1f", double(after.ru_maxrss) / 1024.0));
  row("CPU s, bench process (user+sys)", fmt("%.2f", processCpu));
  row("  of which the forwarder thread", fmt("%.2f", fwdCpu));
  row("  audit CPU ms per domain", fmt("%.2f", (processCpu - fwdCpu) * 1000.0 / n));
  row("CPU s, knotd (user+sys)", fmt("%.2f", knotCpu));
  row("knotd RSS (MB)", fmt("%.1f", double(knotRss) / 1024.0));

  std::printf("\n  %-9s %6s %9s %9s %9s %9s %8s  %s\n", "kind", "count", "ms mean", "ms p50",
              "ms p99", "ms max", "queries", "worst status / grade");
  for (int k = 0; k < kKindCount; ++k) {
    std::vector<double> ms;
    double q = 0;
    std::map<std::string, int> worstCount, grades;
    for (const auto& o : outcomes) {
      if (o.kind != Kind(k)) continue;
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
  std::printf("  (durations are of the reported attempt: for a retried domain, the second one)\n");

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
