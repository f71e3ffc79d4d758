// The DNS lab: a real knotd serving tests/lab/zones on a free loopback port, plus dead servers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "checks/dns/ldns_resolver.hpp"

namespace mh::lab {

// tests/lab in the source tree (MH_LAB_DIR), and its zones/ folder.
std::filesystem::path labDir();
std::filesystem::path zoneDir();

// The zones of a folder: every `<zone>.zone` file serves <zone>; `root.zone` serves ".".
// Zones named `servfail.*` are broken on purpose (knotd fails to load them and answers
// SERVFAIL); zones named `notauth.*` are served behind a query ACL that lets nobody in (knotd
// answers NOTAUTH). Neither answers its SOA, so readiness does not wait for them.
struct LabZone {
  std::string name;  // "good.lab.test", "." for the root
  std::filesystem::path file;
  bool broken = false;  // servfail.* or notauth.*: never answers NOERROR
};
std::vector<LabZone> zonesIn(const std::filesystem::path& dir);

struct KnotLabOptions {
  std::filesystem::path zone_dir = zoneDir();
  // When non-empty, only these zones are served (e.g. one zone, to get REFUSED for the rest).
  std::vector<std::string> only_zones;
  std::chrono::milliseconds start_timeout{10000};

  // DNSSEC (issue 3). Zone-file lines appended to a served zone before signing (e.g. a TLSA
  // record whose hash a test computed at run time).
  std::map<std::string, std::vector<std::string>> extra_records;
  // Zones signed at start with ldns-keygen + ldns-signzone (one ECDSAP256SHA256 KSK per zone,
  // which also signs as ZSK), children before parents. When non-empty, every served zone also
  // gets an NS delegation (and a DS when signed) in its closest served ancestor zone, so the
  // chain root -> lab.test -> scenario is real; trustAnchorFile() then holds the root's DS.
  std::vector<std::string> signed_zones;
  std::vector<std::string> wrong_ds_zones;  // signed, but the parent publishes another key's DS
  std::vector<std::string> expired_zones;   // signed with RRSIGs that expired on 2020-01-01
  // Signed with NSEC3 instead of NSEC (RFC 5155; SHA-1, no salt, 0 extra iterations as RFC 9276
  // recommends); nsec3_opt_out_zones also set the opt-out flag (RFC 5155 §6).
  std::vector<std::string> nsec3_zones;
  std::vector<std::string> nsec3_opt_out_zones;
};

// knotd in the foreground as a child process, listening on 127.0.0.1 and ::1 (same port).
// The constructor returns once every zone that should load answers its SOA; it throws
// std::runtime_error (with knotd's log) when knotd is missing or does not come up. The
// destructor stops knotd with SIGTERM and removes the temp dir. knotd also gets SIGKILL if the
// test process dies (PR_SET_PDEATHSIG), so no server outlives a crashed test.
class KnotLab {
 public:
  explicit KnotLab(KnotLabOptions options = {});
  ~KnotLab();
  KnotLab(const KnotLab&) = delete;
  KnotLab& operator=(const KnotLab&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1"; }
  std::string address6() const { return "::1"; }
  bool hasIpv6() const { return ipv6_; }
  dns::NameserverAddress nameserver() const { return {address(), port_}; }
  dns::NameserverAddress nameserver6() const { return {address6(), port_}; }

  // Options pointed at this lab: short timeout (1 s), one retry; EDNS/DO as in production.
  dns::LdnsResolverOptions resolverOptions() const;
  // A fresh resolver over resolverOptions(); one per thread.
  std::unique_ptr<dns::LdnsResolver> makeResolver() const;

  const std::vector<LabZone>& zones() const { return zones_; }
  // The DS of the signed root zone (a trust-anchor file); empty when the root is not signed.
  const std::filesystem::path& trustAnchorFile() const { return trust_anchor_; }
  // knotd's stderr so far (for failure messages).
  std::string log() const;

 private:
  // On failure `why` says what happened; `retry` is set when another port may work.
  bool tryStart(std::uint16_t port, std::string& why, bool& retry);
  // Judges the log written from `logOffset` on: the log is appended to by every attempt.
  bool waitReady(std::size_t logOffset, std::string& why, bool& retry);
  // Writes the served zones to dir_/zones with delegations, extra records and signatures.
  void prepareZones();
  void stop();

  KnotLabOptions options_;
  std::vector<LabZone> zones_;
  std::filesystem::path dir_;
  std::filesystem::path trust_anchor_;
  std::uint16_t port_ = 0;
  bool ipv6_ = false;
  pid_t pid_ = -1;
};

// The lab shared by every test of the process: started on first use, stopped at the end of the
// test program. Throws std::runtime_error when knotd cannot be started (tests then FAIL).
KnotLab& sharedLab();

// A loopback DNS "server" that never answers: UDP bound, TCP listening but never accepting.
// Queries to it end in Timeout.
class BlackHole {
 public:
  BlackHole();
  ~BlackHole();
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;

  std::uint16_t port() const { return port_; }
  dns::NameserverAddress nameserver() const { return {"127.0.0.1", port_}; }

 private:
  int udp_ = -1;
  int tcp_ = -1;
  std::uint16_t port_ = 0;
};

// A loopback UDP "server" that answers every query wrongly, for the OtherError paths.
class BadServer {
 public:
  enum class Reply {
    Garbage,  // our ID, QR set, then bytes that do not parse
    WrongId,  // a well-formed copy of the query with QR set but another ID
  };
  explicit BadServer(Reply reply);
  ~BadServer();
  BadServer(const BadServer&) = delete;
  BadServer& operator=(const BadServer&) = delete;

  dns::NameserverAddress nameserver() const { return {"127.0.0.1", port_}; }

 private:
  void serve();

  Reply reply_;
  int udp_ = -1;
  int stop_[2] = {-1, -1};  // a pipe: writing to it ends serve()
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// A loopback UDP port with nothing bound to it: queries get ICMP port unreachable
// (NetworkError). Racy in theory (another process may bind it), fine on a test machine.
dns::NameserverAddress closedPort();

}  // namespace mh::lab
