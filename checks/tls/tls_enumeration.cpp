// Protocol and cipher enumeration of one MX address after STARTTLS: pinned OpenSSL handshakes for
// TLS 1.0-1.3, hand-built hellos (RFC 6101, RFC 5246 §7.4.1.2) for SSL and weak suite groups.
#include "checks/tls/tls_enumeration.hpp"

#include <openssl/ssl.h>

#include <algorithm>

#include "checks/tls/hello_probe.hpp"

namespace mh::tls {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr std::array<ProtocolVersion, 6> kVersionOrder = {
    ProtocolVersion::Tls13, ProtocolVersion::Tls12, ProtocolVersion::Tls11,
    ProtocolVersion::Tls10, ProtocolVersion::SslV3, ProtocolVersion::SslV2};

constexpr std::array<SuiteGroup, 8> kAllGroups = {
    SuiteGroup::Rc4,    SuiteGroup::TripleDes, SuiteGroup::Des,       SuiteGroup::Null,
    SuiteGroup::Export, SuiteGroup::Anon,      SuiteGroup::StaticRsa, SuiteGroup::CbcSha1};

ProbeOptions pinned(ProbeOptions o, int version) {
  o.min_version = version;
  o.max_version = version;
  // TLS 1.0/1.1 need SHA-1 in the handshake: OpenSSL 3 allows it only at security level 0.
  if (o.cipher_list.empty()) o.cipher_list = "DEFAULT:@SECLEVEL=0";
  return o;
}

std::string suiteName(std::uint16_t code) {
  if (const CipherSuite* s = findCipherSuite(code)) return std::string(s->name);
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04X", code);
  return buf;
}

bool contains(const std::vector<std::uint16_t>& v, std::uint16_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// One enumeration run: counts connections, keeps the overall budget, stops on "could not test".
class Run {
 public:
  Run(const SmtpTarget& target, const ProbeOptions& base, TlsEnumeration& out,
      Clock::time_point cap)
      : target_(target),
        base_(base),
        out_(out),
        start_(Clock::now()),
        end_(std::min(cap, start_ + kEnumerationBudgets * base.timeouts.budget)),
        cap_(cap) {}

  bool stopped() const { return !out_.stopped.empty(); }

  // Stops the run when the budget is spent; true when another connection may be made.
  bool mayConnect() {
    if (stopped()) return false;
    if (Clock::now() >= end_)
      out_.stopped =
          Clock::now() >= cap_ ? "the domain's audit budget ran out" : "enumeration budget spent";
    return !stopped();
  }

  // A pinned OpenSSL handshake.
  void pinnedHandshake(const StartTlsProber& prober, VersionProbe& v) {
    if (!mayConnect()) return;
    ++out_.connections;
    const ProbeResult r = prober.probe(target_, cap_);
    v.method = "openssl";
    v.detail = r.detail;
    if (r.outcome == ProbeOutcome::Ok && r.tls) {
      v.support = r.tls->protocol_version == static_cast<int>(v.version) ? Support::Accepted
                                                                         : Support::NotAccepted;
      v.cipher_id = r.tls->cipher_id;
      v.cipher = r.tls->cipher_iana;
      v.group = r.tls->group;
      v.group_bits = r.tls->peer_tmp_key_bits;
      v.detail = r.tls->protocol;
    } else if (r.outcome == ProbeOutcome::HandshakeFailed) {
      v.support = Support::NotAccepted;
    } else {
      // The server answered the first probe but not this one: rate limiting, or it changed its
      // mind. Nothing more is asked of it in this run.
      v.support = Support::Unknown;
      stop(r);
    }
  }

  // A hand-built hello on a fresh STARTTLS connection.
  HelloProbeResult hello(ProtocolVersion version, const std::vector<std::uint16_t>* suites,
                         Support& support, std::string& detail) {
    HelloProbeResult h;
    support = Support::Unknown;
    if (!mayConnect()) {
      detail = out_.stopped;
      return h;
    }
    ++out_.connections;
    StartTlsSocket s = openStartTlsSocket(target_, base_, cap_);
    if (s.result.outcome != ProbeOutcome::Ok) {
      detail = std::string(toString(s.result.outcome)) + ": " + s.result.detail;
      stop(s.result);
      return h;
    }
    const auto left = std::chrono::duration_cast<milliseconds>(s.deadline - Clock::now());
    const milliseconds timeout =
        std::max(milliseconds(1), std::min(base_.timeouts.handshake, left));
    h = suites ? probeSuites(s.fd.get(), version, *suites, target_.host, timeout)
               : probeProtocol(s.fd.get(), version, target_.host, timeout);
    switch (h.status) {
      case ProbeStatus::Answered:
        if (h.accepted) {
          support = Support::Accepted;
          detail = suiteName(h.hello.cipherSuite);
        } else if (h.hello.outcome == HelloOutcome::Rejected) {
          support = Support::NotAccepted;
          detail = "alert " + std::string(alertName(h.hello.alertDescription));
        } else if (h.hello.outcome == HelloOutcome::Accepted) {
          support = Support::NotAccepted;
          detail = "answered with " + std::string(versionName(h.hello.version)) + " " +
                   suiteName(h.hello.cipherSuite);
        } else {
          detail = std::string(toString(h.hello.outcome)) + ": " + h.hello.error;
        }
        break;
      case ProbeStatus::Closed:
      case ProbeStatus::Reset:
        // How most servers refuse a hello they do not speak (testssl.sh reads it the same way).
        support = Support::NotAccepted;
        detail = std::string(toString(h.status)) + " without a reply";
        break;
      case ProbeStatus::Timeout:
        // A server that does not speak SSLv2 may wait for the rest of a "record" forever.
        if (version == ProtocolVersion::SslV2) support = Support::NotAccepted;
        detail = "no reply to the hello";
        break;
      case ProbeStatus::NetworkError:
        detail = h.error;
        break;
    }
    return h;
  }

 private:
  void stop(const ProbeResult& r) {
    out_.stopped = std::string(toString(r.outcome)) + (r.detail.empty() ? "" : ": " + r.detail);
  }

  const SmtpTarget& target_;
  const ProbeOptions& base_;
  TlsEnumeration& out_;
  Clock::time_point start_;
  Clock::time_point end_;
  Clock::time_point cap_;  // the caller's deadline: no connection runs past it
};

}  // namespace

std::string_view toString(Support s) {
  switch (s) {
    case Support::Accepted:
      return "accepted";
    case Support::NotAccepted:
      return "not_accepted";
    case Support::Unknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view toString(SuiteGroup g) {
  switch (g) {
    case SuiteGroup::Rc4:
      return "RC4";
    case SuiteGroup::TripleDes:
      return "3DES";
    case SuiteGroup::Des:
      return "DES";
    case SuiteGroup::Null:
      return "NULL";
    case SuiteGroup::Export:
      return "EXPORT";
    case SuiteGroup::Anon:
      return "anon";
    case SuiteGroup::StaticRsa:
      return "static RSA";
    case SuiteGroup::CbcSha1:
      return "CBC-SHA1";
  }
  return "unknown";
}

std::vector<std::uint16_t> suitesOf(SuiteGroup g) {
  switch (g) {
    case SuiteGroup::Rc4:
      return rc4Suites();
    case SuiteGroup::TripleDes:
      return tripleDesSuites();
    case SuiteGroup::Des: {
      std::vector<std::uint16_t> out;
      for (const auto& s : allCipherSuites())
        if (s.cipher == Cipher::Des && !s.exportGrade) out.push_back(s.code);
      return out;
    }
    case SuiteGroup::Null:
      return nullSuites();
    case SuiteGroup::Export:
      return exportSuites();
    case SuiteGroup::Anon:
      return anonSuites();
    case SuiteGroup::StaticRsa:
      return staticRsaSuites();
    case SuiteGroup::CbcSha1:
      return cbcSha1Suites();
  }
  return {};
}

const VersionProbe* TlsEnumeration::version(ProtocolVersion v) const {
  for (const auto& p : versions)
    if (p.version == v) return &p;
  return nullptr;
}

const SuiteGroupProbe* TlsEnumeration::group(SuiteGroup g) const {
  for (const auto& p : suites)
    if (p.group == g) return &p;
  return nullptr;
}

bool TlsEnumeration::preferredForwardSecret() const {
  const CipherSuite* s = findCipherSuite(preferred_suite);
  return s != nullptr && s->forwardSecrecy;
}

bool TlsEnumeration::preferredAead() const {
  const CipherSuite* s = findCipherSuite(preferred_suite);
  return s != nullptr && s->mac == Mac::Aead;
}

TlsEnumerator::TlsEnumerator(ProbeOptions base)
    : base_(std::move(base)),
      tls12_(pinned(base_, TLS1_2_VERSION)),
      tls11_(pinned(base_, TLS1_1_VERSION)),
      tls10_(pinned(base_, TLS1_VERSION)) {}

TlsEnumeration TlsEnumerator::enumerate(const SmtpTarget& target, const ProbeResult& first,
                                        SteadyClock::time_point cap) const {
  const auto start = Clock::now();
  TlsEnumeration e;
  for (const auto v : kVersionOrder) e.versions.push_back({.version = v});
  for (const auto g : kAllGroups) e.suites.push_back({.group = g});
  const auto finish = [&] {
    e.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    return e;
  };
  if (first.outcome != ProbeOutcome::Ok && first.outcome != ProbeOutcome::HandshakeFailed) {
    e.stopped = "no TLS to enumerate (" + std::string(toString(first.outcome)) + ")";
    return finish();
  }
  Run run(target, base_, e, cap);
  const auto slot = [&](ProtocolVersion v) -> VersionProbe& {
    return *std::find_if(e.versions.begin(), e.versions.end(),
                         [v](const VersionProbe& p) { return p.version == v; });
  };

  // 1. TLS 1.3-1.0. The ordinary probe offered TLS 1.0-1.3: the server chose the highest it
  // accepts, so it answers that version and every version above it.
  const int negotiated =
      first.outcome == ProbeOutcome::Ok && first.tls ? first.tls->protocol_version : 0;
  const std::array<std::pair<ProtocolVersion, const StartTlsProber*>, 4> tlsVersions = {{
      {ProtocolVersion::Tls13, nullptr},
      {ProtocolVersion::Tls12, &tls12_},
      {ProtocolVersion::Tls11, &tls11_},
      {ProtocolVersion::Tls10, &tls10_},
  }};
  for (const auto& [version, prober] : tlsVersions) {
    VersionProbe& v = slot(version);
    const int wire = static_cast<int>(version);
    if (negotiated != 0 && wire >= negotiated) {
      v.method = "starttls";
      v.support = wire == negotiated ? Support::Accepted : Support::NotAccepted;
      if (wire == negotiated) {
        v.cipher_id = first.tls->cipher_id;
        v.cipher = first.tls->cipher_iana;
        v.group = first.tls->group;
        v.group_bits = first.tls->peer_tmp_key_bits;
      }
      v.detail = "the server chose " + first.tls->protocol + " when offered TLS 1.0-1.3";
      continue;
    }
    if (negotiated != 0 && prober != nullptr) {
      run.pinnedHandshake(*prober, v);
      continue;
    }
    // OpenSSL could not complete any handshake: ask with hand-built hellos offering every suite
    // of the version (the server may speak only suites OpenSSL 3 no longer has).
    v.method = "hello";
    const HelloProbeResult h = run.hello(version, nullptr, v.support, v.detail);
    if (v.support == Support::Accepted) {
      v.cipher_id = h.hello.cipherSuite;
      v.cipher = suiteName(h.hello.cipherSuite);
    }
  }

  // 2. SSLv3 and SSLv2: hand-built hellos only (Debian's OpenSSL 3 cannot speak them).
  for (const auto version : {ProtocolVersion::SslV3, ProtocolVersion::SslV2}) {
    VersionProbe& v = slot(version);
    v.method = "hello";
    const HelloProbeResult h = run.hello(version, nullptr, v.support, v.detail);
    if (v.support == Support::Accepted && !h.hello.sslv2) {
      v.cipher_id = h.hello.cipherSuite;
      v.cipher = suiteName(h.hello.cipherSuite);
    }
  }

  // 3. Weak suite groups, at the highest accepted version below TLS 1.3 (TLS 1.3 has none).
  std::optional<ProtocolVersion> legacy;
  for (const auto v : {ProtocolVersion::Tls12, ProtocolVersion::Tls11, ProtocolVersion::Tls10,
                       ProtocolVersion::SslV3})
    if (!legacy && slot(v).support == Support::Accepted) legacy = v;
  const bool versionsKnown = std::none_of(e.versions.begin(), e.versions.end(), [](const auto& v) {
    return v.version != ProtocolVersion::SslV2 && v.support == Support::Unknown;
  });
  const auto groupSlot = [&](SuiteGroup g) -> SuiteGroupProbe& {
    return *std::find_if(e.suites.begin(), e.suites.end(),
                         [g](const SuiteGroupProbe& p) { return p.group == g; });
  };
  if (!legacy && !versionsKnown) {
    for (auto& g : e.suites) g.detail = "protocol versions unknown";
  } else if (!legacy) {
    for (auto& g : e.suites) {
      g.support = Support::NotAccepted;
      g.detail = "no protocol version below TLS 1.3 is accepted";
    }
  } else if (legacy) {
    const auto usable = [&](std::vector<std::uint16_t> suites) {
      std::erase_if(suites, [&](std::uint16_t code) {
        const CipherSuite* s = findCipherSuite(code);
        return s == nullptr || !suiteUsableIn(*s, *legacy);
      });
      return suites;
    };
    // One hello offering a whole family first: the usual "none accepted" costs one connection;
    // only a family with an accepted suite is asked again group by group.
    for (const auto& family :
         {std::vector<SuiteGroup>(kFailingGroups.begin(), kFailingGroups.end()),
          std::vector<SuiteGroup>(kPhaseOutGroups.begin(), kPhaseOutGroups.end())}) {
      std::vector<std::uint16_t> all;
      for (const auto g : family)
        for (const auto code : usable(suitesOf(g)))
          if (!contains(all, code)) all.push_back(code);
      Support support = Support::Unknown;
      std::string detail;
      const HelloProbeResult h = run.hello(*legacy, &all, support, detail);
      for (const auto g : family) {
        SuiteGroupProbe& p = groupSlot(g);
        p.version = *legacy;
        if (support != Support::Accepted) {
          p.support = support;
          p.detail = detail;
        } else if (contains(suitesOf(g), h.hello.cipherSuite)) {
          p.support = Support::Accepted;
          p.suite = h.hello.cipherSuite;
          p.detail = suiteName(p.suite);
        }
      }
      if (support != Support::Accepted) continue;
      for (const auto g : family) {
        SuiteGroupProbe& p = groupSlot(g);
        if (p.support == Support::Accepted) continue;
        const std::vector<std::uint16_t> suites = usable(suitesOf(g));
        if (suites.empty()) {
          p.support = Support::NotAccepted;
          p.detail = "no suite of the group is usable in " + std::string(versionName(*legacy));
          continue;
        }
        const HelloProbeResult one = run.hello(*legacy, &suites, p.support, p.detail);
        if (p.support == Support::Accepted) p.suite = one.hello.cipherSuite;
      }
    }
  }

  // 4. Preference: what a client listing strong suites first gets, and whether the server keeps
  // its own order when the client lists the weakest first.
  if (legacy && slot(*legacy).cipher_id != 0) {
    e.preferred_suite = slot(*legacy).cipher_id;
    e.preferred_version = *legacy;
    if (*legacy == ProtocolVersion::Tls12) {
      std::vector<std::uint16_t> reversed = suitesFor(ProtocolVersion::Tls12);
      std::reverse(reversed.begin(), reversed.end());
      Support support = Support::Unknown;
      std::string detail;
      const HelloProbeResult h = run.hello(ProtocolVersion::Tls12, &reversed, support, detail);
      if (support == Support::Accepted) e.server_order = h.hello.cipherSuite == e.preferred_suite;
    }
  } else if (slot(ProtocolVersion::Tls13).support == Support::Accepted) {
    e.preferred_suite = slot(ProtocolVersion::Tls13).cipher_id;
    e.preferred_version = ProtocolVersion::Tls13;
  }
  return finish();
}

}  // namespace mh::tls
