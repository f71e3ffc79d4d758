// Generates the synthetic national lab: N agency domains with a realistic mix, as knotd zone files.
#include "bench/lab_generator.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>

namespace mh::bench {

namespace {

constexpr std::string_view kHeader =
    "$TTL 3600\n@ SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300\n@ NS ns.lab.test.\n";
// The lab's keys (tests/lab/zones/good.lab.test and dkim-weak-1024.lab.test): 2048 and 1024 bits.
constexpr std::string_view kDkim2048 =
    R"dkim("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmQUwz7mxg8tPxIxUwCVcz/Y1qgLlFYG39Ak9XTZyjCxQLFLrRDt/tSSYfcJHhkUNF50F+KH2VHErrZhsCvzfOVV9Fen4pdTts8Qqrhf9K8NJZODIsuq1ze/Pjzh1M+nHA8Y3YBUUNWWZWJVS/+6GrAk58KGtpug0lyP6pb4y3dumjrCsPNSwhofmZqEVQ6l20" "eSjCUb39Qj4d162BNqDHS6wbHmqcP7lze5uy9uLxp54iAogo2tpPR0mNWqMDN7ph6JKvxy9BQpKVNYxGEWUgAlyvqah+rgfyyOcUWZRafeRHtVQSYbLhGPWew+t/pjDzpvsASRAxZj3L5TbI5pbQQIDAQAB")dkim";
constexpr std::string_view kDkim1024 =
    R"dkim("v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDNDznCxAyvTMqxAnSPQZW8u4CudHT3kT4g07GhxU97sb72rVwOq2YEJ8rHIxCjfJYnzsgbN5xYk7DOLq/N6onHfAhRrtfeE3599T6A44ydoXCm5zATHIgH4tysTz7FpbhRa4rR5a2TvZJy7QtuhrjR/O+cGS+S8nlld+KIudStNwIDAQAB")dkim";

constexpr int kProviders = 5;
// Share of provider-hosted mail domains per provider (percent).
constexpr std::array<int, kProviders> kProviderWeights = {40, 25, 15, 12, 8};
constexpr int kChainLength = 12;  // mailprov1's nested include chain: > 10 lookups

std::string provider(int k) {
  return "mailprov" + std::to_string(k) + ".lab.test";
}

// 172.16.0.0/12 numbering: web address (172.16/13) and self-hosted MX address (172.24/13).
std::string ipv4(unsigned base, std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "172.%u.%zu.%zu", base + unsigned(i >> 16), (i >> 8) & 255,
                i & 255);
  return buf;
}
// The owner of 172.b.c.d's PTR inside 172.in-addr.arpa: "d.c.b".
std::string ptrOwner(unsigned base, std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zu.%zu.%u", i & 255, (i >> 8) & 255, base + unsigned(i >> 16));
  return buf;
}
std::string providerIp(int k, int host) {
  return "198.51.100." + std::to_string(k * 20 + host);
}

// The --smtp lab's numbering, all in 127.0.0.0/8 (Linux routes the whole /8 to lo): self-hosted
// MX at 127.24.x.y (as 172.24/13 above), provider hosts at 127.100.k.h, policy hosts at 127.80.0.x.
std::string loopbackIp(unsigned base, std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "127.%u.%zu.%zu", base + unsigned(i >> 16), (i >> 8) & 255,
                i & 255);
  return buf;
}
std::string loopbackProviderIp(int k, int host) {
  return "127.100." + std::to_string(k) + "." + std::to_string(host);
}
// The owner of 127.a.b.c's PTR inside 127.in-addr.arpa: "c.b.a".
std::string loopbackPtrOwner(const std::string& address) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  std::sscanf(address.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d);
  return std::to_string(d) + "." + std::to_string(c) + "." + std::to_string(b);
}
constexpr std::string_view kHttpsAddress = "127.80.0.1";
constexpr std::string_view kHttpsDeadAddress = "127.80.0.2";

struct ZoneWriter {
  std::filesystem::path dir;
  NationalLab& lab;
  void write(const std::string& zone, const std::string& body, bool broken = false) {
    const auto file = dir / ((zone == "." ? std::string("root") : zone) + ".zone");
    std::ofstream out(file);
    out << body;
    if (!out) throw std::runtime_error("cannot write " + file.string());
    lab.zones.push_back({zone, file, broken});
  }
};

struct MailSetup {
  int provider = 0;             // 1..kProviders, 0 = self-hosted
  bool ptr = true;              // self-hosted: the MX address has a PTR
  std::string web_address;      // the domain's own A record (its web site)
  std::string mx_address;       // self-hosted: the address of mx.<domain>
  std::string mta_sts_address;  // the address of mta-sts.<domain>
};

// The zone of a domain that publishes mail records; the defects switch parts off or break them.
std::string mailZone(const std::string& d, std::size_t i, const MailSetup& m,
                     const std::vector<std::string>& defects, std::mt19937& rng) {
  auto has = [&](std::string_view x) {
    return std::find(defects.begin(), defects.end(), x) != defects.end();
  };
  std::string z(kHeader);
  z += "@ A " + m.web_address + "\n";
  z += "www CNAME " + d + ".\n";
  std::string spfBase;
  if (m.provider) {
    const std::string p = provider(m.provider);
    z += "@ MX 10 mx1." + p + ".\n@ MX 20 mx2." + p + ".\n";
    spfBase = "include:_spf." + p;
  } else {
    z += "@ MX 10 mx\n";
    if (!has("dangling-mx")) z += "mx A " + m.mx_address + "\n";
    spfBase = "mx ip4:" + m.mx_address;
  }
  const std::string all = has("softfail") ? "~all" : has("plus-all") ? "+all" : "-all";
  if (has("spf-syntax"))
    z += "@ TXT \"v=spf1 " + spfBase + " incude:_spf.mailprov2.lab.test " + all + "\"\n";
  else if (has("too-many-lookups"))
    z += "@ TXT \"v=spf1 " + spfBase + " include:chain1.mailprov1.lab.test " + all + "\"\n";
  else if (has("include-missing"))
    z += "@ TXT \"v=spf1 " + spfBase + " include:_spf.defunct-provider.lab.test " + all + "\"\n";
  else
    z += "@ TXT \"v=spf1 " + spfBase + " " + all + "\"\n";
  if (has("multiple-spf")) z += "@ TXT \"v=spf1 a -all\"\n";
  z += "@ TXT \"google-site-verification=" + std::to_string(rng()) + "\"\n";

  if (!has("no-dmarc")) {
    const std::string policy = has("dmarc-none")         ? "none"
                               : has("dmarc-quarantine") ? "quarantine"
                                                         : "reject";
    std::string rua;
    if (!has("dmarc-no-rua"))
      rua = (rng() % 3 == 0 && m.provider) ? "; rua=mailto:dmarc@" + provider(m.provider)
                                           : "; rua=mailto:dmarc@" + d;
    if (has("dmarc-syntax"))
      z += "_dmarc TXT \"v=DMARC1; p=rejct" + rua + "\"\n";
    else
      z += "_dmarc TXT \"v=DMARC1; p=" + policy + rua + "\"\n";
    if (has("dmarc-multiple")) z += "_dmarc TXT \"v=DMARC1; p=none\"\n";
  }
  if (!has("no-dkim")) {
    const std::string selector = m.provider ? (rng() % 2 ? "selector1" : "mail") : "default";
    z += selector + "._domainkey TXT " + std::string(has("weak-dkim") ? kDkim1024 : kDkim2048) +
         "\n";
  }
  if (!has("no-mta-sts"))
    z += "mta-sts A " + m.mta_sts_address + "\n_mta-sts TXT \"v=STSv1; id=2024010" +
         std::to_string(i % 10) + "\"\n";
  if (!has("no-tlsrpt")) z += "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@" + d + "\"\n";
  return z;
}

std::vector<std::string> pickDefects(const std::vector<std::string>& from, int count,
                                     std::mt19937& rng) {
  std::vector<std::string> pool = from, out;
  std::shuffle(pool.begin(), pool.end(), rng);
  for (int j = 0; j < count && j < int(pool.size()); ++j) out.push_back(pool[j]);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : "+") + x;
  return s;
}

// The choice a draw r in [0, 100) falls on (weights in percent, summing to 100).
template <typename T, std::size_t N>
T pickWeighted(const std::array<std::pair<T, int>, N>& choices, int r) {
  for (const auto& [value, weight] : choices)
    if ((r -= weight) < 0) return value;
  return choices.back().first;
}

SmtpBehaviour pickBehaviour(Kind kind, int draw) {
  using B = SmtpBehaviour;
  static constexpr std::array<std::pair<B, int>, 6> partial = {{{B::LegacyTls, 45},
                                                                {B::Modern, 25},
                                                                {B::SelfSigned, 10},
                                                                {B::Expired, 8},
                                                                {B::WrongName, 8},
                                                                {B::Busy, 4}}};
  static constexpr std::array<std::pair<B, int>, 8> broken = {{{B::LegacyTls, 25},
                                                               {B::NoStartTls, 20},
                                                               {B::NoListener, 15},
                                                               {B::Expired, 10},
                                                               {B::SelfSigned, 10},
                                                               {B::WrongName, 10},
                                                               {B::Busy, 5},
                                                               {B::Silent, 5}}};
  if (kind == Kind::Partial) return pickWeighted(partial, draw);
  if (kind == Kind::Broken) return pickWeighted(broken, draw);
  return B::Modern;
}

StsServing pickSts(Kind kind, int draw) {
  using S = StsServing;
  static constexpr std::array<std::pair<S, int>, 4> mixed = {
      {{S::Enforce, 35}, {S::Testing, 40}, {S::NotFound, 10}, {S::Unreachable, 15}}};
  if (kind == Kind::Partial || kind == Kind::Broken) return pickWeighted(mixed, draw);
  return S::Enforce;
}

std::string policyBody(StsServing s, const std::string& domain, int provider) {
  std::string body = "version: STSv1\r\nmode: ";
  body += s == StsServing::Testing ? "testing" : "enforce";
  body += "\r\n";
  body += provider ? "mx: *." + std::string("mailprov") + std::to_string(provider) + ".lab.test\r\n"
                   : "mx: mx." + domain + "\r\n";
  body += "max_age: 604800\r\n";
  return body;
}

}  // namespace

std::string_view toString(SmtpBehaviour b) {
  switch (b) {
    case SmtpBehaviour::Modern:
      return "modern";
    case SmtpBehaviour::LegacyTls:
      return "legacy-tls";
    case SmtpBehaviour::NoStartTls:
      return "no-starttls";
    case SmtpBehaviour::Expired:
      return "expired-cert";
    case SmtpBehaviour::SelfSigned:
      return "self-signed";
    case SmtpBehaviour::WrongName:
      return "wrong-name";
    case SmtpBehaviour::Busy:
      return "busy-421";
    case SmtpBehaviour::NoListener:
      return "no-listener";
    case SmtpBehaviour::Silent:
      return "silent";
  }
  return "?";
}

std::string_view toString(StsServing s) {
  switch (s) {
    case StsServing::Enforce:
      return "enforce";
    case StsServing::Testing:
      return "testing";
    case StsServing::NotFound:
      return "not-found";
    case StsServing::Unreachable:
      return "unreachable";
  }
  return "?";
}

std::string_view toString(Kind k) {
  switch (k) {
    case Kind::Good:
      return "good";
    case Kind::Partial:
      return "partial";
    case Kind::Broken:
      return "broken";
    case Kind::NoMail:
      return "nomail";
    case Kind::Parked:
      return "parked";
    case Kind::Gone:
      return "gone";
    case Kind::ServFail:
      return "servfail";
    case Kind::Dead:
      return "dead";
  }
  return "?";
}

NationalLab generateLab(std::size_t n, std::uint32_t seed, const std::filesystem::path& dir,
                        bool smtp) {
  std::filesystem::create_directories(dir);
  std::mt19937 rng(seed);
  // The --smtp lab's own draws, apart so that `rng` draws what it draws for the DNS-only lab.
  std::mt19937 transportRng(seed ^ 0x5eedc0deu);
  NationalLab lab;
  ZoneWriter w{dir, lab};
  if (smtp) {
    lab.transport.https_address = std::string(kHttpsAddress);
    lab.transport.https_dead_address = std::string(kHttpsDeadAddress);
  }

  // Kinds by share (per mille), then shuffled so that every part of the run sees every kind.
  const std::array<std::pair<Kind, int>, kKindCount> shares = {{{Kind::Good, 180},
                                                                {Kind::Partial, 420},
                                                                {Kind::Broken, 140},
                                                                {Kind::NoMail, 100},
                                                                {Kind::Parked, 50},
                                                                {Kind::Gone, 80},
                                                                {Kind::ServFail, 20},
                                                                {Kind::Dead, 10}}};
  std::vector<Kind> kinds;
  for (const auto& [kind, perMille] : shares)
    for (std::size_t j = 0; j < n * perMille / 1000; ++j) kinds.push_back(kind);
  while (kinds.size() < n) kinds.push_back(Kind::Partial);
  std::shuffle(kinds.begin(), kinds.end(), rng);

  // Shared infrastructure: root, lab.test, the providers and the reverse zones.
  w.write(".", std::string(kHeader) + "ns.lab.test. A 127.0.0.1\n");
  w.write("lab.test", std::string(kHeader) + "ns A 127.0.0.1\n");
  std::string reverseProviders(kHeader);
  std::string reverseLoopback(kHeader);  // --smtp: 127.in-addr.arpa
  for (int k = 1; k <= kProviders; ++k) {
    const auto hostIp = [&](int h) { return smtp ? loopbackProviderIp(k, h) : providerIp(k, h); };
    std::string z(kHeader);
    for (int h = 1; h <= 3; ++h) {
      const std::string mxHost = "mx" + std::to_string(h) + "." + provider(k);
      z += "mx" + std::to_string(h) + " A " + hostIp(h) + "\n";
      if (smtp) {
        reverseLoopback += loopbackPtrOwner(hostIp(h)) + " PTR " + mxHost + ".\n";
        // Domains use mx1 and mx2; mx3 is published but no MX points at it.
        if (h <= 2)
          lab.transport.smtp_hosts.push_back(
              {mxHost, hostIp(h), k == 4 ? SmtpBehaviour::LegacyTls : SmtpBehaviour::Modern,
               k != 4});
      } else {
        reverseProviders += std::to_string(k * 20 + h) + " PTR " + mxHost + ".\n";
      }
    }
    // Big providers nest their netblocks one level deeper, as real ones do.
    if (k <= 2)
      z += "_spf TXT \"v=spf1 include:_netblocks." + provider(k) +
           " ~all\"\n_netblocks TXT \"v=spf1 ip4:" + hostIp(0) + "/28 ip4:203.0.113." +
           std::to_string(k * 16) + "/28 ~all\"\n";
    else
      z += "_spf TXT \"v=spf1 ip4:" + hostIp(0) + "/28 ~all\"\n";
    // Domains sending DMARC reports to the provider's address authorise it (RFC 7489 §7.1).
    z += "*._report._dmarc TXT \"v=DMARC1\"\n";
    if (k == 1)
      for (int c = 1; c <= kChainLength; ++c)
        z +=
            "chain" + std::to_string(c) + " TXT \"v=spf1 ip4:198.51.100." +
            std::to_string(200 + c) +
            (c < kChainLength ? " include:chain" + std::to_string(c + 1) + "." + provider(1) : "") +
            " ~all\"\n";
    w.write(provider(k), z);
  }
  if (!smtp) w.write("100.51.198.in-addr.arpa", reverseProviders);

  std::string reverse172(kHeader);
  const std::vector<std::string> partialDefects = {
      "softfail",   "dmarc-none", "no-dmarc", "no-dkim",      "weak-dkim",
      "no-mta-sts", "no-tlsrpt",  "no-ptr",   "dmarc-no-rua", "dmarc-quarantine"};
  const std::vector<std::string> brokenDefects = {
      "dangling-mx",     "spf-syntax", "too-many-lookups", "multiple-spf",
      "include-missing", "plus-all",   "dmarc-multiple",   "dmarc-syntax"};
  // A domain's web address. --smtp: in 127.16/13 too, where nothing listens, because a domain
  // without MX gets its A record probed as the implicit MX (RFC 5321 §5.1): the bench must never
  // send a packet off this machine.
  const auto webIp = [&](std::size_t i) { return smtp ? loopbackIp(16, i) : ipv4(16, i); };
  auto pickMail = [&](std::size_t i) {
    MailSetup m;
    if (rng() % 100 < 70) {
      int r = int(rng() % 100);
      for (int k = 0; k < kProviders; ++k)
        if ((r -= kProviderWeights[k]) < 0) {
          m.provider = k + 1;
          break;
        }
    }
    m.web_address = webIp(i);
    m.mx_address = smtp ? loopbackIp(24, i) : ipv4(24, i);
    m.mta_sts_address = webIp(i);
    return m;
  };

  lab.domains.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    LabDomain d;
    d.kind = kinds[i];
    char name[64];
    std::snprintf(name, sizeof name, "%s-%05zu.lab.test", std::string(toString(d.kind)).c_str(), i);
    d.name = name;
    std::vector<std::string> defects;
    MailSetup m = pickMail(i);
    switch (d.kind) {
      case Kind::Good:
      case Kind::Dead:  // served like a good domain, but the forwarder drops its queries
        break;
      case Kind::Partial:
        defects = pickDefects(partialDefects, 1 + int(rng() % 3), rng);
        break;
      case Kind::Broken:
        defects = pickDefects(brokenDefects, 1, rng);
        if (defects[0] == "dangling-mx") m.provider = 0;
        break;
      default:
        break;
    }
    const auto has = [&](std::string_view x) {
      return std::find(defects.begin(), defects.end(), x) != defects.end();
    };
    if (has("no-ptr")) {
      m.ptr = false;
      m.provider = 0;
    }
    switch (d.kind) {
      case Kind::Good:
      case Kind::Partial:
      case Kind::Broken:
      case Kind::Dead:
        d.variant = (m.provider ? "provider" + std::to_string(m.provider) : std::string("self")) +
                    (defects.empty() ? "" : "+" + join(defects));
        if (smtp) {
          // The transport draws, always two per mail domain so that one domain's draws never
          // depend on another's defects.
          const SmtpBehaviour behaviour = pickBehaviour(d.kind, int(transportRng() % 100));
          const StsServing sts = pickSts(d.kind, int(transportRng() % 100));
          if (m.provider) {
            d.transport = "provider" + std::to_string(m.provider);
          } else if (has("dangling-mx")) {
            d.transport = "no-address";
          } else {
            d.transport = std::string(toString(behaviour));
            lab.transport.smtp_hosts.push_back({"mx." + d.name, m.mx_address, behaviour,
                                                d.kind == Kind::Good || d.kind == Kind::Dead});
            if (m.ptr)
              reverseLoopback += loopbackPtrOwner(m.mx_address) + " PTR mx." + d.name + ".\n";
          }
          if (!has("no-mta-sts")) {
            d.sts = std::string(toString(sts));
            m.mta_sts_address =
                std::string(sts == StsServing::Unreachable ? kHttpsDeadAddress : kHttpsAddress);
            if (sts == StsServing::Enforce || sts == StsServing::Testing)
              lab.transport.policies.emplace("mta-sts." + d.name,
                                             policyBody(sts, d.name, m.provider));
          }
        }
        w.write(d.name, mailZone(d.name, i, m, defects, rng));
        if (!smtp && !m.provider && m.ptr)
          reverse172 += ptrOwner(24, i) + " PTR mx." + d.name + ".\n";
        break;
      case Kind::NoMail:
        d.variant = "web-only";
        w.write(d.name, std::string(kHeader) + "@ A " + webIp(i) + "\nwww CNAME @\n");
        break;
      case Kind::Parked:
        d.variant = "null-mx";
        w.write(d.name, std::string(kHeader) +
                            "@ MX 0 .\n@ TXT \"v=spf1 -all\"\n_dmarc TXT \"v=DMARC1; p=reject\"\n");
        break;
      case Kind::Gone:
        d.variant = "nxdomain";
        break;
      case Kind::ServFail:
        d.variant = "zone-fails-to-load";
        w.write(d.name, std::string(kHeader) + "@ MX 10 this is not a valid record\n", true);
        break;
    }
    lab.domains.push_back(std::move(d));
  }
  if (smtp)
    w.write("127.in-addr.arpa", reverseLoopback);
  else
    w.write("172.in-addr.arpa", reverse172);
  return lab;
}

}  // namespace mh::bench
