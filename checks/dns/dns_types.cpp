// Names, validation and evidence form of DNS answers.
#include "checks/dns/dns_types.hpp"

#include <algorithm>

namespace mh::dns {

std::string typeName(std::uint16_t type) {
  switch (type) {
    case rr::A: return "A";
    case rr::NS: return "NS";
    case rr::CNAME: return "CNAME";
    case rr::SOA: return "SOA";
    case rr::PTR: return "PTR";
    case rr::MX: return "MX";
    case rr::TXT: return "TXT";
    case rr::AAAA: return "AAAA";
    case rr::SRV: return "SRV";
    case rr::DS: return "DS";
    case rr::RRSIG: return "RRSIG";
    case rr::DNSKEY: return "DNSKEY";
    case rr::TLSA: return "TLSA";
    case rr::SPF: return "SPF";
    case rr::CAA: return "CAA";
    default: return "TYPE" + std::to_string(type);
  }
}

std::string_view toString(DnsStatus s) {
  switch (s) {
    case DnsStatus::NoError: return "NOERROR";
    case DnsStatus::NoData: return "NODATA";
    case DnsStatus::NxDomain: return "NXDOMAIN";
    case DnsStatus::ServFail: return "SERVFAIL";
    case DnsStatus::Refused: return "REFUSED";
    case DnsStatus::Timeout: return "TIMEOUT";
    case DnsStatus::NetworkError: return "NETWORK_ERROR";
    case DnsStatus::OtherError: return "OTHER_ERROR";
    case DnsStatus::InvalidName: return "INVALID_NAME";
  }
  return "OTHER_ERROR";
}

std::string DnsRecord::joinedText() const {
  std::string out;
  for (const auto& s : strings) out += s;
  return out;
}

std::string normaliseName(std::string_view name) {
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  if (out.size() > 1 && out.back() == '.') out.pop_back();
  return out;
}

bool isValidDnsName(std::string_view name) {
  if (name == ".") return true;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    std::size_t len = (dot == std::string_view::npos ? name.size() : dot) - start;
    if (len == 0 || len > 63) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

Json toJson(const DnsAnswer& answer) {
  Json out = Json::object({{"query", answer.qname + " " + typeName(answer.qtype)},
                           {"status", std::string(toString(answer.status))}});
  if (answer.authenticated) out.set("ad", true);
  if (!answer.cnames.empty()) {
    Json chain = Json::array();
    for (const auto& c : answer.cnames) chain.push(c.presentation);
    out.set("cnames", chain);
  }
  if (!answer.records.empty()) {
    Json recs = Json::array();
    for (const auto& r : answer.records) recs.push(r.presentation);
    out.set("records", recs);
  }
  if (!answer.error.empty()) out.set("error", answer.error);
  if (!answer.server.empty()) out.set("server", answer.server);
  return out;
}

}  // namespace mh::dns
