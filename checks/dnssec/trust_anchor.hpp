// DNSSEC trust anchors (RFC 4033 §3.1, RFC 4035 §5): DS or DNSKEY records read from a file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/dns/dns_types.hpp"

namespace mh::dnssec {

// Debian's dns-root-data: the root zone's KSK as DNSKEY records.
inline constexpr std::string_view kDefaultTrustAnchorFile = "/usr/share/dns/root.key";

// The configured trust anchors: DS and/or DNSKEY records in zone-file syntax (comments, blank
// lines, $ORIGIN/$TTL and parentheses allowed, as in root.key, root.ds or an Unbound
// auto-trust-anchor file). Other record types are ignored; a file without any DS or DNSKEY is
// an error. A DNSKEY anchor must have the SEP/zone-key flags of a key-signing key to count.
class TrustAnchors {
 public:
  static std::optional<TrustAnchors> load(const std::string& path, std::string& error);
  static std::optional<TrustAnchors> parse(std::string_view text, std::string& error);

  // The DS and DNSKEY anchor records (owners normalised, presentation complete).
  const std::vector<dns::DnsRecord>& records() const { return records_; }
  // The anchor records of exactly this zone (normalised name, "." for the root).
  std::vector<dns::DnsRecord> forZone(std::string_view zone) const;
  // The deepest anchored zone that is `name` or an ancestor of it; nullopt when none.
  std::optional<std::string> closestZone(std::string_view name) const;
  // Where the anchors came from ("<text>" for parse).
  const std::string& source() const { return source_; }

 private:
  std::vector<dns::DnsRecord> records_;
  std::string source_;
};

// True when `name` equals `zone` or lies below it (normalised names; "." contains everything).
bool isSubdomain(std::string_view name, std::string_view zone);

}  // namespace mh::dnssec
