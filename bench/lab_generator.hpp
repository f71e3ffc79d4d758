// Generates the synthetic national lab: N agency domains with a realistic mix, as knotd zone files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mh::bench {

// What a generated domain is meant to be (its name starts with the kind: "good-00042.lab.test").
enum class Kind { Good, Partial, Broken, NoMail, Parked, Gone, ServFail, Dead };
inline constexpr int kKindCount = 8;
std::string_view toString(Kind k);

// What the bench SMTP server does on one MX address of the --smtp lab.
enum class SmtpBehaviour : std::uint8_t {
  Modern,      // STARTTLS, TLS 1.2-1.3 only, a valid certificate for the MX name
  LegacyTls,   // also TLS 1.0/1.1, CBC-SHA1 and static-RSA suites (old Zimbra/Exchange)
  NoStartTls,  // EHLO does not offer STARTTLS
  Expired,     // TLS 1.2-1.3, certificate from the lab CA that expired 10 days ago
  SelfSigned,  // TLS 1.2-1.3, self-signed certificate for the MX name
  WrongName,   // TLS 1.2-1.3, lab-CA certificate for www.<domain> instead of the MX name
  Busy,        // greeting "421 busy, try again later" (a server at its connection limit)
  NoListener,  // nothing listens on the address: connection refused
  Silent,      // accepts and never greets (a tarpit, a hung server): the greeting timeout runs out
};
inline constexpr int kSmtpBehaviourCount = 9;
std::string_view toString(SmtpBehaviour b);

// How mta-sts.<domain> answers in the --smtp lab (domains that publish an _mta-sts record).
enum class StsServing : std::uint8_t {
  Enforce,      // a valid policy in enforce mode whose mx lines cover the domain's MX hosts
  Testing,      // the same in testing mode
  NotFound,     // the web server answers 404 for the policy
  Unreachable,  // mta-sts.<domain> points at an address where nothing listens (refused)
};
inline constexpr int kStsServingCount = 4;
std::string_view toString(StsServing s);

struct LabDomain {
  std::string name;
  Kind kind = Kind::Good;
  std::string variant;  // e.g. "softfail+no-dkim", "dangling-mx"
  // --smtp lab only (empty otherwise): the transport of its MX ("provider1", a SmtpBehaviour
  // name for self-hosted MX, "no-address" for a dangling MX) and of its MTA-STS policy host
  // (a StsServing name, or "" when no _mta-sts record is published).
  std::string transport;
  std::string sts;
};

// One MX address of the --smtp lab and what its SMTP server does there.
struct LabSmtpHost {
  std::string host;     // the MX host name: "mx.partial-00042.lab.test", "mx1.mailprov1.lab.test"
  std::string address;  // in 127.0.0.0/8
  SmtpBehaviour behaviour = SmtpBehaviour::Modern;
  bool ecdsa = false;  // the certificate has an ECDSA P-256 key (else RSA 2048)
};

// The transport side of the --smtp lab: what the bench SMTP + HTTPS server must serve.
struct LabTransport {
  std::vector<LabSmtpHost> smtp_hosts;  // every MX address published (NoListener included)
  std::string https_address;            // mta-sts.<domain> of Enforce, Testing and NotFound
  std::string https_dead_address;       // mta-sts.<domain> of Unreachable: nothing listens
  // "mta-sts.<domain>" -> the policy body served at /.well-known/mta-sts.txt (others get 404).
  std::unordered_map<std::string, std::string> policies;
};

struct LabZoneFile {
  std::string zone;  // "good-00042.lab.test", "." for the root
  std::filesystem::path file;
  bool broken = false;  // knotd fails to load it and answers SERVFAIL
};

struct NationalLab {
  std::vector<LabDomain> domains;  // in audit order (shuffled kinds)
  std::vector<LabZoneFile> zones;  // every zone knotd serves
  LabTransport transport;          // --smtp lab only (empty otherwise)
};

// The label prefix of domains whose queries the forwarder drops (a nameserver that never answers).
inline constexpr std::string_view kDeadPrefix = "dead-";

// Writes every zone file into `dir` and returns the lab. Deterministic for a given (n, seed).
// The mix (of N): good 18 %, partial 42 %, broken 14 %, no mail 10 %, parked 5 %, gone
// (NXDOMAIN) 8 %, SERVFAIL 2 %, dead (queries time out) 1 %; 5 shared mail providers host the MX
// and SPF of about 70 % of the mail domains.
//
// smtp = false (the DNS-only lab): MX addresses in 172.24/13 and 198.51.100.0/24 (nobody
// connects), byte for byte the zones the DNS-only figures were measured with.
//
// smtp = true (the --smtp lab): the same domains, kinds and DNS defects (the same random draws),
// but every address is in 127.0.0.0/8, where the bench SMTP + HTTPS server answers (web sites at
// 127.16.x.y, where nothing listens: a domain without MX has its A record probed as the implicit
// MX and is refused); PTRs are in 127.in-addr.arpa (HYG-01 sees them; "no-ptr" keeps none).
// Provider MX hosts mx1/mx2.mailprov<k> are at 127.100.k.1-2; providers 1, 2, 3 and 5 are
// Modern with an ECDSA certificate, provider 4 (a local ISP) is LegacyTls with RSA 2048.
// Self-hosted MX (mx.<domain>) are at 127.24.x.y, RSA 2048 certificates, and behave by kind
// (drawn from a second random stream, so the DNS draws stay those of the DNS-only lab):
//   good and dead: Modern (ECDSA certificate)
//   partial:  LegacyTls 45 %, Modern 25 %, SelfSigned 10 %, Expired 8 %, WrongName 8 %, Busy 4 %
//   broken:   LegacyTls 25 %, NoStartTls 20 %, NoListener 15 %, Expired 10 %, SelfSigned 10 %,
//             WrongName 10 %, Busy 5 %, Silent 5 %   (a dangling MX has no address at all)
// MTA-STS, for domains publishing an _mta-sts record: good and dead Enforce; partial and broken
// Enforce 35 %, Testing 40 %, NotFound 10 %, Unreachable 15 %. Served policies have max_age
// 604800 and mx lines for the domain's MX hosts ("*.mailprov<k>.lab.test" for providers).
NationalLab generateLab(std::size_t n, std::uint32_t seed, const std::filesystem::path& dir,
                        bool smtp = false);

}  // namespace mh::bench
