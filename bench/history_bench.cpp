// The history benchmark: writes a year-like history into a fresh store and times the pages and
// downloads that read it, each the first request to a freshly started `mailhygiene serve`.
//
//   history_bench --runs N --domains M [--dir DIR] [--keep-evidence-days D] [--seed S] [--keep]
//                 [--mailhygiene PATH]
//
// Not a test: it asserts nothing and is not registered with ctest. The model (README, "History
// benchmark"): M domains (5% not existing, 5% without mail), one complete national run a day
// for N days, written through SqliteStore::recordDomainResult and finishRun exactly as an audit
// writes them (rows built by rowWithScore from DomainReports whose evidence has the shapes and
// sizes of real evidence, ~15 KB per result). Each day 2% of the domains change something
// they publish (an MX, a DKIM key, an include), 0.3% regress (SPF -all -> ~all, DMARC reject ->
// none), 0.3% improve back, 1% see a TLS timeout (error) fixed by the run's re-check (attempt 2).
// The first two runs write every domain through the store; after that the domains that changed
// nothing are written by BulkCopy (the same rows recordDomainResult would add), the others
// through recordDomainResult.
// Probe timings (elapsed_ms) differ every run, as they do. Then for each figure a new
// `mailhygiene serve` process starts on the store (cold: no cache of the server's own) and the
// page's API calls or the download are timed over HTTP on loopback, as the dashboard makes them.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "checks/core/rubric.hpp"
#include "service/audit/scored_row.hpp"
#include "service/store/sqlite_store.hpp"
#include "tests/lab/run_program.hpp"

namespace mh::bench {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Args {
  int runs = 30;
  int domains = 1000;
  std::string dir;
  int keep_evidence_days = service::store::kDefaultKeepEvidenceDays;
  unsigned seed = 1;
  bool keep = false;
  std::string mailhygiene = MH_BENCH_MAILHYGIENE;  // the binary whose serve is timed
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "history_bench: %s\nusage: history_bench --runs N --domains M [--dir DIR] "
               "[--keep-evidence-days D] [--seed S] [--keep] [--mailhygiene PATH]\n",
               why.c_str());
  std::exit(2);
}

Args parseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--runs") {
      a.runs = std::stoi(value());
    } else if (arg == "--domains") {
      a.domains = std::stoi(value());
    } else if (arg == "--dir") {
      a.dir = value();
    } else if (arg == "--keep-evidence-days") {
      a.keep_evidence_days = std::stoi(value());
    } else if (arg == "--seed") {
      a.seed = static_cast<unsigned>(std::stoul(value()));
    } else if (arg == "--keep") {
      a.keep = true;
    } else if (arg == "--mailhygiene") {
      a.mailhygiene = value();
    } else {
      usage("unknown option " + arg);
    }
  }
  if (a.runs < 1 || a.domains < 1) usage("--runs and --domains must be positive");
  return a;
}

// What a domain publishes; a change bumps a version that shows in its records.
struct Domain {
  std::string name;
  bool exists = true;
  bool mail = true;
  bool strict_spf = true;
  std::string dmarc = "reject";
  int mx_version = 0;
  int dkim_version = 0;
  int spf_version = 0;
  bool dnssec = false;
  bool sts = false;
  bool timeout = false;  // a TLS timeout in today's first look
};

// The first runs are written in full through recordDomainResult (every domain), so the store
// holds each domain's content before any copy.
constexpr int kRunsInFull = 2;

// The faithful bulk equivalent of writing an unchanged domain through recordDomainResult: its
// evidence, check set and record set are those of its previous result (same content, same
// hashes), so the write path would add exactly one domain_results row pointing at them and move
// latest_results; this adds that row (new run, time stamps) for many domains in one statement.
class BulkCopy {
 public:
  explicit BulkCopy(const std::string& path) : db_(service::store::openDatabase(path)) {
    sqlite3_busy_timeout(db_.get(), 60000);
    exec("CREATE TEMP TABLE unchanged (name TEXT PRIMARY KEY)");
  }
  std::size_t copy(std::int64_t from, std::int64_t to, const std::vector<std::string>& names,
                   const std::string& now) {
    if (from == 0 || names.empty()) return 0;
    exec("BEGIN IMMEDIATE");
    exec("DELETE FROM unchanged");
    {
      service::store::Statement add(db_.get(), "INSERT INTO unchanged (name) VALUES (?1)");
      for (const auto& n : names) {
        add.bind(1, n).run();
        add.reset();
      }
    }
    service::store::Statement insert(
        db_.get(),
        "INSERT INTO domain_results (run_id, domain_id, attempt, domain_exists, receives_mail, "
        "sends_mail, profile_reasons_json, score, grade, tier, dmarc_phase, started_at, "
        "duration_ms, dns_queries, recorded_at, check_set_id, observed_set_id) "
        "SELECT ?2, dr.domain_id, 1, dr.domain_exists, dr.receives_mail, dr.sends_mail, "
        "dr.profile_reasons_json, dr.score, dr.grade, dr.tier, dr.dmarc_phase, ?3, "
        "dr.duration_ms, dr.dns_queries, ?3, dr.check_set_id, dr.observed_set_id "
        "FROM latest_domain_results dr JOIN domains d ON d.id = dr.domain_id "
        "WHERE dr.run_id = ?1 AND d.name IN (SELECT name FROM unchanged)");
    insert.bind(1, from).bind(2, to).bind(3, now).run();
    const auto added = static_cast<std::size_t>(sqlite3_changes(db_.get()));
    service::store::Statement latest(
        db_.get(),
        "UPDATE latest_results SET domain_result_id = (SELECT dr.id FROM domain_results dr "
        "WHERE dr.run_id = ?1 AND dr.domain_id = latest_results.domain_id), run_id = ?1, "
        "attempt = 1 WHERE domain_id IN (SELECT domain_id FROM domain_results WHERE run_id = ?1)");
    latest.bind(1, to).run();
    exec("COMMIT");
    return added;
  }

 private:
  void exec(const std::string& sql) {
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_.get()));
  }
  service::store::DbPtr db_;
};

std::string day(int d) {
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 0;
  tm.tm_mday = 1 + d;
  tm.tm_hour = 2;
  const std::time_t t = timegm(&tm);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.000Z", &utc);
  return text;
}

Json answer(const std::string& query, const std::vector<std::string>& records) {
  Json recs = Json::array();
  for (const auto& r : records) recs.push(r);
  return Json::object({{"query", query}, {"status", "NOERROR"}, {"records", recs},
                       {"server", "127.0.0.1:53"}});
}

// A base64-like text of `n` characters that depends on `seed`.
std::string blob(std::size_t n, std::size_t seed) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out(n, 'A');
  std::size_t x = seed * 2654435761u + 12345;
  for (auto& c : out) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    c = kAlphabet[(x >> 33) % 64];
  }
  return out;
}

// The TLS evidence of one MX host: STARTTLS, certificate, version and suite enumeration.
Json tlsHost(const Domain& d, int mx, bool timeout, int elapsed) {
  const std::string host = "mx" + std::to_string(mx) + "." + d.name;
  Json versions = Json::array();
  for (const char* v : {"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"})
    versions.push(Json::object(
        {{"version", v},
         {"support", std::string(v) == "TLSv1.2" || std::string(v) == "TLSv1.3" ? "accepted"
                                                                                  : "rejected"}}));
  Json suites = Json::array();
  for (int i = 0; i < 36; ++i)
    suites.push(Json::object({{"name", "TLS_ECDHE_RSA_WITH_SUITE_" + std::to_string(i)},
                              {"group", i % 9 == 0 ? "CBC" : "AEAD"},
                              {"support", i % 3 == 0 ? "accepted" : "rejected"}}));
  Json address = Json::object(
      {{"address", "203.0.113." + std::to_string(10 + mx)},
       {"starttls",
        Json::object({{"banner", "220 " + host + " ESMTP Postfix"},
                      {"ehlo", Json(Json::Array{Json("250-" + host), Json("250-PIPELINING"),
                                                Json("250-SIZE 10240000"), Json("250-STARTTLS"),
                                                Json("250 8BITMIME")})},
                      {"starttls_advertised", true},
                      {"starttls_code", timeout ? 0 : 220},
                      {"error", timeout ? "timeout after 10 s" : ""},
                      {"elapsed_ms", elapsed}})},
       {"certificate",
        Json::object({{"subject", "CN=" + host},
                      {"issuer", "CN=R11, O=Let's Encrypt, C=US"},
                      {"san", Json(Json::Array{Json(host), Json(d.name)})},
                      {"not_before", "2026-01-01T00:00:00Z"},
                      {"not_after", "2026-04-01T00:00:00Z"},
                      {"sha256", blob(64, d.name.size() * 31 + static_cast<std::size_t>(mx))},
                      {"chain", Json(Json::Array{Json(blob(900, d.name.size() + 7)),
                                                 Json(blob(700, 99))})}})},
       {"enumeration", Json::object({{"versions", versions},
                                     {"suites", suites},
                                     {"connections", 41},
                                     {"elapsed_ms", elapsed * 3}})}});
  return Json::object({{"host", host}, {"addresses", Json(Json::Array{address})}});
}

// One domain's audit of one day as the checks would report it.
audit::DomainReport report(const Domain& d, const std::string& when, bool tlsTimeout,
                           std::mt19937& rng) {
  audit::DomainReport r;
  r.domain = d.name;
  r.exists = d.exists;
  r.profile.receives_mail = d.mail;
  r.profile.sends_mail = d.mail;
  r.profile.reasons = {d.mail ? "has MX" : "no MX, SPF -all"};
  r.started_at = when;
  r.duration_ms = 800 + rng() % 4000;
  r.dns_queries = 40 + rng() % 20;
  const std::string spf = "v=spf1 mx include:_spf" + std::to_string(d.spf_version) +
                          ".mail.gov.vn " + (d.strict_spf ? "-all" : "~all");
  const std::string dmarc = "v=DMARC1; p=" + d.dmarc + "; rua=mailto:dmarc@" + d.name;
  std::vector<std::string> mx;
  for (int i = 1; i <= 2; ++i)
    mx.push_back(d.name + ".\t3600\tIN\tMX\t" + std::to_string(10 * i) + " mx" +
                 std::to_string(i + d.mx_version) + "." + d.name + ".");
  for (const auto& entry : rubric()) {
    CheckResult c;
    c.id = std::string(entry.id);
    if (!d.exists) {
      c.status = Status::Na;
      r.checks.push_back(std::move(c));
      continue;
    }
    const std::string id = c.id;
    c.status = Status::Pass;
    if (id == "MX-01") {
      c.evidence = Json::object({{"answers", Json(Json::Array{answer(d.name + " MX", mx)})}});
      if (!d.mail) c.status = Status::Na;
    } else if (id.starts_with("SPF-")) {
      c.evidence = Json::object(
          {{"domain", d.name},
           {"txt", answer(d.name + " TXT", {d.name + ".\t3600\tIN\tTXT\t\"" + spf + "\""})},
           {"records", Json(Json::Array{Json(spf)})},
           {"policy", Json::object({{"effective_all", d.strict_spf ? "-all" : "~all"},
                                    {"lookups", 3}})}});
      if (id == "SPF-02" && !d.strict_spf) {
        c.add(makeFinding("SPF_SOFTFAIL_ALL", Status::Fail).arg("record", spf));
        c.remediation = {"Kết thúc bản ghi SPF bằng -all sau khi liệt kê mọi nguồn gửi thư.",
                         "End the SPF record with -all once every sending source is listed."};
      }
    } else if (id.starts_with("DMARC-")) {
      const bool usable = d.dmarc != "";
      c.evidence = Json::object(
          {{"queries",
            Json(Json::Array{Json::object({{"query", "_dmarc." + d.name + " TXT"},
                                           {"status", "NOERROR"},
                                           {"dmarc_records", Json(Json::Array{Json(dmarc)})}})})},
           {"record",
            Json::object({{"text", dmarc},
                          {"parse", Json::object({{"usable", usable},
                                                  {"policy", d.dmarc},
                                                  {"tags", Json::object({{"p", d.dmarc},
                                                                         {"rua", "mailto:dmarc@" +
                                                                                     d.name}})}})}})}});
      if (id == "DMARC-02" && d.dmarc != "reject") {
        c.status = d.dmarc == "none" ? Status::Fail : Status::Warn;
        c.add(makeFinding("DMARC_POLICY_WEAK", c.status).arg("policy", d.dmarc));
        c.remediation = {"Nâng chính sách DMARC lên p=reject theo lộ trình none → quarantine → "
                         "reject.",
                         "Raise the DMARC policy to p=reject (none -> quarantine -> reject)."};
      }
    } else if (id.starts_with("DKIM-")) {
      Json keys = Json::array();
      keys.push(Json::object({{"algorithm", "rsa"},
                              {"bits", 2048},
                              {"state", "usable"},
                              {"p", blob(392, d.name.size() * 13 + static_cast<std::size_t>(
                                                                        d.dkim_version))}}));
      c.evidence = Json::object(
          {{"domain", d.name},
           {"selectors",
            Json(Json::Array{Json::object(
                {{"selector", "default"},
                 {"answer", answer("default._domainkey." + d.name + " TXT", {})},
                 {"keys", keys}})})}});
      if (!d.mail) c.status = Status::Na;
    } else if (id.starts_with("TLS-") || id == "ACC-01" || id == "DANE-01" || id == "HYG-01") {
      if (!d.mail) {
        c.status = Status::Na;
      } else {
        // TLS-02 carries the probes in full; the others name the hosts and addresses they judged.
        Json hosts = Json::array();
        for (int i = 1; i <= 2; ++i) {
          const int mx = i + d.mx_version;
          hosts.push(id == "TLS-02" ? tlsHost(d, mx, tlsTimeout, static_cast<int>(rng() % 900))
                                    : Json::object({{"host", "mx" + std::to_string(mx) + "." +
                                                                 d.name},
                                                    {"address", "203.0.113." +
                                                                    std::to_string(10 + mx)},
                                                    {"starttls", !tlsTimeout},
                                                    {"elapsed_ms",
                                                     static_cast<int>(rng() % 900)}}));
        }
        c.evidence = Json::object({{"hosts", hosts}});
        if (tlsTimeout && id == "TLS-01") {
          c.add(makeFinding("TLS_STARTTLS_TIMEOUT", Status::Error).arg("host", "mx1." + d.name));
        }
        if (id == "DANE-01" && !d.dnssec) c.status = Status::Fail;
      }
    } else if (id == "MTASTS-01") {
      c.evidence = Json::object(
          {{"answer", answer("_mta-sts." + d.name + " TXT",
                             d.sts ? std::vector<std::string>{"v=STSv1; id=20260101"}
                                   : std::vector<std::string>{})},
           {"fetch", Json::object({{"policy", Json::object({{"mode", d.sts ? "enforce" : ""},
                                                            {"max_age", 86400}})},
                                   {"elapsed_ms", static_cast<int>(rng() % 500)}})}});
      if (!d.sts) c.status = Status::Fail;
    } else if (id == "TLSRPT-01") {
      c.evidence = Json::object({{"answer", answer("_smtp._tls." + d.name + " TXT", {})}});
      c.status = Status::Warn;
    } else if (id == "DNSSEC-01") {
      c.evidence = Json::object(
          {{"ds", answer(d.name + " DS", {d.name + ".\t86400\tIN\tDS\t12345 13 2 " + blob(64, 5)})},
           {"dnskey", answer(d.name + " DNSKEY",
                             {d.name + ".\t3600\tIN\tDNSKEY\t257 3 13 " + blob(88, 6),
                              d.name + ".\t3600\tIN\tDNSKEY\t256 3 13 " + blob(88, 7)})},
           {"secure", d.dnssec}});
      if (!d.dnssec) c.status = Status::Fail;
    }
    r.checks.push_back(std::move(c));
  }
  return r;
}

// A free TCP port on loopback (the kernel's pick, released for serve to bind).
std::uint16_t freePort() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  const auto port = socket.address().port();
  socket.close();
  return port;
}

struct Response {
  int status = 0;
  std::size_t bytes = 0;
};

Response get(std::uint16_t port, const std::string& path) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(600, 0));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& body = session.receiveResponse(response);
  std::string text;
  Poco::StreamCopier::copyToString(body, text);
  return {static_cast<int>(response.getStatus()), text.size()};
}

// `mailhygiene serve` on the store, started anew for each figure.
class Serve {
 public:
  Serve(const std::string& binary, const std::string& db, const std::string& domains)
      : port_(freePort()) {
    const std::string port = std::to_string(port_);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const char* argv[] = {binary.c_str(), "serve",         "--bind", "127.0.0.1",
                            "--port",       port.c_str(),    "--db",   db.c_str(),
                            "--domains",    domains.c_str(), nullptr};
      const int devNull = ::open("/dev/null", O_WRONLY);
      ::dup2(devNull, 1);
      ::dup2(devNull, 2);
      ::execv(binary.c_str(), const_cast<char* const*>(argv));
      ::_exit(127);
    }
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (Clock::now() < deadline) {
      try {
        if (get(port_, "/healthz").status == 200) return;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("serve did not start within 120 s");
  }
  ~Serve() { lab::stopChild(pid_); }
  std::uint16_t port() const { return port_; }
  // VmHWM: the process's peak resident set so far, in MB.
  double peakRssMb() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024.0;
    return 0;
  }

 private:
  std::uint16_t port_;
  pid_t pid_ = -1;
};

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int run(const Args& a) {
  spdlog::set_level(spdlog::level::warn);
  const fs::path dir =
      a.dir.empty() ? fs::temp_directory_path() / ("mh-history-bench-" + std::to_string(getpid()))
                    : fs::path(a.dir);
  fs::create_directories(dir);
  const std::string db = (dir / "history.db").string();
  const std::string domainsFile = (dir / "domains.csv").string();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);

  std::mt19937 rng(a.seed);
  std::uniform_real_distribution<double> uniform(0, 1);
  static const char* const kCategories[] = {"ministry", "agency", "province", "enterprise"};
  std::vector<Domain> domains(static_cast<std::size_t>(a.domains));
  std::vector<service::DomainEntry> entries;
  {
    std::ofstream csv(domainsFile);
    csv << "domain,agency_vi,agency_en,category,group,status,successor,dkim_selectors\n";
    for (std::size_t i = 0; i < domains.size(); ++i) {
      Domain& d = domains[i];
      char name[32];
      std::snprintf(name, sizeof name, "d%05zu.gov.vn", i);
      d.name = name;
      d.exists = i % 20 != 7;
      d.mail = d.exists && i % 20 != 11;
      d.strict_spf = uniform(rng) < 0.6;
      d.dmarc = uniform(rng) < 0.4 ? "reject" : uniform(rng) < 0.5 ? "quarantine" : "none";
      d.dnssec = uniform(rng) < 0.2;
      d.sts = uniform(rng) < 0.1;
      service::DomainEntry e;
      e.domain = d.name;
      e.agency_vi = "Sở Thông tin và Truyền thông tỉnh " + std::to_string(i);
      e.agency_en = "Department of Information and Communications " + std::to_string(i);
      e.category = kCategories[i % 4];
      e.group = "Nhóm " + std::to_string(i % 12);
      csv << e.domain << "," << e.agency_vi << "," << e.agency_en << "," << e.category << ","
          << e.group << ",current,,\n";
      entries.push_back(std::move(e));
    }
  }

  std::size_t results = 0, copied = 0, evidenceBytes = 0;
  double rollupMs = 0;
  const auto buildStart = Clock::now();
  {
    std::string now = day(0);
    service::store::SqliteStoreOptions options;
    options.clock = [&now] { return now; };
    options.keep_evidence_days = a.keep_evidence_days;
    service::store::SqliteStore store(db, options);
    store.upsertDomains(entries);
    BulkCopy bulk(db);
    std::int64_t previous = 0;
    for (int r = 0; r < a.runs; ++r) {
      now = day(r);
      const auto run = store.startRun(service::store::RunKind::National, kRubricVersion,
                                      MH_VERSION, "{}");
      std::vector<std::size_t> audited;  // through the write path
      std::vector<std::string> unchanged;
      for (std::size_t i = 0; i < domains.size(); ++i) {
        Domain& d = domains[i];
        bool changed = r < kRunsInFull;
        if (d.exists) {
          const double x = uniform(rng);
          if (x < 0.02) {
            ++(x < 0.007 ? d.mx_version : x < 0.014 ? d.dkim_version : d.spf_version);
            changed = true;
          } else if (x < 0.023) {  // a regression
            if (d.strict_spf) {
              d.strict_spf = false;
            } else {
              d.dmarc = "none";
            }
            changed = true;
          } else if (x < 0.026) {  // an improvement
            changed = changed || !d.strict_spf || d.dmarc == "none";
            d.strict_spf = true;
            if (d.dmarc == "none") d.dmarc = "quarantine";
          }
        }
        d.timeout = d.mail && uniform(rng) < 0.01;
        if (changed || d.timeout) {
          audited.push_back(i);
        } else {
          unchanged.push_back(d.name);
        }
      }
      copied += bulk.copy(previous, run, unchanged, now);
      for (std::size_t i : audited) {
        const Domain& d = domains[i];
        for (int attempt = 0; attempt < (d.timeout ? 2 : 1); ++attempt) {
          const auto rep = report(d, day(r), d.timeout && attempt == 0, rng);
          if (r == 0 && attempt == 0)
            for (const auto& c : rep.checks) evidenceBytes += c.evidence.dump().size();
          const auto written = store.recordDomainResult(run, service::rowWithScore(rep));
          if (!written) throw std::runtime_error("write failed: " + written.error);
          ++results;
        }
      }
      const auto finishStart = Clock::now();
      store.finishRun(run, service::store::RunState::Complete);
      rollupMs = msSince(finishStart);
      previous = run;
      if ((r + 1) % 30 == 0 || r + 1 == a.runs)
        std::fprintf(stderr, "history_bench: %d runs written (%.0f s)\n", r + 1,
                     msSince(buildStart) / 1000);
    }
  }
  const double buildSeconds = msSince(buildStart) / 1000;
  const double storeBytes = static_cast<double>(fs::file_size(db)) +
                            (fs::exists(db + "-wal") ? fs::file_size(db + "-wal") : 0);

  // Cold reads: a new serve process for each figure.
  const std::string domain = domains[3].name;  // a mail domain with a full history
  double peakRss = 0;
  auto timed = [&](const std::vector<std::string>& paths, bool* missing = nullptr) {
    Serve serve(a.mailhygiene, db, domainsFile);
    const auto start = Clock::now();
    for (const auto& p : paths) {
      const auto response = get(serve.port(), p);
      if (response.status == 404 && missing) *missing = true;
      if (response.status != 200 && !(missing && *missing))
        throw std::runtime_error(p + " answered " + std::to_string(response.status));
    }
    const double ms = msSince(start);
    peakRss = std::max(peakRss, serve.peakRssMb());
    return ms;
  };
  const std::string api = "/api/v1/domains/" + domain;
  const double trendMs = timed({"/api/v1/trend"});
  const double overviewMs = timed({"/api/v1/domains", "/api/v1/trend"});
  const double domainMs = timed({api, api + "/history", api + "/changes"});
  const double historyMs = timed({"/reports/domains/" + domain + "/history.csv"});
  const double nationalMs = timed({"/reports/national.csv"});
  bool noXlsx = false;
  const double xlsxMs = timed({"/reports/national.xlsx"}, &noXlsx);

  std::printf("runs %d\n", a.runs);
  std::printf("domains %d\n", a.domains);
  std::printf("domain results %zu\n", results + copied);
  std::printf("written through recordDomainResult %zu\n", results);
  std::printf("evidence KB per result written %.1f\n",
              static_cast<double>(evidenceBytes) / 1024.0 /
                  static_cast<double>(std::max<std::size_t>(1, domains.size())));
  std::printf("build s %.0f\n", buildSeconds);
  std::printf("store MB %.1f\n", storeBytes / 1e6);
  std::printf("bytes per domain result %.0f\n", storeBytes / static_cast<double>(results + copied));
  std::printf("rollup ms %.0f\n", rollupMs);
  std::printf("trend ms %.0f\n", trendMs);
  std::printf("overview ms %.0f\n", overviewMs);
  std::printf("domain page ms %.0f\n", domainMs);
  std::printf("history csv ms %.0f\n", historyMs);
  std::printf("national csv ms %.0f\n", nationalMs);
  if (noXlsx) {
    std::printf("national xlsx ms n/a\n");
  } else {
    std::printf("national xlsx ms %.0f\n", xlsxMs);
  }
  std::printf("serve peak RSS MB %.0f\n", peakRss);
  if (!a.keep) fs::remove_all(dir);
  return 0;
}

}  // namespace

}  // namespace mh::bench

int main(int argc, char** argv) {
  try {
    return mh::bench::run(mh::bench::parseArgs(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "history_bench: %s\n", e.what());
    return 1;
  }
}
