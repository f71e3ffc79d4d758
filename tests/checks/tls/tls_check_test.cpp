// Tests for checks/tls/tls_check.cpp: pure TLS-01..04 judgements on hand-built evidence tables,
// then loopback scenarios (gatherTls against scripted SMTP/TLS servers on 127.0.0.0/8).
#include "checks/tls/tls_check.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/checks/tls/lab_smtp_server.hpp"
#include "tests/support/tls_evidence.hpp"

namespace mh::tls {
namespace {

using namespace std::chrono_literals;
using namespace mh::tls::testing;
using Clock = std::chrono::system_clock;

const DomainProfile kReceiving{true, true, {}};
const DomainProfile kNoMail{false, false, {}};

// Every tag a result uses is in the catalogue, with Vietnamese advice whenever there is English.
void expectCatalogued(const CheckResult& r) {
  for (const auto& f : r.findings) {
    const TagSpec* spec = findTagSpec(tlsTagSpecs(), f.tag);
    ASSERT_NE(spec, nullptr) << f.tag;
    EXPECT_EQ(spec->remediation_en.empty(), spec->remediation_vi.empty()) << f.tag;
  }
}

std::multiset<std::string> tags(const CheckResult& r) {
  std::multiset<std::string> out;
  for (const auto& f : r.findings) out.insert(f.tag);
  return out;
}

// ---- hand-built evidence: tests/support/tls_evidence.hpp -----------------------------------

TEST(Tls01Judge, Scenarios) {
  struct Case {
    const char* name;
    std::vector<TlsAddressEvidence> addresses;
    Status expected;
    std::vector<std::string> expectedTags;
  };
  auto notAllowed = address(ProbeOutcome::NotAllowed, "10.0.0.1");
  notAllowed.allowed = false;
  notAllowed.address_class = AddressClass::Private;
  auto rejected454 = address(ProbeOutcome::StartTlsRejected);
  rejected454.probe.starttls_code = 454;
  auto rejected502 = address(ProbeOutcome::StartTlsRejected);
  rejected502.probe.starttls_code = 502;
  auto alert = address(ProbeOutcome::HandshakeFailed);
  alert.probe.detail = "handshake: error:0A000410:SSL routines::sslv3 alert handshake failure";
  auto dropped = address(ProbeOutcome::HandshakeFailed);
  dropped.probe.detail = "handshake: connection closed";
  const std::vector<Case> cases = {
      {"all ok",
       {address(ProbeOutcome::Ok), address(ProbeOutcome::Ok, "192.0.2.11")},
       Status::Pass,
       {"TLS_STARTTLS_OK", "TLS_STARTTLS_OK"}},
      {"one unreachable",
       {address(ProbeOutcome::Ok), address(ProbeOutcome::Timeout, "192.0.2.11")},
       Status::Warn,
       {"TLS_STARTTLS_OK", "TLS_NOT_TESTED"}},
      {"all unreachable",
       {address(ProbeOutcome::TemporaryFailure),
        address(ProbeOutcome::ConnectionDropped, "192.0.2.11")},
       Status::Error,
       {"TLS_NOT_TESTED", "TLS_NOT_TESTED"}},
      {"no starttls beats error",
       {address(ProbeOutcome::NoStartTls), address(ProbeOutcome::Timeout, "192.0.2.11")},
       Status::Fail,
       {"TLS_STARTTLS_MISSING", "TLS_NOT_TESTED"}},
      {"not allowed", {notAllowed}, Status::Warn, {"TLS_TARGET_NOT_ALLOWED"}},
      {"454 is temporary", {rejected454}, Status::Error, {"TLS_STARTTLS_TEMPORARY"}},
      {"502 is a refusal", {rejected502}, Status::Fail, {"TLS_STARTTLS_REJECTED"}},
      {"tls alert", {alert}, Status::Fail, {"TLS_STARTTLS_HANDSHAKE_FAILED"}},
      {"closed mid-handshake", {dropped}, Status::Error, {"TLS_NOT_TESTED"}},
      {"protocol error", {address(ProbeOutcome::ProtocolError)}, Status::Error, {"TLS_NOT_TESTED"}},
  };
  for (const auto& c : cases) {
    const auto r = judgeTls01(evidence(c.addresses), kReceiving);
    EXPECT_EQ(r.id, "TLS-01");
    EXPECT_EQ(r.status, c.expected) << c.name;
    EXPECT_EQ(tags(r), std::multiset<std::string>(c.expectedTags.begin(), c.expectedTags.end()))
        << c.name;
    expectCatalogued(r);
  }
}

TEST(Tls01Judge, NoMailIsNaAndDnsErrorsAreErrors) {
  EXPECT_EQ(judgeTls01(evidence({address(ProbeOutcome::NoStartTls)}), kNoMail).status, Status::Na);
  EXPECT_EQ(judgeTls02(evidence({address(ProbeOutcome::Ok)}), kNoMail).status, Status::Na);
  EXPECT_EQ(judgeTls03(evidence({address(ProbeOutcome::Ok)}), kNoMail).status, Status::Na);
  EXPECT_EQ(judgeTls04(evidence({address(ProbeOutcome::Ok)}), kNoMail, Clock::now()).status,
            Status::Na);
  TlsEvidence e = evidence({});
  e.hosts[0].a_status = dns::DnsStatus::ServFail;
  auto r = judgeTls01(e, kReceiving);
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_TRUE(r.hasTag("TLS_MX_LOOKUP_ERROR"));
  e.hosts[0].a_status = dns::DnsStatus::NxDomain;
  e.hosts[0].aaaa_status = dns::DnsStatus::NxDomain;
  r = judgeTls01(e, kReceiving);
  EXPECT_EQ(r.status, Status::Info);
  EXPECT_TRUE(r.hasTag("TLS_MX_NO_ADDRESS"));
}

TEST(TlsJudges, AnUnansweredMxLookupIsAnErrorInAllFourNeverInfo) {
  // SERVFAIL or a timeout on the MX query: no target is known, so nothing can be judged, and the
  // tier must not read "no STARTTLS" into it.
  TlsEvidence e;
  e.domain = "example.test";
  e.mx_lookup_error = "SERVFAIL";
  const std::vector<CheckResult> results = {judgeTls01(e, kReceiving), judgeTls02(e, kReceiving),
                                            judgeTls03(e, kReceiving),
                                            judgeTls04(e, kReceiving, Clock::now())};
  for (const auto& r : results) {
    EXPECT_EQ(r.status, Status::Error) << r.id;
    ASSERT_TRUE(r.hasTag("TLS_NO_MX_ANSWER")) << r.id;
  }
  EXPECT_EQ(judgeTls01(e, kNoMail).status, Status::Na);
  e.mx_lookup_error.clear();  // answered, and no MX or address: nothing to test
  EXPECT_EQ(judgeTls01(e, kReceiving).status, Status::Info);
}

TEST(Tls02Judge, Scenarios) {
  using V = ProtocolVersion;
  struct Case {
    const char* name;
    TlsEnumeration en;
    Status expected;
    std::vector<std::string> expectedTags;
  };
  auto unknown11 = enumeration({V::Tls13, V::Tls12});
  setVersion(unknown11, V::Tls11, Support::Unknown);
  auto ssl3Unknown11 = enumeration({V::Tls12, V::SslV3});
  setVersion(ssl3Unknown11, V::Tls11, Support::Unknown);
  const std::vector<Case> cases = {
      {"1.2 and 1.3", enumeration({V::Tls13, V::Tls12}), Status::Pass, {"TLS_VERSIONS_OK"}},
      {"1.2 only", enumeration({V::Tls12}), Status::Pass, {"TLS_VERSIONS_OK"}},
      {"1.0 still on",
       enumeration({V::Tls13, V::Tls12, V::Tls10}),
       Status::Warn,
       {"TLS_LEGACY_VERSION_OFFERED"}},
      {"1.0 and 1.1",
       enumeration({V::Tls12, V::Tls11, V::Tls10}),
       Status::Warn,
       {"TLS_LEGACY_VERSION_OFFERED", "TLS_LEGACY_VERSION_OFFERED"}},
      {"sslv3", enumeration({V::Tls12, V::SslV3}), Status::Fail, {"TLS_SSL_OFFERED"}},
      {"sslv2", enumeration({V::Tls12, V::SslV2}), Status::Fail, {"TLS_SSL_OFFERED"}},
      {"1.0 only",
       enumeration({V::Tls10}),
       Status::Fail,
       {"TLS_LEGACY_VERSION_OFFERED", "TLS_NO_MODERN_VERSION"}},
      {"unknown 1.1", unknown11, Status::Error, {"TLS_VERSION_UNKNOWN"}},
      {"a fact beats unknown",
       ssl3Unknown11,
       Status::Fail,
       {"TLS_SSL_OFFERED", "TLS_VERSION_UNKNOWN"}},
  };
  for (const auto& c : cases) {
    auto a = address(ProbeOutcome::Ok);
    a.enumeration = c.en;
    const auto r = judgeTls02(evidence({a}), kReceiving);
    EXPECT_EQ(r.status, c.expected) << c.name;
    EXPECT_EQ(tags(r), std::multiset<std::string>(c.expectedTags.begin(), c.expectedTags.end()))
        << c.name;
    expectCatalogued(r);
  }
}

TEST(Tls02Judge, WithoutEnumerationOnlyTheNegotiatedVersionCounts) {
  auto a = address(ProbeOutcome::Ok);
  auto r = judgeTls02(evidence({a}, false), kReceiving);
  EXPECT_EQ(r.status, Status::Info);
  EXPECT_TRUE(r.hasTag("TLS_VERSIONS_NOT_ENUMERATED"));
  a.probe.tls->protocol = "TLSv1";
  a.probe.tls->protocol_version = 0x0301;
  r = judgeTls02(evidence({a}, false), kReceiving);
  EXPECT_EQ(r.status, Status::Fail);
  EXPECT_TRUE(r.hasTag("TLS_NO_MODERN_VERSION"));
  // Nothing tested: error; no STARTTLS: nothing to judge (TLS-01 fails it).
  EXPECT_EQ(judgeTls02(evidence({address(ProbeOutcome::Timeout)}), kReceiving).status,
            Status::Error);
  EXPECT_EQ(judgeTls02(evidence({address(ProbeOutcome::NoStartTls)}), kReceiving).status,
            Status::Info);
  // A tested address decides next to an untested one.
  auto good = address(ProbeOutcome::Ok);
  good.enumeration = enumeration({ProtocolVersion::Tls13, ProtocolVersion::Tls12});
  r = judgeTls02(evidence({good, address(ProbeOutcome::Timeout, "192.0.2.11")}), kReceiving);
  EXPECT_EQ(r.status, Status::Pass);
  EXPECT_TRUE(r.hasTag("TLS_ADDRESS_NOT_TESTED"));
}

TEST(Tls03Judge, Scenarios) {
  using V = ProtocolVersion;
  struct Case {
    const char* name;
    TlsEnumeration en;
    Status expected;
    std::vector<std::string> expectedTags;
  };
  auto rc4 = enumeration({V::Tls12});
  setGroup(rc4, SuiteGroup::Rc4, Support::Accepted, 0x0005);
  auto tdes = enumeration({V::Tls12});
  setGroup(tdes, SuiteGroup::TripleDes, Support::Accepted, 0x000A);
  setGroup(tdes, SuiteGroup::StaticRsa, Support::Accepted, 0x000A);
  auto cbc = enumeration({V::Tls12});
  setGroup(cbc, SuiteGroup::CbcSha1, Support::Accepted, 0xC013);
  auto unknown = enumeration({V::Tls12});
  setGroup(unknown, SuiteGroup::Anon, Support::Unknown);
  const std::vector<Case> cases = {
      {"good", enumeration({V::Tls13, V::Tls12}), Status::Pass, {"TLS_CIPHERS_OK"}},
      {"rc4", rc4, Status::Fail, {"TLS_CIPHER_INSUFFICIENT"}},
      {"3des", tdes, Status::Fail, {"TLS_CIPHER_INSUFFICIENT", "TLS_CIPHER_PHASE_OUT"}},
      {"cbc-sha1", cbc, Status::Warn, {"TLS_CIPHER_PHASE_OUT"}},
      {"prefers static rsa cbc",
       enumeration({V::Tls12}, 0x002F),
       Status::Warn,
       {"TLS_PREFERRED_NOT_FS_AEAD"}},
      {"unknown group", unknown, Status::Error, {"TLS_CIPHER_UNKNOWN"}},
  };
  for (const auto& c : cases) {
    auto a = address(ProbeOutcome::Ok);
    a.enumeration = c.en;
    const auto r = judgeTls03(evidence({a}), kReceiving);
    EXPECT_EQ(r.status, c.expected) << c.name;
    EXPECT_EQ(tags(r), std::multiset<std::string>(c.expectedTags.begin(), c.expectedTags.end()))
        << c.name;
    expectCatalogued(r);
  }
  auto dh = address(ProbeOutcome::Ok);
  dh.probe.tls->group = "ffdhe2048";
  dh.probe.tls->peer_tmp_key = "DH";
  dh.probe.tls->peer_tmp_key_bits = 2048;
  dh.enumeration = enumeration({V::Tls13, V::Tls12});
  const auto r = judgeTls03(evidence({dh}), kReceiving);
  EXPECT_EQ(r.status, Status::Warn);
  EXPECT_TRUE(r.hasTag("TLS_DH_GROUP_WEAK"));
}

TEST(Tls04Judge, TLS04_Scenarios) {
  struct Case {
    const char* name;
    std::function<void(CertificateFacts&)> edit;
    Status expected;
    std::vector<std::string> expectedTags;
  };
  const auto now = Clock::now();
  const std::vector<Case> cases = {
      {"good", [](CertificateFacts&) {}, Status::Pass, {"TLS_CERT_OK"}},
      {"expired",
       [&](CertificateFacts& c) { c.not_after = c.not_before + 86'400; },
       Status::Fail,
       {"TLS_CERT_EXPIRED"}},
      {"expiring",
       [&](CertificateFacts& c) { c.not_after = c.not_before + 35 * 86'400; },
       Status::Warn,
       {"TLS_CERT_EXPIRING_SOON"}},
      {"self-signed",
       [](CertificateFacts& c) {
         c.trust = CertTrust::SelfSigned;
         c.self_signed = true;
       },
       Status::Warn,
       {"TLS_CERT_SELF_SIGNED"}},
      {"private ca",
       [](CertificateFacts& c) { c.trust = CertTrust::Untrusted; },
       Status::Warn,
       {"TLS_CERT_UNTRUSTED"}},
      {"wrong name",
       [](CertificateFacts& c) { c.name_matches = false; },
       Status::Warn,
       {"TLS_CERT_NAME_MISMATCH"}},
      {"rsa 2048",
       [](CertificateFacts& c) {
         c.key_type = "RSA";
         c.key_bits = 2048;
       },
       Status::Pass,  // rubric 2026-12: RSA-2048 passes, with a note for the next renewal
       {"TLS_CERT_OK", "TLS_CERT_KEY_RSA2048"}},
      {"rsa 1024",
       [](CertificateFacts& c) {
         c.key_type = "RSA";
         c.key_bits = 1024;
       },
       Status::Fail,
       {"TLS_CERT_KEY_WEAK"}},
      {"sha1",
       [](CertificateFacts& c) { c.weakest_hash = "SHA1"; },
       Status::Fail,
       {"TLS_CERT_WEAK_SIGNATURE"}},
      {"unreadable",
       [](CertificateFacts& c) { c.parsed = false; },
       Status::Error,
       {"TLS_CERT_UNREADABLE"}},
  };
  for (const auto& c : cases) {
    auto a = address(ProbeOutcome::Ok);
    a.certificate = goodCertificate();
    c.edit(*a.certificate);
    const auto r = judgeTls04(evidence({a}), kReceiving, now);
    EXPECT_EQ(r.status, c.expected) << c.name;
    EXPECT_EQ(tags(r), std::multiset<std::string>(c.expectedTags.begin(), c.expectedTags.end()))
        << c.name;
    expectCatalogued(r);
  }
  EXPECT_EQ(judgeTls04(evidence({address(ProbeOutcome::Timeout)}), kReceiving, now).status,
            Status::Error);
}

TEST(TlsTags, CatalogueIsCompleteAndBilingual) {
  std::set<std::string_view> seen;
  for (const auto& spec : tlsTagSpecs()) {
    EXPECT_TRUE(seen.insert(spec.tag).second) << "duplicate " << spec.tag;
    EXPECT_FALSE(spec.message.empty()) << spec.tag;
    EXPECT_EQ(spec.remediation_en.empty(), spec.remediation_vi.empty()) << spec.tag;
    if (!spec.remediation_vi.empty()) {
      // Proper Vietnamese: at least one multi-byte (diacritic) character.
      EXPECT_NE(std::string(spec.remediation_vi).find_first_of("\xC3\xC4\xC6\xE1"),
                std::string::npos)
          << spec.tag;
    }
    for (char c : spec.tag)
      EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
}

TEST(TlsEvidenceJson, AddressSummary) {
  auto a = address(ProbeOutcome::Ok);
  a.probe.greeting_code = 220;
  a.probe.ehlo_keywords = {{"STARTTLS", ""}, {"SIZE", "1000"}};
  a.certificate = goodCertificate();
  a.enumeration = enumeration({ProtocolVersion::Tls13, ProtocolVersion::Tls12});
  const Json j = toJson(a);
  EXPECT_EQ(j.find("greeting_code")->asInt(), 220);
  EXPECT_EQ(j.find("ehlo_keywords")->asArray().at(1).asString(), "SIZE 1000");
  EXPECT_EQ(j.find("tls")->find("protocol")->asString(), "TLSv1.3");
  EXPECT_EQ(j.find("certificate")->find("trust")->asString(), "trusted");
  EXPECT_EQ(j.find("enumeration")->find("versions")->asArray().size(), 6u);
  const auto r = judgeTls04(evidence({a}), kReceiving, Clock::now());
  EXPECT_NE(r.evidence.dump().find("\"certificate\""), std::string::npos);
  EXPECT_EQ(r.evidence.dump().find("\"versions\""), std::string::npos);
}

// ---- loopback scenarios ----------------------------------------------------------------------

dns::DnsAnswer answer(std::uint16_t type, const std::vector<std::string>& addresses) {
  dns::DnsAnswer a;
  a.qname = kMxHost;
  a.qtype = type;
  a.status = addresses.empty() ? dns::DnsStatus::NoData : dns::DnsStatus::NoError;
  for (const auto& x : addresses) {
    dns::DnsRecord r;
    r.owner = kMxHost;
    r.type = type;
    r.data = x;
    a.records.push_back(r);
  }
  return a;
}

mx::MxEvidence mxFor(const std::vector<std::string>& v4, const std::vector<std::string>& v6 = {}) {
  mx::MxEvidence e;
  e.domain = "example.test";
  e.mx.status = dns::DnsStatus::NoError;
  mx::MxHost h;
  h.name = kMxHost;
  h.preference = 10;
  h.a = answer(dns::rr::A, v4);
  h.aaaa = answer(dns::rr::AAAA, v6);
  e.hosts.push_back(h);
  e.total_hosts = 1;
  return e;
}

TlsAuditOptions labOptions(std::uint16_t port, bool enumerate = true) {
  TlsAuditOptions o;
  o.smtp_port = port;
  o.ehlo_name = "probe.mailhygiene.test";
  o.allow_private_targets = true;
  o.ca_file = labPki().ca_file;
  o.enumerate = enumerate;
  o.timeouts.connect = 2s;
  o.timeouts.greeting = 2s;
  o.timeouts.reply = 2s;
  o.timeouts.handshake = 2s;
  o.timeouts.budget = 4s;
  return o;
}

// A modern server: TLS 1.2 and 1.3, ECDHE with AEAD only.
const ServerTls kModern{.cipher_list = "ECDHE+AESGCM:ECDHE+CHACHA20"};

struct Verdicts {
  TlsEvidence evidence;
  CheckResult tls01, tls02, tls03, tls04;
};

Verdicts audit(TlsAuditContext& ctx, const mx::MxEvidence& mx,
               Clock::time_point now = Clock::now()) {
  Verdicts v;
  v.evidence = gatherTls(ctx, mx);
  v.tls01 = judgeTls01(v.evidence, kReceiving);
  v.tls02 = judgeTls02(v.evidence, kReceiving);
  v.tls03 = judgeTls03(v.evidence, kReceiving);
  v.tls04 = judgeTls04(v.evidence, kReceiving, now);
  for (const auto* r : {&v.tls01, &v.tls02, &v.tls03, &v.tls04}) expectCatalogued(*r);
  return v;
}

std::string explain(const CheckResult& r) {
  std::string out = r.id + " " + std::string(toString(r.status)) + ":";
  for (const auto& f : r.findings) {
    const TagSpec* spec = findTagSpec(tlsTagSpecs(), f.tag);
    out += "\n  " + f.tag + " " + (spec ? renderTemplate(spec->message, f) : "");
  }
  return out;
}

class TlsLab : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(labPki().ok) << "openssl CLI could not make the lab PKI"; }
};

TEST_F(TlsLab, GoodServerPassesAllFour) {
  ScriptedServer server(quickServer, kModern);
  ASSERT_TRUE(server.ok());
  TlsAuditContext ctx(labOptions(server.port()));
  // A 1-year-from-now clock would make the 2-day lab certificate expire; judge it on its first
  // day, with a validity long enough not to be "expiring soon".
  const auto v = audit(ctx, mxFor({"127.0.0.1"}));
  EXPECT_EQ(v.tls01.status, Status::Pass) << explain(v.tls01);
  EXPECT_EQ(v.tls02.status, Status::Pass) << explain(v.tls02);
  EXPECT_EQ(v.tls03.status, Status::Pass) << explain(v.tls03);
  // The lab certificate lives 2 days: "expiring soon" is its only remark.
  EXPECT_EQ(tags(v.tls04), std::multiset<std::string>{"TLS_CERT_EXPIRING_SOON"})
      << explain(v.tls04);
  auto cert = *v.evidence.hosts[0].addresses[0].certificate;
  cert.not_after = cert.not_before + 90 * 86'400;
  auto longLived = v.evidence;
  longLived.hosts[0].addresses[0].certificate = cert;
  EXPECT_EQ(judgeTls04(longLived, kReceiving, Clock::now()).status, Status::Pass);

  const auto& a = v.evidence.hosts[0].addresses[0];
  ASSERT_TRUE(a.enumeration.has_value());
  EXPECT_EQ(a.enumeration->version(ProtocolVersion::Tls13)->support, Support::Accepted);
  EXPECT_EQ(a.enumeration->version(ProtocolVersion::Tls12)->support, Support::Accepted);
  EXPECT_EQ(a.enumeration->version(ProtocolVersion::Tls10)->support, Support::NotAccepted);
  EXPECT_TRUE(a.enumeration->preferredForwardSecret());
  // Politeness: every connection said EHLO with our name and never MAIL/RCPT/DATA.
  for (const auto& cmd : server.commands())
    for (const char* bad : {"MAIL", "RCPT", "DATA"}) EXPECT_NE(cmd.rfind(bad, 0), 0u) << cmd;
  EXPECT_EQ(static_cast<std::size_t>(server.accepted()), ctx.connections());
  std::printf("[ measured ] good server: %zu connections (1 STARTTLS probe + %zu enumeration)\n",
              ctx.connections(), a.enumeration->connections);
}

TEST_F(TlsLab, SecondDomainOnTheSameAddressIsServedFromTheCache) {
  ScriptedServer server(quickServer, kModern);
  ASSERT_TRUE(server.ok());
  TlsAuditContext ctx(labOptions(server.port()));
  audit(ctx, mxFor({"127.0.0.1"}));
  const int first = server.accepted();
  auto other = mxFor({"127.0.0.1"});
  other.domain = "other.test";
  const auto v = audit(ctx, other);
  EXPECT_EQ(server.accepted(), first);
  EXPECT_EQ(v.tls02.status, Status::Pass);
}

TEST_F(TlsLab, WithoutEnumerationOneConnection) {
  ScriptedServer server(quickServer, kModern);
  ASSERT_TRUE(server.ok());
  TlsAuditContext ctx(labOptions(server.port(), false));
  const auto v = audit(ctx, mxFor({"127.0.0.1"}));
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(v.tls01.status, Status::Pass);
  EXPECT_EQ(v.tls02.status, Status::Info) << explain(v.tls02);
  EXPECT_EQ(v.tls03.status, Status::Info) << explain(v.tls03);
}

TEST_F(TlsLab, Tls10StillEnabledWarns) {
  ScriptedServer server(
      quickServer, ServerTls{.min_version = TLS1_VERSION, .cipher_list = "DEFAULT:@SECLEVEL=0"});
  ASSERT_TRUE(server.ok());
  TlsAuditContext ctx(labOptions(server.port()));
  const auto v = audit(ctx, mxFor({"127.0.0.1"}));
  EXPECT_EQ(v.tls01.status, Status::Pass) << explain(v.tls01);
  EXPECT_EQ(v.tls02.status, Status::Warn) << explain(v.tls02);
  EXPECT_TRUE(v.tls02.hasTag("TLS_LEGACY_VERSION_OFFERED"));
  EXPECT_FALSE(v.tls02.hasTag("TLS_SSL_OFFERED"));
  // OpenSSL's DEFAULT still has ECDHE-ECDSA-AES128-SHA: CBC-SHA1, a warning.
  EXPECT_EQ(v.tls03.status, Status::Warn) << explain(v.tls03);
  EXPECT_TRUE(v.tls03.hasTag("TLS_CIPHER_PHASE_OUT"));
  const auto& en = *v.evidence.hosts[0].addresses[0].enumeration;
  EXPECT_EQ(en.version(ProtocolVersion::Tls10)->support, Support::Accepted);
  EXPECT_EQ(en.version(ProtocolVersion::Tls11)->support, Support::Accepted);
  EXPECT_EQ(en.version(ProtocolVersion::SslV3)->support, Support::NotAccepted);
}

TEST_F(TlsLab, NoStartTlsFails) {
  ScriptedServer server([](ServerConn& c) {
    c.sendLines({"220 mx1.example.test ESMTP"});
    if (!c.readLine()) return;
    c.sendLines({"250-mx1.example.test", "250 8BITMIME"});
    if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 bye\r\n");
  });
  ASSERT_TRUE(server.ok());
  TlsAuditContext ctx(labOptions(server.port()));
  const auto v = audit(ctx, mxFor({"127.0.0.1"}));
  EXPECT_EQ(v.tls01.status, Status::Fail);
  EXPECT_TRUE(v.tls01.hasTag("TLS_STARTTLS_MISSING"));
  EXPECT_EQ(v.tls02.status, Status::Info);
  EXPECT_EQ(server.accepted(), 1);  // no enumeration without TLS
}

TEST_F(TlsLab, CouldNotTestIsErrorNeverFail) {
  struct Scenario {
    const char* name;
    ScriptedServer::Script script;
  };
  const std::vector<Scenario> scenarios = {
      {"421 greeting", [](ServerConn& c) { c.send("421 4.3.2 too busy\r\n"); }},
      {"reset after EHLO",
       [](ServerConn& c) {
         c.send("220 mx1.example.test ESMTP\r\n");
         c.readLine();
         const linger l{1, 0};  // RST instead of FIN
         ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
       }},
      {"garbage",
       [](ServerConn& c) {
         c.send("SSH-2.0-OpenSSH_9.2p1\r\n");
         c.waitForClose(3s);
       }},
  };
  for (const auto& s : scenarios) {
    ScriptedServer server(s.script);
    ASSERT_TRUE(server.ok());
    TlsAuditContext ctx(labOptions(server.port()));
    const auto v = audit(ctx, mxFor({"127.0.0.1"}));
    EXPECT_EQ(v.tls01.status, Status::Error) << s.name << "\n" << explain(v.tls01);
    EXPECT_TRUE(v.tls01.hasTag("TLS_NOT_TESTED")) << s.name;
    for (const auto* r : {&v.tls02, &v.tls03, &v.tls04})
      EXPECT_EQ(r->status, Status::Error) << s.name << "\n" << explain(*r);
    EXPECT_EQ(server.accepted(), 1) << s.name;
  }
}

TEST_F(TlsLab, TarpitCostsNoMoreThanItsBudget) {
  ScriptedServer server([](ServerConn& c) { c.waitForClose(); });
  ASSERT_TRUE(server.ok());
  auto o = labOptions(server.port());
  o.timeouts.greeting = 10s;
  o.timeouts.budget = 1500ms;
  TlsAuditContext ctx(o);
  const auto start = std::chrono::steady_clock::now();
  const auto v = audit(ctx, mxFor({"127.0.0.1"}));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(v.tls01.status, Status::Error);
  EXPECT_LT(took, o.timeouts.budget + 1s);
  EXPECT_EQ(server.accepted(), 1);
  std::printf(
      "[ measured ] tarpit with a 1500 ms budget cost %lld ms\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
}

TEST_F(TlsLab, CertificateVerdicts) {
  struct Scenario {
    const char* name;
    std::string cert;
    std::chrono::hours later;
    std::string tag;
    Status expected;
  };
  const std::vector<Scenario> scenarios = {
      {"expired", "server", 5 * 24h, "TLS_CERT_EXPIRED", Status::Fail},
      {"self-signed", "selfsigned", 0h, "TLS_CERT_SELF_SIGNED", Status::Warn},
      {"wrong name", "wrongname", 0h, "TLS_CERT_NAME_MISMATCH", Status::Warn},
  };
  for (const auto& s : scenarios) {
    ScriptedServer server(quickServer, ServerTls{.cert_file = labPki().pem(s.cert),
                                                 .key_file = labPki().key(s.cert)});
    ASSERT_TRUE(server.ok());
    TlsAuditContext ctx(labOptions(server.port(), false));
    const auto v = audit(ctx, mxFor({"127.0.0.1"}), Clock::now() + s.later);
    // A bad certificate is not "no STARTTLS": the handshake completes whatever the certificate.
    EXPECT_EQ(v.tls01.status, Status::Pass) << s.name << "\n" << explain(v.tls01);
    EXPECT_EQ(v.tls04.status, s.expected) << s.name << "\n" << explain(v.tls04);
    EXPECT_TRUE(v.tls04.hasTag(s.tag)) << s.name << "\n" << explain(v.tls04);
    EXPECT_FALSE(v.tls04.remediation.vi.empty()) << s.name;
  }
}

TEST_F(TlsLab, PrivateTargetsGetAFindingAndNoConnection) {
  ScriptedServer server(quickServer);
  ASSERT_TRUE(server.ok());
  auto o = labOptions(server.port());
  o.allow_private_targets = false;
  TlsAuditContext ctx(o);
  const auto v = audit(ctx, mxFor({"127.0.0.1", "10.0.0.1"}));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(server.accepted(), 0);
  EXPECT_EQ(ctx.connections(), 0u);
  EXPECT_EQ(v.tls01.status, Status::Warn) << explain(v.tls01);
  ASSERT_EQ(v.tls01.findings.size(), 2u);
  for (const auto& f : v.tls01.findings) EXPECT_EQ(f.tag, "TLS_TARGET_NOT_ALLOWED");
  EXPECT_EQ(v.tls01.findings[0].argText("class"), "loopback");
  EXPECT_EQ(v.tls01.findings[1].argText("class"), "private");
  EXPECT_EQ(v.tls02.status, Status::Info);
}

TEST_F(TlsLab, SeveralAddressesPerMx) {
  // 127.0.0.2 answers well, 127.0.0.3 has no STARTTLS; ::1 is tried when present.
  ScriptedServer good(quickServer, kModern, "127.0.0.2");
  ASSERT_TRUE(good.ok());
  ScriptedServer plain(
      [](ServerConn& c) {
        c.send("220 plain ESMTP\r\n");
        if (!c.readLine()) return;
        c.send("250 plain\r\n");
        if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 bye\r\n");
      },
      ServerTls{}, "127.0.0.3", good.port());
  if (!plain.ok()) GTEST_SKIP() << "cannot bind 127.0.0.3 on the same port";
  TlsAuditContext ctx(labOptions(good.port(), false));
  const auto v = audit(ctx, mxFor({"127.0.0.2", "127.0.0.3"}));
  EXPECT_EQ(v.tls01.status, Status::Fail) << explain(v.tls01);
  EXPECT_EQ(tags(v.tls01), (std::multiset<std::string>{"TLS_STARTTLS_OK", "TLS_STARTTLS_MISSING"}));
  EXPECT_EQ(good.accepted(), 1);
  EXPECT_EQ(plain.accepted(), 1);
  EXPECT_EQ(v.tls04.status, Status::Warn) << explain(v.tls04);  // the 2-day lab certificate
}

}  // namespace
}  // namespace mh::tls
