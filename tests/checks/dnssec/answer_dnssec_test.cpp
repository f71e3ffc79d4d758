// DnsAnswer carries the RRSIGs of the answer and the NSEC/NSEC3 denial of a negative answer
// (additive).
#include <gtest/gtest.h>

#include "checks/dns/ldns_convert.hpp"
#include "checks/dns/ldns_ptr.hpp"

namespace mh::dns {
namespace {

void push(ldns_pkt* pkt, ldns_pkt_section section, const char* line) {
  ldns_rr* rr = nullptr;
  ASSERT_EQ(ldns_rr_new_frm_str(&rr, line, 300, nullptr, nullptr), LDNS_STATUS_OK) << line;
  ldns_pkt_push_rr(pkt, section, rr);
}

constexpr const char* kSig =
    "20260131000000 20251231000000 29483 example. "
    "S4OY05VB0zmBK4PE0XCloMdwUFSC8Rt1nU8VhBi4dSztsR7d9ZAWVWybuxeswE08aLt+k+aOPFYWc9b/pCgrBw==";

TEST(AnswerDnssec, SignaturesOfTheChainAreKept) {
  LdnsPktPtr pkt(ldns_pkt_new());
  ldns_pkt_set_rcode(pkt.get(), LDNS_RCODE_NOERROR);
  push(pkt.get(), LDNS_SECTION_ANSWER, "www.example. 300 IN CNAME host.example.");
  push(pkt.get(), LDNS_SECTION_ANSWER,
       (std::string("www.example. 300 IN RRSIG CNAME 13 2 300 ") + kSig).c_str());
  push(pkt.get(), LDNS_SECTION_ANSWER, "host.example. 300 IN A 192.0.2.1");
  push(pkt.get(), LDNS_SECTION_ANSWER,
       (std::string("host.example. 300 IN RRSIG A 13 2 300 ") + kSig).c_str());
  push(pkt.get(), LDNS_SECTION_ANSWER,
       (std::string("other.example. 300 IN RRSIG A 13 2 300 ") + kSig).c_str());
  const DnsAnswer a = answerFromPacket(pkt.get(), "www.example", rr::A);
  EXPECT_EQ(a.status, DnsStatus::NoError);
  ASSERT_EQ(a.records.size(), 1u);
  ASSERT_EQ(a.signatures.size(), 2u);
  EXPECT_EQ(a.signatures[0].data.rfind("CNAME ", 0), 0u);
  EXPECT_EQ(a.signatures[1].owner, "host.example");
  EXPECT_TRUE(a.denial.empty());
  // The presentation rebuilds the RR.
  ldns_rr* raw = nullptr;
  EXPECT_EQ(ldns_rr_new_frm_str(&raw, a.signatures[1].presentation.c_str(), 0, nullptr, nullptr),
            LDNS_STATUS_OK);
  LdnsRrPtr rebuilt(raw);
}

TEST(AnswerDnssec, NegativeAnswersKeepTheDenial) {
  for (auto rcode : {LDNS_RCODE_NOERROR, LDNS_RCODE_NXDOMAIN}) {
    LdnsPktPtr pkt(ldns_pkt_new());
    ldns_pkt_set_rcode(pkt.get(), rcode);
    push(pkt.get(), LDNS_SECTION_AUTHORITY,
         "example. 300 IN SOA ns.example. h.example. 1 3600 600 86400 300");
    push(pkt.get(), LDNS_SECTION_AUTHORITY,
         (std::string("example. 300 IN RRSIG SOA 13 1 300 ") + kSig).c_str());
    push(pkt.get(), LDNS_SECTION_AUTHORITY, "a.example. 300 IN NSEC c.example. A RRSIG NSEC");
    push(pkt.get(), LDNS_SECTION_AUTHORITY,
         (std::string("a.example. 300 IN RRSIG NSEC 13 2 300 ") + kSig).c_str());
    push(pkt.get(), LDNS_SECTION_AUTHORITY, "example. 300 IN NS ns.example.");
    const DnsAnswer a = answerFromPacket(pkt.get(), "b.example", rr::TXT);
    EXPECT_EQ(a.denial.size(), 4u);
    EXPECT_EQ(a.negative_ttl, 300u);
    EXPECT_TRUE(a.signatures.empty());
  }
}

}  // namespace
}  // namespace mh::dns
