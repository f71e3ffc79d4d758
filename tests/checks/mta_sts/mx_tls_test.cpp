// Tests for checks/mta_sts/mx_tls.cpp: the MTA-STS policy against the MX hosts' STARTTLS evidence,
// on fixture evidence (policy mode and patterns, per-address probe outcome and certificate facts).
#include "checks/mta_sts/mx_tls.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "checks/mta_sts/mta_sts_check.hpp"

namespace mh::mta_sts {
namespace {

using dns::DnsStatus;
using tls::CertTrust;
using tls::ProbeOutcome;

constexpr std::int64_t kNow = 1772323200;  // 2026-03-01T00:00:00Z
constexpr std::int64_t kDay = 86400;
const auto kNowPoint = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));

// A record-valid evidence whose policy (fetched over verified HTTPS) has the given mode and
// patterns; `fetched` false: the fetch timed out (no policy).
MtaStsEvidence policyOf(std::string_view mode,
                        std::vector<std::string> patterns = {"mx1.example.test",
                                                             "*.backup.example.test"},
                        bool fetched = true) {
  MtaStsEvidence e;
  e.domain = "example.test";
  e.answer.qname = "_mta-sts.example.test";
  e.answer.qtype = dns::rr::TXT;
  e.answer.status = DnsStatus::NoError;
  e.texts = {"v=STSv1; id=20260101"};
  e.records = {parseMtaStsRecord(e.texts[0])};
  PolicyFetch f;
  f.host = "mta-sts.example.test";
  f.url = "https://mta-sts.example.test/.well-known/mta-sts.txt";
  f.outcome = fetched ? FetchOutcome::Ok : FetchOutcome::Timeout;
  f.detail = fetched ? "" : "synthetic timeout";
  if (fetched) {
    std::string body = "version: STSv1\nmode: " + std::string(mode) + "\n";
    for (const auto& p : patterns) body += "mx: " + p + "\n";
    body += "max_age: 1209600\n";
    f.http_status = 200;
    f.body = body;
    f.policy = parseMtaStsPolicy(body);
  }
  e.fetch = f;
  return e;
}

// A lab-CA-style certificate for `host`, trusted, valid from 30 days ago for 60 more days.
tls::CertificateFacts goodCert(const std::string& host) {
  tls::CertificateFacts c;
  c.parsed = true;
  c.subject = "CN=" + host;
  c.issuer = "CN=mailhygiene test CA";
  c.dns_names = {host};
  c.not_before = kNow - 30 * kDay;
  c.not_after = kNow + 60 * kDay;
  c.key_type = "EC";
  c.key_bits = 256;
  c.signature_algorithm = "ecdsa-with-SHA256";
  c.signature_hash = "SHA256";
  c.weakest_hash = "SHA256";
  c.chain_length = 2;
  c.verify_result = 0;
  c.trust = CertTrust::Trusted;
  c.name_matches = true;
  c.host = host;
  return c;
}

tls::CertificateFacts expired(const std::string& host) {
  tls::CertificateFacts c = goodCert(host);
  c.not_before = kNow - 95 * kDay;
  c.not_after = kNow - 5 * kDay;
  c.verify_result = 10;  // X509_V_ERR_CERT_HAS_EXPIRED: chain trusted, dates judged apart
  return c;
}

tls::CertificateFacts selfSigned(const std::string& host) {
  tls::CertificateFacts c = goodCert(host);
  c.issuer = c.subject;
  c.self_signed = true;
  c.chain_length = 1;
  c.verify_result = 18;
  c.verify_error = "self-signed certificate";
  c.trust = CertTrust::SelfSigned;
  return c;
}

tls::CertificateFacts untrusted(const std::string& host) {
  tls::CertificateFacts c = goodCert(host);
  c.verify_result = 20;
  c.verify_error = "unable to get local issuer certificate";
  c.trust = CertTrust::Untrusted;
  return c;
}

tls::CertificateFacts wrongName(const std::string& host) {
  tls::CertificateFacts c = goodCert(host);
  c.subject = "CN=www.other.test";
  c.dns_names = {"www.other.test"};
  c.name_matches = false;
  return c;
}

tls::CertificateFacts notYetValid(const std::string& host) {
  tls::CertificateFacts c = goodCert(host);
  c.not_before = kNow + 2 * kDay;
  c.not_after = kNow + 92 * kDay;
  return c;
}

tls::CertificateFacts expiringSoon(const std::string& host) {
  tls::CertificateFacts c = goodCert(host);
  c.not_after = kNow + 3 * kDay;
  return c;
}

// One address of a host as gatherTls records it.
struct AddressSpec {
  std::string address;
  ProbeOutcome outcome = ProbeOutcome::Ok;
  std::optional<tls::CertificateFacts> certificate;  // only with ProbeOutcome::Ok
  int starttls_code = 0;                             // StartTlsRejected
  std::string detail;
  bool allowed = true;
};

struct HostSpec {
  std::string name;
  std::vector<AddressSpec> addresses;
};

tls::TlsEvidence tlsOf(const std::vector<HostSpec>& hosts) {
  tls::TlsEvidence e;
  e.domain = "example.test";
  std::uint16_t preference = 10;
  for (const auto& spec : hosts) {
    tls::TlsHostEvidence h;
    h.name = spec.name;
    h.preference = preference;
    preference += 10;
    for (const auto& as : spec.addresses) {
      tls::TlsAddressEvidence a;
      a.host = spec.name;
      a.address = as.address;
      a.address_class = tls::classifyAddress(as.address);
      a.allowed = as.allowed;
      a.probe.target = {spec.name, as.address, 25};
      a.probe.outcome = as.allowed ? as.outcome : ProbeOutcome::NotAllowed;
      a.probe.detail = as.detail;
      a.probe.starttls_code = as.starttls_code;
      if (as.starttls_code != 0) {
        a.probe.starttls_advertised = true;
        a.probe.starttls_text = "5.7.0 TLS not available";
      }
      if (as.outcome == ProbeOutcome::Ok) {
        a.probe.tls = tls::TlsSessionFacts{};
        a.certificate = as.certificate;
      }
      h.addresses.push_back(std::move(a));
    }
    e.hosts.push_back(std::move(h));
  }
  return e;
}

// The MX evidence of the same hosts (names only: coverage is judged on names).
mx::MxEvidence mxOf(const std::vector<HostSpec>& hosts) {
  mx::MxEvidence m;
  m.domain = "example.test";
  m.mx.status = DnsStatus::NoError;
  std::uint16_t preference = 10;
  for (const auto& spec : hosts) {
    mx::MxHost host;
    host.name = spec.name;
    host.preference = preference;
    preference += 10;
    m.hosts.push_back(host);
  }
  m.total_hosts = m.hosts.size();
  return m;
}

AddressSpec okWith(std::string address, tls::CertificateFacts cert) {
  return AddressSpec{std::move(address), ProbeOutcome::Ok, std::move(cert)};
}
AddressSpec outcome(std::string address, ProbeOutcome o, std::string detail = "") {
  AddressSpec a{std::move(address), o};
  a.detail = std::move(detail);
  return a;
}

struct Case {
  std::string name;
  MtaStsEvidence policy;
  std::vector<HostSpec> hosts;
  bool probed = true;                       // false: no TLS evidence (--no-smtp)
  std::vector<std::string> cross;           // the cross-check's tags, in order
  Status status;                            // MTASTS-01 as a whole
  std::vector<std::string> also = {};       // other MTASTS-01 tags expected
  std::vector<std::string> absent = {};     // MTASTS-01 tags that must not appear
  std::vector<std::string> addresses = {};  // the {address} of each cross finding
};

const std::string kMx1 = "mx1.example.test";
const std::string kBackup = "a.backup.example.test";

std::vector<Case> cases() {
  return {
      {"EnforceExpiredCertificateFails",
       policyOf("enforce"),
       {{kMx1, {okWith("192.0.2.1", expired(kMx1))}}},
       true,
       {"MTASTS_ENFORCE_MX_CERT_INVALID"},
       Status::Fail,
       {"MTASTS_POLICY_FETCHED"},
       {"MTASTS_POLICY_ENFORCED"},
       {"192.0.2.1"}},
      {"TestingSelfSignedWarns",
       policyOf("testing"),
       {{kMx1, {okWith("192.0.2.1", selfSigned(kMx1))}}},
       true,
       {"MTASTS_TESTING_MX_CERT_INVALID"},
       Status::Warn,
       {"MTASTS_MODE_TESTING"}},
      {"EnforceNoStartTlsFails",
       policyOf("enforce"),
       {{kMx1, {outcome("192.0.2.1", ProbeOutcome::NoStartTls)}}},
       true,
       {"MTASTS_ENFORCE_MX_NO_STARTTLS"},
       Status::Fail,
       {},
       {"MTASTS_POLICY_ENFORCED"}},
      {"TestingNoStartTlsWarns",
       policyOf("testing"),
       {{kMx1, {outcome("192.0.2.1", ProbeOutcome::NoStartTls)}}},
       true,
       {"MTASTS_TESTING_MX_NO_STARTTLS"},
       Status::Warn},
      {"EnforceProbeTimeoutDoesNotAccuse",
       policyOf("enforce"),
       {{kMx1, {outcome("192.0.2.1", ProbeOutcome::Timeout, "greeting: no reply in 30000 ms")}}},
       true,
       {},
       Status::Pass,
       {"MTASTS_POLICY_ENFORCED"}},
      {"EnforceBusy421DoesNotAccuse",
       policyOf("enforce"),
       {{kMx1, {outcome("192.0.2.1", ProbeOutcome::TemporaryFailure, "421 busy")}}},
       true,
       {},
       Status::Pass},
      {"EnforceConnectionRefusedDoesNotAccuse",
       policyOf("enforce"),
       {{kMx1,
         {outcome("192.0.2.1", ProbeOutcome::ConnectFailed, "Connection refused"),
          outcome("2001:db8::1", ProbeOutcome::Refused, "554 no service")}}},
       true,
       {},
       Status::Pass},
      {"UncoveredHostIsLeftToTheCoverageFinding",
       policyOf("enforce"),
       {{kMx1, {okWith("192.0.2.1", goodCert(kMx1))}},
        {"mx2.other.test", {okWith("192.0.2.2", expired("mx2.other.test"))}}},
       true,
       {},
       Status::Fail,
       {"MTASTS_MX_NOT_COVERED"}},
      {"NoTlsEvidenceSaysNothing",
       policyOf("enforce"),
       {{kMx1, {okWith("192.0.2.1", expired(kMx1))}}},
       false,
       {},
       Status::Pass,
       {"MTASTS_POLICY_ENFORCED"}},
      {"EnforceGoodCertificatePasses",
       policyOf("enforce"),
       {{kMx1, {okWith("192.0.2.1", goodCert(kMx1))}},
        {kBackup, {okWith("198.51.100.7", goodCert(kBackup))}}},
       true,
       {},
       Status::Pass,
       {"MTASTS_POLICY_ENFORCED"}},
      {"ExpiringSoonIsStillValid",
       policyOf("enforce"),
       {{kMx1, {okWith("192.0.2.1", expiringSoon(kMx1))}}},
       true,
       {},
       Status::Pass},
      {"EnforceWrongNameFails",
       policyOf("enforce"),
       {{kBackup, {okWith("198.51.100.7", wrongName(kBackup))}}},
       true,
       {"MTASTS_ENFORCE_MX_CERT_INVALID"},
       Status::Fail},
      {"EnforceUntrustedChainFails",
       policyOf("enforce"),
       {{kMx1, {okWith("192.0.2.1", untrusted(kMx1))}}},
       true,
       {"MTASTS_ENFORCE_MX_CERT_INVALID"},
       Status::Fail},
      {"EnforceNotYetValidFails",
       policyOf("enforce"),
       {{kMx1, {okWith("192.0.2.1", notYetValid(kMx1))}}},
       true,
       {"MTASTS_ENFORCE_MX_CERT_INVALID"},
       Status::Fail},
      {"OneCompletedProbeIsEnoughBesideATimeout",
       policyOf("enforce"),
       {{kMx1,
         {outcome("192.0.2.1", ProbeOutcome::Timeout, "connect"),
          okWith("2001:db8::25", expired(kMx1))}}},
       true,
       {"MTASTS_ENFORCE_MX_CERT_INVALID"},
       Status::Fail,
       {},
       {},
       {"2001:db8::25"}},
      {"BothDefectsOnOneHostAreBothReported",
       policyOf("enforce"),
       {{kMx1,
         {outcome("192.0.2.1", ProbeOutcome::NoStartTls), okWith("192.0.2.2", selfSigned(kMx1)),
          okWith("192.0.2.3", selfSigned(kMx1))}}},
       true,
       {"MTASTS_ENFORCE_MX_NO_STARTTLS", "MTASTS_ENFORCE_MX_CERT_INVALID"},
       Status::Fail,
       {},
       {},
       {"192.0.2.1", "192.0.2.2, 192.0.2.3"}},
      {"PermanentStartTlsRefusalFails",
       policyOf("enforce"),
       {{kMx1, {[] {
           AddressSpec a = outcome("192.0.2.1", ProbeOutcome::StartTlsRejected);
           a.starttls_code = 554;
           return a;
         }()}}},
       true,
       {"MTASTS_ENFORCE_MX_NO_STARTTLS"},
       Status::Fail},
      {"TemporaryStartTlsRefusalDoesNotAccuse",
       policyOf("enforce"),
       {{kMx1, {[] {
           AddressSpec a = outcome("192.0.2.1", ProbeOutcome::StartTlsRejected);
           a.starttls_code = 454;
           return a;
         }()}}},
       true,
       {},
       Status::Pass},
      {"HandshakeRejectedByTheServerFails",
       policyOf("enforce"),
       {{kMx1,
         {outcome("192.0.2.1", ProbeOutcome::HandshakeFailed,
                  "error:0A000410:SSL routines::sslv3 alert handshake failure")}}},
       true,
       {"MTASTS_ENFORCE_MX_NO_STARTTLS"},
       Status::Fail},
      {"HandshakeCutShortDoesNotAccuse",
       policyOf("enforce"),
       {{kMx1, {outcome("192.0.2.1", ProbeOutcome::HandshakeFailed, "connection closed")}}},
       true,
       {},
       Status::Pass},
      {"AddressNotProbedDoesNotAccuse",
       policyOf("enforce"),
       {{kMx1, {[] {
           AddressSpec a = okWith("10.0.0.25", expired(kMx1));
           a.allowed = false;
           return a;
         }()}}},
       true,
       {},
       Status::Pass},
      {"UnverifiedCertificateDoesNotAccuse",
       policyOf("enforce"),
       {{kMx1,
         {okWith("192.0.2.1",
                 [] {
                   tls::CertificateFacts c = untrusted(kMx1);
                   c.trust = CertTrust::Unknown;
                   c.verify_result = -1;
                   return c;
                 }())}}},
       true,
       {},
       Status::Pass},
      {"ModeNoneIsLeftToTheModeFinding",
       policyOf("none", {}),
       {{kMx1, {okWith("192.0.2.1", expired(kMx1))}}},
       true,
       {},
       Status::Fail,
       {"MTASTS_MODE_NONE"}},
      {"NoPolicyNoCrossCheck",
       policyOf("enforce", {}, false),
       {{kMx1, {outcome("192.0.2.1", ProbeOutcome::NoStartTls)}}},
       true,
       {},
       Status::Error,
       {"MTASTS_FETCH_ERROR"}},
  };
}

TEST(MtaStsMxTls, Table) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    const tls::TlsEvidence tls = tlsOf(c.hosts);
    const tls::TlsEvidence* given = c.probed ? &tls : nullptr;

    const MxTlsCrossCheck cross = crossCheckMxTls(c.policy, given, kNowPoint);
    std::vector<std::string> tags;
    for (const auto& f : cross.findings) tags.push_back(f.tag);
    EXPECT_EQ(tags, c.cross);
    for (std::size_t i = 0; i < cross.findings.size(); ++i) {
      const Finding& f = cross.findings[i];
      EXPECT_EQ(toString(f.status), f.tag.starts_with("MTASTS_ENFORCE_") ? "fail" : "warn");
      EXPECT_EQ(f.argText("domain"), "example.test");
      EXPECT_FALSE(f.argText("host").empty());
      EXPECT_FALSE(f.argText("reason").empty());
      if (i < c.addresses.size()) EXPECT_EQ(f.argText("address"), c.addresses[i]);
    }

    const CheckResult r = judgeMtaSts01(c.policy, mxOf(c.hosts), given, DomainProfile{}, kNowPoint);
    EXPECT_EQ(toString(r.status), toString(c.status));
    for (const auto& t : c.cross) EXPECT_TRUE(r.hasTag(t)) << t;
    for (const auto& t : c.also) EXPECT_TRUE(r.hasTag(t)) << t;
    for (const auto& t : c.absent) EXPECT_FALSE(r.hasTag(t)) << t;
    for (const auto& f : r.findings) {
      const TagSpec* spec = findTagSpec(mtaStsTagSpecs(), f.tag);
      ASSERT_NE(spec, nullptr) << f.tag;
      EXPECT_EQ(renderTemplate(spec->message, f).find('{'), std::string::npos) << f.tag;
      EXPECT_EQ(renderTemplate(spec->message_vi, f).find('{'), std::string::npos) << f.tag;
    }
    EXPECT_EQ(r.remediation.en.find('{'), std::string::npos) << r.remediation.en;
    EXPECT_EQ(r.remediation.vi.find('{'), std::string::npos) << r.remediation.vi;
    // The cross-check's evidence is in the report exactly when it ran.
    EXPECT_EQ(r.evidence.find("mx_starttls") != nullptr, !cross.evidence.isNull());
  }
}

// Without MX evidence (the record-and-policy overloads) nothing changes: no cross-check at all.
TEST(MtaStsMxTls, OlderOverloadsAreUnchanged) {
  const std::vector<HostSpec> hosts = {{kMx1, {okWith("192.0.2.1", expired(kMx1))}}};
  const CheckResult r = judgeMtaSts01(policyOf("enforce"), mxOf(hosts), DomainProfile{});
  EXPECT_EQ(toString(r.status), "pass");
  EXPECT_EQ(r.evidence.find("mx_starttls"), nullptr);
}

TEST(MtaStsMxTls, NotReceivingMailIsNa) {
  const std::vector<HostSpec> hosts = {{kMx1, {outcome("192.0.2.1", ProbeOutcome::NoStartTls)}}};
  const tls::TlsEvidence tls = tlsOf(hosts);
  DomainProfile profile;
  profile.receives_mail = false;
  const CheckResult r = judgeMtaSts01(policyOf("enforce"), mxOf(hosts), &tls, profile, kNowPoint);
  EXPECT_EQ(toString(r.status), "na");
  EXPECT_TRUE(r.findings.empty());
}

TEST(MtaStsMxTls, IpLiteralMxIsNotCovered) {
  // "mx: 192.0.2.9" is a pattern of digits; an IP-literal MX still matches no pattern (§4.1).
  const std::vector<HostSpec> hosts = {{"192.0.2.9", {okWith("192.0.2.9", expired("192.0.2.9"))}}};
  const tls::TlsEvidence tls = tlsOf(hosts);
  const MxTlsCrossCheck cross =
      crossCheckMxTls(policyOf("enforce", {"192.0.2.9"}), &tls, kNowPoint);
  EXPECT_TRUE(cross.findings.empty());
  ASSERT_FALSE(cross.evidence.isNull());
  EXPECT_EQ(cross.evidence.find("hosts")->size(), 0u);
}

TEST(MtaStsMxTls, ReasonsNameTheDefects) {
  const auto reasonOf = [](const AddressSpec& spec) {
    const tls::TlsEvidence e = tlsOf({{kMx1, {spec}}});
    return judgeMxTlsAddress(e.hosts[0].addresses[0], kNowPoint);
  };
  const MxTlsAddressVerdict old = reasonOf(okWith("192.0.2.1", expired(kMx1)));
  EXPECT_EQ(old.verdict, MxTlsVerdict::CertificateInvalid);
  EXPECT_EQ(old.reason, "expired on 2026-02-24T00:00:00Z");

  const MxTlsAddressVerdict wrong = reasonOf(okWith("192.0.2.1", wrongName(kMx1)));
  EXPECT_EQ(wrong.reason, "does not name mx1.example.test (names www.other.test)");

  tls::CertificateFacts both = selfSigned(kMx1);
  both.not_after = kNow - kDay;
  const MxTlsAddressVerdict two = reasonOf(okWith("192.0.2.1", both));
  EXPECT_EQ(two.reason, "expired on 2026-02-28T00:00:00Z, self-signed");

  EXPECT_EQ(reasonOf(okWith("192.0.2.1", untrusted(kMx1))).reason,
            "untrusted chain: unable to get local issuer certificate");
  EXPECT_EQ(reasonOf(outcome("192.0.2.1", ProbeOutcome::NoStartTls)).reason,
            "STARTTLS not offered");
  const MxTlsAddressVerdict fine = reasonOf(okWith("192.0.2.1", goodCert(kMx1)));
  EXPECT_EQ(fine.verdict, MxTlsVerdict::Valid);
  EXPECT_TRUE(fine.reason.empty());
  const MxTlsAddressVerdict timeout =
      reasonOf(outcome("192.0.2.1", ProbeOutcome::Timeout, "greeting"));
  EXPECT_EQ(timeout.verdict, MxTlsVerdict::NotTested);
  EXPECT_EQ(timeout.reason, "timeout: greeting");
}

TEST(MtaStsMxTls, EvidenceListsEveryAddressOfTheCoveredHosts) {
  const tls::TlsEvidence tls = tlsOf({{kMx1,
                                       {okWith("192.0.2.1", goodCert(kMx1)),
                                        outcome("192.0.2.2", ProbeOutcome::Timeout, "connect")}},
                                      {"mx9.other.test", {okWith("192.0.2.9", goodCert(kMx1))}}});
  const MxTlsCrossCheck cross = crossCheckMxTls(policyOf("testing"), &tls, kNowPoint);
  EXPECT_TRUE(cross.findings.empty());
  EXPECT_EQ(cross.evidence.find("mode")->asString(), "testing");
  const auto& hosts = cross.evidence.find("hosts")->asArray();
  ASSERT_EQ(hosts.size(), 1u) << "the uncovered host is not judged";
  EXPECT_EQ(hosts[0].find("host")->asString(), kMx1);
  const auto& addresses = hosts[0].find("addresses")->asArray();
  ASSERT_EQ(addresses.size(), 2u);
  EXPECT_EQ(addresses[0].find("verdict")->asString(), "valid");
  EXPECT_EQ(addresses[1].find("verdict")->asString(), "not_tested");
}

TEST(MtaStsMxTls, MessagesRenderInBothLanguages) {
  const tls::TlsEvidence tls = tlsOf({{kMx1, {okWith("192.0.2.1", expired(kMx1))}}});
  const MxTlsCrossCheck cross = crossCheckMxTls(policyOf("enforce"), &tls, kNowPoint);
  ASSERT_EQ(cross.findings.size(), 1u);
  const TagSpec* spec = findTagSpec(mtaStsTagSpecs(), cross.findings[0].tag);
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(renderTemplate(spec->message, cross.findings[0]),
            "MX host mx1.example.test (192.0.2.1) presents a STARTTLS certificate that is not "
            "valid for it (expired on 2026-02-24T00:00:00Z); the policy is in enforce mode, so "
            "senders that apply MTA-STS refuse to deliver to it and their mail bounces (RFC 8461 "
            "§4.2, §5.1)");
  const std::string vi = renderTemplate(spec->message_vi, cross.findings[0]);
  EXPECT_NE(vi.find("mx1.example.test (192.0.2.1)"), std::string::npos) << vi;
  EXPECT_NE(vi.find("enforce"), std::string::npos) << vi;
  const std::string fix = renderTemplate(spec->remediation_vi, cross.findings[0]);
  EXPECT_NE(fix.find("https://mta-sts.example.test/.well-known/mta-sts.txt"), std::string::npos);
}

}  // namespace
}  // namespace mh::mta_sts
