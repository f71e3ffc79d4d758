// Fuzz target: DNS responses from hostile servers, given as the resolver's answers to the whole
// DNS audit of one domain (MX, SPF, DMARC, DKIM, MTA-STS, TLS-RPT, DNSSEC, DANE, reverse DNS),
// turned into evidence, judged, scored and rendered; must not crash, and a run where every
// lookup failed must accuse nobody (no `fail`).
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/audit/domain_audit.hpp"
#include "checks/audit/scoring.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/ldns_convert.hpp"
#include "checks/dns/ldns_ptr.hpp"
#include "checks/dns/resolver.hpp"
#include "checks/dnssec/trust_anchor.hpp"

namespace {

// Answers the n-th distinct question with the n-th packet of the input (cycling), as the
// resolver would interpret it; a question asked again gets the same answer, as from the run's
// shared cache (CachingResolver) in a real audit. The input is a sequence of [2-byte big-endian length][DNS message]; a
// zero-length message is a timeout. Records owned by the root name "." in the answer section
// are taken as owned by the name asked, so one packet can answer any question.
class WireResolver : public mh::dns::Resolver {
 public:
  explicit WireResolver(std::string_view input) {
    while (input.size() >= 2) {
      const std::size_t len = (static_cast<unsigned char>(input[0]) << 8) |
                              static_cast<unsigned char>(input[1]);
      input.remove_prefix(2);
      packets_.push_back(input.substr(0, len));
      input.remove_prefix(std::min(len, input.size()));
    }
    if (packets_.empty()) packets_.push_back(input);
  }

  mh::dns::DnsAnswer query(std::string_view name, std::uint16_t type) override {
    auto key = std::make_pair(std::string(name), type);
    if (auto it = asked_.find(key); it != asked_.end()) return it->second;
    auto answer = interpret(name, type);
    if (!answer.isError()) anyAnswered_ = true;
    asked_.emplace(std::move(key), answer);
    return answer;
  }

  bool anyAnswered() const { return anyAnswered_; }

 private:
  mh::dns::DnsAnswer interpret(std::string_view name, std::uint16_t type) {
    const std::string_view wire = packets_[next_++ % packets_.size()];
    mh::dns::DnsAnswer answer;
    answer.qname = mh::dns::normaliseName(name);
    answer.qtype = type;
    if (wire.empty()) {
      answer.status = mh::dns::DnsStatus::Timeout;
      answer.error = "timeout";
      return answer;
    }
    ldns_pkt* raw = nullptr;
    if (ldns_wire2pkt(&raw, reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()) !=
            LDNS_STATUS_OK ||
        raw == nullptr) {
      answer.status = mh::dns::DnsStatus::OtherError;
      answer.error = "malformed response";
      return answer;
    }
    mh::dns::LdnsPktPtr pkt(raw);
    ownRootRecords(pkt.get(), name);
    return mh::dns::answerFromPacket(pkt.get(), name, type);
  }

  static void ownRootRecords(ldns_pkt* pkt, std::string_view name) {
    ldns_rr_list* answers = ldns_pkt_answer(pkt);
    for (std::size_t i = 0; answers && i < ldns_rr_list_rr_count(answers); ++i) {
      ldns_rr* rr = ldns_rr_list_rr(answers, i);
      const ldns_rdf* owner = ldns_rr_owner(rr);
      if (!owner || ldns_dname_label_count(owner) != 0) continue;
      ldns_rdf* asked = ldns_dname_new_frm_str(std::string(name).c_str());
      if (!asked) continue;
      ldns_rdf_deep_free(ldns_rr_owner(rr));
      ldns_rr_set_owner(rr, asked);
    }
  }

  std::vector<std::string_view> packets_;
  std::map<std::pair<std::string, std::uint16_t>, mh::dns::DnsAnswer> asked_;
  std::size_t next_ = 0;
  bool anyAnswered_ = false;
};

struct Fixed {
  std::unique_ptr<mh::dmarc::PublicSuffixList> psl = mh::dmarc::PublicSuffixList::load(MH_PSL_FILE);
  std::optional<mh::dnssec::TrustAnchors> anchors;

  Fixed() {
    std::string error;
    // The root zone's KSK-2017 DS, so the validator walks from the root as it does for real.
    anchors = mh::dnssec::TrustAnchors::parse(
        ". 172800 IN DS 20326 8 2 "
        "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n",
        error);
    if (!psl || !anchors) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixed fixed;
  WireResolver resolver(std::string_view(reinterpret_cast<const char*>(data), size));
  mh::audit::AuditOptions options;
  options.psl = fixed.psl.get();
  options.trust_anchors = &*fixed.anchors;
  options.dkim_selectors = {"mail"};
  options.now = std::chrono::system_clock::time_point(std::chrono::seconds(1796083200));  // 2026-12
  const auto report = mh::audit::auditDomain(resolver, "example.gov.vn", options);

  const auto score = mh::audit::scoreReport(report);
  (void)mh::audit::toJson(score).dump();
  (void)mh::audit::toJson(report).dump();
  (void)mh::audit::needsRecheck(report);
  for (const auto& check : report.checks) {
    // Nothing answered: the audit could not tell anything, so it must not accuse.
    if (!resolver.anyAnswered() && check.status == mh::Status::Fail) __builtin_trap();
    for (const auto& f : check.findings) {
      (void)mh::audit::renderMessage(f, mh::audit::Language::En);
      (void)mh::audit::renderMessage(f, mh::audit::Language::Vi);
    }
  }
  return 0;
}
