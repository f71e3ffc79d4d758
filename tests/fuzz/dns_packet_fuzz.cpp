// Fuzz target: a DNS response from the network (ldns_wire2pkt on arbitrary bytes) interpreted by
// answerFromPacket, as the resolver does with hostile replies, must not crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "checks/dns/dns_types.hpp"
#include "checks/dns/ldns_convert.hpp"
#include "checks/dns/ldns_ptr.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, data, size) != LDNS_STATUS_OK || raw == nullptr) return 0;
  mh::dns::LdnsPktPtr pkt(raw);
  // The question the resolver asked: taken from the packet when it has one, else a fixed name.
  std::string qname = "fuzz.test.";
  std::uint16_t qtype = mh::dns::rr::TXT;
  if (const ldns_rr_list* q = ldns_pkt_question(pkt.get()); q && ldns_rr_list_rr_count(q) > 0) {
    const ldns_rr* rr = ldns_rr_list_rr(q, 0);
    if (char* s = ldns_rdf2str(ldns_rr_owner(rr))) {
      qname = s;
      std::free(s);
    }
    qtype = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
  }
  for (std::uint16_t t : {qtype, mh::dns::rr::TXT, mh::dns::rr::MX, mh::dns::rr::CNAME}) {
    auto answer = mh::dns::answerFromPacket(pkt.get(), qname, t);
    (void)mh::dns::toJson(answer).dump();
    for (const auto& r : answer.records) (void)r.joinedText();
  }
  return 0;
}
