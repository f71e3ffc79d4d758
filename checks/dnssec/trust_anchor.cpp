// Trust-anchor file loading with ldns's zone-file reader (RFC 4033 §3.1).
#include "checks/dnssec/trust_anchor.hpp"

#include <cstdio>
#include <memory>

#include "checks/dns/ldns_convert.hpp"
#include "checks/dns/ldns_ptr.hpp"

namespace mh::dnssec {

namespace {

struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileClose>;

constexpr std::uint16_t kSepFlag = 0x0001;
constexpr std::uint16_t kZoneFlag = 0x0100;

// The reader's $ORIGIN and previous-owner state, owned.
struct ReaderNames {
  ldns_rdf* origin = nullptr;
  ldns_rdf* prev = nullptr;
  ~ReaderNames() {
    dns::LdnsRdfPtr o(origin);
    dns::LdnsRdfPtr p(prev);
  }
};

bool readAnchors(FILE* fp, const std::string& source, std::vector<dns::DnsRecord>& out,
                 std::string& error) {
  std::uint32_t ttl = 3600;
  ReaderNames names;
  int line = 1;
  while (!std::feof(fp)) {
    ldns_rr* raw = nullptr;
    const ldns_status st = ldns_rr_new_frm_fp_l(&raw, fp, &ttl, &names.origin, &names.prev, &line);
    dns::LdnsRrPtr rr(raw);
    if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
        st == LDNS_STATUS_SYNTAX_ORIGIN || st == LDNS_STATUS_SYNTAX_INCLUDE)
      continue;
    if (st != LDNS_STATUS_OK || !rr) {
      if (std::feof(fp) && st == LDNS_STATUS_SYNTAX_ERR) break;  // trailing whitespace
      error = source + ":" + std::to_string(line) + ": " + ldns_get_errorstr_by_id(st);
      return false;
    }
    const ldns_rr_type t = ldns_rr_get_type(rr.get());
    if (t == LDNS_RR_TYPE_DNSKEY) {
      const std::uint16_t flags = ldns_rdf2native_int16(ldns_rr_rdf(rr.get(), 0));
      if ((flags & kZoneFlag) == 0 || (flags & kSepFlag) == 0) continue;  // not a KSK
      out.push_back(dns::recordFromLdns(rr.get()));
    } else if (t == LDNS_RR_TYPE_DS) {
      out.push_back(dns::recordFromLdns(rr.get()));
    }
  }
  if (out.empty()) {
    error = source + ": no DS or key-signing DNSKEY record";
    return false;
  }
  return true;
}

}  // namespace

bool isSubdomain(std::string_view name, std::string_view zone) {
  if (zone == ".") return true;
  if (name == zone) return true;
  return name.size() > zone.size() && name.ends_with(zone) &&
         name[name.size() - zone.size() - 1] == '.';
}

std::optional<TrustAnchors> TrustAnchors::load(const std::string& path, std::string& error) {
  FilePtr fp(std::fopen(path.c_str(), "r"));
  if (!fp) {
    error = path + ": cannot open trust-anchor file";
    return std::nullopt;
  }
  TrustAnchors result;
  if (!readAnchors(fp.get(), path, result.records_, error)) return std::nullopt;
  result.source_ = path;
  return result;
}

std::optional<TrustAnchors> TrustAnchors::parse(std::string_view text, std::string& error) {
  std::string copy(text);
  copy += '\n';
  FilePtr fp(fmemopen(copy.data(), copy.size(), "r"));
  if (!fp) {
    error = "cannot read trust-anchor text";
    return std::nullopt;
  }
  TrustAnchors result;
  if (!readAnchors(fp.get(), "<text>", result.records_, error)) return std::nullopt;
  result.source_ = "<text>";
  return result;
}

std::vector<dns::DnsRecord> TrustAnchors::forZone(std::string_view zone) const {
  std::vector<dns::DnsRecord> out;
  for (const auto& r : records_)
    if (r.owner == zone) out.push_back(r);
  return out;
}

std::optional<std::string> TrustAnchors::closestZone(std::string_view name) const {
  std::optional<std::string> best;
  for (const auto& r : records_) {
    if (!isSubdomain(name, r.owner)) continue;
    if (!best || (r.owner != "." && (*best == "." || r.owner.size() > best->size())))
      best = r.owner;
  }
  return best;
}

}  // namespace mh::dnssec
