// ldns packet and RR conversion (the one place that reads ldns rdata fields).
#include "checks/dns/ldns_convert.hpp"

#include <cstdlib>

#include "checks/dns/ldns_ptr.hpp"

namespace mh::dns {

namespace {

std::string ownedString(char* s) {
  if (s == nullptr) return {};
  std::string out(s);
  std::free(s);
  return out;
}

std::string rdfText(const ldns_rdf* rdf) { return rdf ? ownedString(ldns_rdf2str(rdf)) : ""; }

std::string trimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

}  // namespace

DnsRecord recordFromLdns(const ldns_rr* rr) {
  DnsRecord rec;
  rec.owner = normaliseName(rdfText(ldns_rr_owner(rr)));
  rec.type = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
  rec.ttl = ldns_rr_ttl(rr);
  rec.presentation = trimRight(ownedString(ldns_rr2str(rr)));
  const std::size_t count = ldns_rr_rd_count(rr);
  switch (rec.type) {
    case rr::A:
    case rr::AAAA:
      if (count >= 1) rec.data = rdfText(ldns_rr_rdf(rr, 0));
      break;
    case rr::CNAME:
    case rr::PTR:
    case rr::NS:
      if (count >= 1) rec.data = normaliseName(rdfText(ldns_rr_rdf(rr, 0)));
      break;
    case rr::MX:
      if (count >= 2) {
        rec.preference = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
        rec.data = normaliseName(rdfText(ldns_rr_rdf(rr, 1)));
      }
      break;
    case rr::TXT:
    case rr::SPF:
      for (std::size_t i = 0; i < count; ++i) {
        const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
        const std::uint8_t* data = ldns_rdf_data(rdf);
        const std::size_t size = ldns_rdf_size(rdf);
        if (size == 0) continue;
        std::size_t len = data[0];
        if (len + 1 > size) len = size - 1;  // never read past the rdf
        rec.strings.emplace_back(reinterpret_cast<const char*>(data + 1), len);
      }
      rec.data = rec.joinedText();
      break;
    default: {
      std::string text;
      for (std::size_t i = 0; i < count; ++i) {
        if (i) text += ' ';
        text += rdfText(ldns_rr_rdf(rr, i));
      }
      rec.data = text;
    }
  }
  return rec;
}

std::optional<DnsRecord> parseRecord(std::string_view zoneLine, std::string_view origin,
                                     std::uint32_t defaultTtl) {
  std::string line(zoneLine);
  LdnsRdfPtr originRdf;
  if (!origin.empty()) {
    std::string o(origin);
    if (o.back() != '.') o += '.';
    originRdf.reset(ldns_dname_new_frm_str(o.c_str()));
  }
  ldns_rr* raw = nullptr;
  ldns_status st = ldns_rr_new_frm_str(&raw, line.c_str(), defaultTtl, originRdf.get(), nullptr);
  LdnsRrPtr rr(raw);
  if (st != LDNS_STATUS_OK || !rr) return std::nullopt;
  return recordFromLdns(rr.get());
}

DnsAnswer answerFromPacket(const ldns_pkt* pkt, std::string_view qname, std::uint16_t qtype) {
  DnsAnswer answer;
  answer.qname = normaliseName(qname);
  answer.qtype = qtype;
  answer.rcode = static_cast<int>(ldns_pkt_get_rcode(pkt));
  answer.authenticated = ldns_pkt_ad(pkt);

  // Negative TTL (RFC 2308 §5): min(SOA TTL, SOA MINIMUM) from the authority section.
  if (const ldns_rr_list* auth = ldns_pkt_authority(pkt)) {
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(auth); ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(auth, i);
      if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 7) {
        std::uint32_t minimum = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
        answer.negative_ttl = std::min(minimum, ldns_rr_ttl(rr));
      }
    }
  }

  // Denial material of a negative answer (RFC 4035 §3.1.3): kept for NXDOMAIN and NODATA only.
  std::vector<DnsRecord> authorityDnssec;
  if (const ldns_rr_list* auth = ldns_pkt_authority(pkt)) {
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(auth); ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(auth, i);
      const ldns_rr_type t = ldns_rr_get_type(rr);
      if (t == LDNS_RR_TYPE_SOA || t == LDNS_RR_TYPE_NSEC || t == LDNS_RR_TYPE_NSEC3 ||
          t == LDNS_RR_TYPE_RRSIG)
        authorityDnssec.push_back(recordFromLdns(rr));
    }
  }

  switch (ldns_pkt_get_rcode(pkt)) {
    case LDNS_RCODE_NOERROR: break;
    case LDNS_RCODE_NXDOMAIN:
      answer.status = DnsStatus::NxDomain;
      answer.denial = std::move(authorityDnssec);
      return answer;
    case LDNS_RCODE_SERVFAIL: answer.status = DnsStatus::ServFail; return answer;
    case LDNS_RCODE_REFUSED: answer.status = DnsStatus::Refused; return answer;
    default:
      answer.status = DnsStatus::OtherError;
      answer.error = "rcode " + std::to_string(answer.rcode);
      return answer;
  }

  // Follow the CNAME chain inside the answer section (bounded: at most one hop per RR).
  const ldns_rr_list* ans = ldns_pkt_answer(pkt);
  const std::size_t n = ans ? ldns_rr_list_rr_count(ans) : 0;
  std::vector<DnsRecord> all;
  all.reserve(n);
  for (std::size_t i = 0; i < n; ++i) all.push_back(recordFromLdns(ldns_rr_list_rr(ans, i)));

  std::string current = answer.qname;
  for (std::size_t hops = 0; hops <= n; ++hops) {
    bool followed = false;
    if (qtype != rr::CNAME) {
      for (const auto& r : all) {
        if (r.type == rr::CNAME && r.owner == current) {
          answer.cnames.push_back(r);
          current = r.data;
          followed = true;
          break;
        }
      }
    }
    if (!followed) break;
  }
  for (const auto& r : all)
    if (r.type == qtype && r.owner == current) answer.records.push_back(r);
  answer.status = answer.records.empty() ? DnsStatus::NoData : DnsStatus::NoError;

  // RRSIGs over the chain's RRsets (RFC 4035 §3.1.1): owner qname, a CNAME target, or `current`.
  if (qtype != rr::RRSIG) {
    auto onChain = [&](const std::string& owner) {
      if (owner == answer.qname || owner == current) return true;
      for (const auto& c : answer.cnames)
        if (c.data == owner) return true;
      return false;
    };
    for (const auto& r : all)
      if (r.type == rr::RRSIG && onChain(r.owner)) answer.signatures.push_back(r);
  }
  if (answer.status == DnsStatus::NoData) answer.denial = std::move(authorityDnssec);
  return answer;
}

}  // namespace mh::dns
