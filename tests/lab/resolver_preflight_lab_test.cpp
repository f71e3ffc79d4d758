// Lab tests of the run-level resolver preflight (rubric 2026-12, guidance §3.6): knotd serves the
// signed lab (root, lab.test, dnssec-good...). A resolver that returns no RRSIG is reproduced by a
// stub that does not set the DO bit: the server then sends no DNSSEC records, exactly what the
// audit sees through a resolver that strips them. DNSSEC-01 and DANE-01 are then one run-level
// error, and no domain is re-checked for it. The same preflight's TCP and EDNS0 probes are shown
// against knotd (which does both) and against a small faulty server on loopback (a fake: the
// point is the preflight's reading of each fault).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/ldns_ptr.hpp"
#include "checks/dnssec/resolver_capability.hpp"
#include "checks/dnssec/trust_anchor.hpp"
#include "service/audit/audit_runner.hpp"
#include "tests/lab/knot_lab.hpp"

namespace mh::lab {
namespace {

class ResolverPreflightLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    KnotLabOptions o;
    o.zone_dir = labDir() / "dnssec_zones";
    o.signed_zones = {".", "lab.test", "dnssec-good.lab.test"};
    lab_ = std::make_unique<KnotLab>(o);
    std::string error;
    auto anchors = dnssec::TrustAnchors::load(lab_->trustAnchorFile().string(), error);
    ASSERT_TRUE(anchors) << error;
    anchors_ = std::make_unique<dnssec::TrustAnchors>(*anchors);
  }
  static void TearDownTestSuite() {
    lab_.reset();
    anchors_.reset();
  }

  // The audit of the signed lab domains through a stub with or without the DO bit.
  struct Run {
    service::AuditProgress progress;
    std::map<std::string, audit::DomainReport> reports;  // the last look at each domain
    std::map<std::string, int> looks;
  };
  Run audit(bool dnssecOk) {
    auto psl = dmarc::PublicSuffixList::load(std::string(MH_LAB_DIR) + "/public_suffix_list.dat");
    EXPECT_TRUE(psl);
    audit::AuditOptions base;
    base.psl = psl.get();
    base.trust_anchors = anchors_.get();
    service::AuditRunOptions options;
    options.threads = 2;
    options.resolver = lab_->resolverOptions();
    options.resolver.dnssec_ok = dnssecOk;
    options.recheck_after = std::chrono::milliseconds(0);
    Run run;
    std::mutex mutex;
    service::AuditSink sink;
    sink.onReport = [&](const audit::DomainReport& r, int) {
      std::lock_guard lock(mutex);
      run.reports[r.domain] = r;
      ++run.looks[r.domain];
    };
    run.progress =
        service::runAudit({{"dnssec-good.lab.test", {}}, {"lab.test", {}}}, base, options, sink);
    return run;
  }

  static std::unique_ptr<KnotLab> lab_;
  static std::unique_ptr<dnssec::TrustAnchors> anchors_;
};

std::unique_ptr<KnotLab> ResolverPreflightLab::lab_;
std::unique_ptr<dnssec::TrustAnchors> ResolverPreflightLab::anchors_;

TEST_F(ResolverPreflightLab, DNSSEC01_AResolverThatReturnsSignaturesPassesThePreflight) {
  auto resolver = lab_->makeResolver();
  const auto probe = dnssec::probeResolverDnssec(*resolver);
  ASSERT_TRUE(probe.answer.hasRecords());
  EXPECT_FALSE(probe.answer.signatures.empty());
  EXPECT_EQ(dnssec::dnssecUnavailableReason(probe), "");
}

TEST_F(ResolverPreflightLab, DNSSEC01_AResolverWithoutSignaturesIsFoundOnce) {
  auto options = lab_->resolverOptions();
  options.dnssec_ok = false;
  dns::LdnsResolver resolver(options);
  const auto probe = dnssec::probeResolverDnssec(resolver);
  ASSERT_TRUE(probe.answer.hasRecords());
  EXPECT_TRUE(probe.answer.signatures.empty());
  const std::string reason = dnssec::dnssecUnavailableReason(probe);
  EXPECT_NE(reason.find("no DNSSEC signatures"), std::string::npos) << reason;
}

TEST_F(ResolverPreflightLab,
       DNSSEC01_DANE01_ARunThroughAStrippingResolverHasOneReasonAndNoRechecks) {
  const Run run = audit(false);
  EXPECT_NE(run.progress.dnssec_unavailable.find("no DNSSEC signatures"), std::string::npos);
  EXPECT_EQ(run.progress.rechecked, 0u);
  ASSERT_EQ(run.reports.size(), 2u);
  for (const auto& [domain, report] : run.reports) {
    EXPECT_EQ(run.looks.at(domain), 1) << domain;  // nobody looked twice for DNSSEC
    const CheckResult* dnssec = report.find("DNSSEC-01");
    const CheckResult* dane = report.find("DANE-01");
    ASSERT_NE(dnssec, nullptr);
    ASSERT_NE(dane, nullptr);
    EXPECT_EQ(dnssec->status, Status::Error) << domain;
    EXPECT_TRUE(dnssec->hasTag("DNSSEC_RESOLVER_NO_DNSSEC")) << domain;
    EXPECT_EQ(dane->status, Status::Error) << domain;
    EXPECT_TRUE(dane->hasTag("DANE_RESOLVER_NO_DNSSEC")) << domain;
    EXPECT_FALSE(audit::needsRecheck(report)) << domain;
  }
}

TEST_F(ResolverPreflightLab, DNSSEC01_TheSameRunThroughAResolverWithSignaturesJudgesEachZone) {
  const Run run = audit(true);
  EXPECT_EQ(run.progress.dnssec_unavailable, "");
  const CheckResult* dnssec = run.reports.at("dnssec-good.lab.test").find("DNSSEC-01");
  ASSERT_NE(dnssec, nullptr);
  EXPECT_EQ(dnssec->status, Status::Pass);
  EXPECT_FALSE(dnssec->hasTag("DNSSEC_RESOLVER_NO_DNSSEC"));
}

TEST_F(ResolverPreflightLab, KnotdAnswersOverTcpAndWithEdns) {
  const auto probes =
      dnssec::probeResolverTransport(lab_->resolverOptions(), "lab.test", dns::rr::SOA);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_TRUE(probes[0].udp.responded);
  EXPECT_TRUE(probes[0].udp.edns);
  EXPECT_TRUE(probes[0].tcp.responded);
  EXPECT_TRUE(probes[0].tcp.answer.hasRecords());
  EXPECT_EQ(dnssec::tcpUnavailableReason(probes), "");
  EXPECT_EQ(dnssec::ednsUnavailableReason(probes), "");
}

TEST_F(ResolverPreflightLab, ARunThroughKnotdReportsNoTransportProblem) {
  const Run run = audit(true);
  EXPECT_EQ(run.progress.tcp_unavailable, "");
  EXPECT_EQ(run.progress.edns_unavailable, "");
}

// The faults of broken resolvers, one at a time.
enum class Fault { NoTcp, NoOpt, FormErrOnEdns, TruncateAt512, Silent };

// A DNS server on 127.0.0.1 that answers every question with the root's NS set of 16 long names
// (about 1100 octets: over 512, under the 1232 the stub offers), with one fault. With NoTcp nothing
// listens on its TCP port, so a TCP query is refused; Silent reads queries and never answers.
class FaultyServer {
 public:
  explicit FaultyServer(Fault fault) : fault_(fault) {
    udp_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(udp_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(udp_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (fault_ != Fault::NoTcp && fault_ != Fault::Silent) {
      tcp_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      const int on = 1;
      ::setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
      EXPECT_EQ(::bind(tcp_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
      EXPECT_EQ(::listen(tcp_, 8), 0);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~FaultyServer() {
    stop_ = true;
    thread_.join();
    ::close(udp_);
    if (tcp_ >= 0) ::close(tcp_);
  }
  dns::LdnsResolverOptions resolverOptions() const {
    dns::LdnsResolverOptions o;
    o.nameservers = {{"127.0.0.1", port_}};
    o.timeout = std::chrono::milliseconds(1000);
    o.retries = 0;
    return o;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd fds[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
      if (::poll(fds, tcp_ >= 0 ? 2 : 1, 50) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        std::uint8_t buf[4096];
        sockaddr_storage from{};
        socklen_t fromLen = sizeof from;
        const ssize_t n =
            ::recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fromLen);
        if (n <= 0 || fault_ == Fault::Silent) continue;
        const auto reply = answer(buf, static_cast<std::size_t>(n), false);
        ::sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), fromLen);
      }
      if (tcp_ >= 0 && (fds[1].revents & POLLIN)) serveTcp();
    }
  }
  // One length-prefixed query and its answer (RFC 1035 §4.2.2), then the connection closes.
  void serveTcp() {
    const int c = ::accept4(tcp_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    timeval wait{1, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    std::uint8_t prefix[2];
    std::vector<std::uint8_t> query;
    if (::recv(c, prefix, 2, MSG_WAITALL) == 2) {
      query.resize(static_cast<std::size_t>((prefix[0] << 8) | prefix[1]));
      if (::recv(c, query.data(), query.size(), MSG_WAITALL) ==
          static_cast<ssize_t>(query.size())) {
        auto reply = answer(query.data(), query.size(), true);
        std::vector<std::uint8_t> frame = {static_cast<std::uint8_t>(reply.size() >> 8),
                                           static_cast<std::uint8_t>(reply.size() & 0xff)};
        frame.insert(frame.end(), reply.begin(), reply.end());
        ::send(c, frame.data(), frame.size(), MSG_NOSIGNAL);
      }
    }
    ::close(c);
  }
  std::vector<std::uint8_t> answer(const std::uint8_t* data, std::size_t size, bool tcp) const {
    ldns_pkt* raw = nullptr;
    if (ldns_wire2pkt(&raw, data, size) != LDNS_STATUS_OK) return {};
    const dns::LdnsPktPtr query(raw);
    const bool edns = ldns_pkt_edns(query.get());
    dns::LdnsPktPtr reply(ldns_pkt_new());
    ldns_pkt_set_id(reply.get(), ldns_pkt_id(query.get()));
    ldns_pkt_set_qr(reply.get(), true);
    ldns_pkt_set_rd(reply.get(), ldns_pkt_rd(query.get()));
    ldns_pkt_set_ra(reply.get(), true);
    ldns_pkt_push_rr_list(reply.get(), LDNS_SECTION_QUESTION,
                          ldns_rr_list_clone(ldns_pkt_question(query.get())));
    if (edns && fault_ == Fault::FormErrOnEdns) {
      ldns_pkt_set_rcode(reply.get(), LDNS_RCODE_FORMERR);
      return wire(reply.get());
    }
    for (int i = 0; i < 16; ++i) {
      ldns_rr* rr = nullptr;
      const std::string n = std::to_string(i);  // labels of their own: nothing to compress
      const std::string text = ". 3600 IN NS nameserver-" + n + "-with-a-rather-long-label.zone" +
                               n + ".example" + n + ".";
      if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) == LDNS_STATUS_OK)
        ldns_pkt_push_rr(reply.get(), LDNS_SECTION_ANSWER, rr);
    }
    if (edns && fault_ != Fault::NoOpt) ldns_pkt_set_edns_udp_size(reply.get(), 1232);
    std::vector<std::uint8_t> out = wire(reply.get());
    const std::size_t limit = fault_ == Fault::TruncateAt512 || !edns ? 512 : 1232;
    if (!tcp && out.size() > limit) {  // TC with the answer left out, as servers do
      ldns_rr_list_deep_free(ldns_pkt_answer(reply.get()));
      ldns_pkt_set_answer(reply.get(), ldns_rr_list_new());
      ldns_pkt_set_ancount(reply.get(), 0);
      ldns_pkt_set_tc(reply.get(), true);
      out = wire(reply.get());
    }
    return out;
  }
  static std::vector<std::uint8_t> wire(const ldns_pkt* pkt) {
    std::uint8_t* data = nullptr;
    std::size_t size = 0;
    if (ldns_pkt2wire(&data, pkt, &size) != LDNS_STATUS_OK) return {};
    std::vector<std::uint8_t> out(data, data + size);
    std::free(data);
    return out;
  }

  Fault fault_;
  int udp_ = -1;
  int tcp_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(ResolverPreflight, AResolverThatRefusesTcpIsFoundOnce) {
  FaultyServer server(Fault::NoTcp);
  const auto probes = dnssec::probeResolverTransport(server.resolverOptions());
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_TRUE(probes[0].udp.responded);
  EXPECT_FALSE(probes[0].tcp.responded);
  const std::string reason = dnssec::tcpUnavailableReason(probes);
  EXPECT_NE(reason.find("not over TCP"), std::string::npos) << reason;
  EXPECT_NE(reason.find(probes[0].server), std::string::npos) << reason;
  EXPECT_EQ(dnssec::ednsUnavailableReason(probes), "");
}

TEST(ResolverPreflight, AResolverThatAnswersWithoutOptHasNoEdns) {
  FaultyServer server(Fault::NoOpt);
  const auto probes = dnssec::probeResolverTransport(server.resolverOptions());
  const std::string reason = dnssec::ednsUnavailableReason(probes);
  EXPECT_NE(reason.find("without an OPT record"), std::string::npos) << reason;
  EXPECT_EQ(dnssec::tcpUnavailableReason(probes), "");
}

TEST(ResolverPreflight, AResolverThatAnswersFormerrToEdnsHasNoEdns) {
  FaultyServer server(Fault::FormErrOnEdns);
  const auto probes = dnssec::probeResolverTransport(server.resolverOptions());
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_TRUE(probes[0].plain.responded);  // asked again without EDNS0, and answered
  const std::string reason = dnssec::ednsUnavailableReason(probes);
  EXPECT_NE(reason.find("FORMERR"), std::string::npos) << reason;
}

TEST(ResolverPreflight, AResolverThatTruncatesAt512WhateverEdnsOffersIsFound) {
  FaultyServer server(Fault::TruncateAt512);
  const auto probes = dnssec::probeResolverTransport(server.resolverOptions());
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_TRUE(probes[0].udp.truncated);
  EXPECT_GT(probes[0].tcp.size, 512u);
  const std::string reason = dnssec::ednsUnavailableReason(probes);
  EXPECT_NE(reason.find("truncates at 512"), std::string::npos) << reason;
  EXPECT_EQ(dnssec::tcpUnavailableReason(probes), "");
}

TEST(ResolverPreflight, ASilentResolverTellsNothingAndIsNotWaitedTwice) {
  // A server that never answers: the probe cannot tell, so it accuses nothing.
  FaultyServer server(Fault::Silent);
  const auto probes = dnssec::probeResolverTransport(server.resolverOptions());
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_FALSE(probes[0].udp.responded);
  EXPECT_FALSE(probes[0].tcp.responded);
  EXPECT_EQ(probes[0].tcp.answer.error, "");  // never asked
  EXPECT_EQ(dnssec::tcpUnavailableReason(probes), "");
  EXPECT_EQ(dnssec::ednsUnavailableReason(probes), "");
}

// A national run says it once, in its progress (API) and log, before any domain.
TEST(ResolverPreflight, ARunThroughAResolverWithoutTcpReportsItInItsProgress) {
  FaultyServer server(Fault::NoTcp);
  auto psl = dmarc::PublicSuffixList::load(std::string(MH_LAB_DIR) + "/public_suffix_list.dat");
  ASSERT_TRUE(psl);
  audit::AuditOptions base;
  base.psl = psl.get();
  service::AuditRunOptions options;
  options.threads = 1;
  options.resolver = server.resolverOptions();
  service::AuditSink sink;
  sink.onReport = [](const audit::DomainReport&, int) {};
  const auto progress = service::runAudit({}, base, options, sink);
  EXPECT_NE(progress.tcp_unavailable.find("not over TCP"), std::string::npos)
      << progress.tcp_unavailable;
  EXPECT_EQ(progress.edns_unavailable, "");
}

}  // namespace
}  // namespace mh::lab
