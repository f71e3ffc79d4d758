// DNSSEC-01 gather and judge: our own validation of the domain's SOA/MX and the MX hosts'
// addresses.
#include "checks/dnssec/dnssec_check.hpp"

#include <array>

namespace mh::dnssec {

namespace {

constexpr std::array kTags{
    TagSpec{"DNSSEC_SIGNED", "DNSSEC-01",
            "the zone of {domain} is DNSSEC-signed and validates from the root trust anchor "
            "(signed zone {zone})",
            "", "",
            "Vùng DNS của {domain} đã được ký DNSSEC và xác thực được từ khóa tin cậy gốc (vùng "
            "được ký {zone})"},
    TagSpec{"DNSSEC_UNSIGNED", "DNSSEC-01",
            "the zone of {domain} is not DNSSEC-signed (proven insecure at {zone})",
            "Sign the zone (RFC 4033-4035; e.g. automatic signing in the DNS server with "
            "ECDSAP256SHA256) and publish its DS record at the parent (the registrar or the "
            "operator of gov.vn).",
            "Ký số vùng DNS (DNSSEC, RFC 4033-4035; ví dụ bật ký tự động trên máy chủ DNS với "
            "thuật toán ECDSAP256SHA256) và đăng ký bản ghi DS tại vùng cha (nhà đăng ký tên "
            "miền hoặc đơn vị quản lý gov.vn).",
            "Vùng DNS của {domain} chưa được ký DNSSEC (xác định là không an toàn tại {zone})"},
    TagSpec{"DNSSEC_BOGUS", "DNSSEC-01",
            "CRITICAL: DNSSEC validation fails (bogus) for {name}: {reason} ({detail}); "
            "validating resolvers reject these answers, so mail to the domain is refused",
            "Fix the signatures now: re-sign the zone (expired or invalid RRSIG) or correct the "
            "DS record at the parent so that it matches a current key-signing key; if that "
            "cannot be done quickly, remove the DS at the parent to go back to unsigned.",
            "Khắc phục ngay: ký lại vùng DNS (chữ ký RRSIG hết hạn hoặc sai) hoặc sửa bản ghi DS "
            "tại vùng cha cho khớp với khóa ký khóa (KSK) hiện hành; nếu không thể làm ngay, gỡ "
            "bản ghi DS ở vùng cha để trở về trạng thái không ký.",
            "NGHIÊM TRỌNG: xác thực DNSSEC thất bại (bogus) cho {name}: {reason} ({detail}); các "
            "máy chủ phân giải có xác thực sẽ loại bỏ các câu trả lời này nên thư gửi tới tên miền "
            "bị từ chối"},
    TagSpec{"DNSSEC_INDETERMINATE", "DNSSEC-01", "could not validate {name}: {reason} ({detail})",
            "", "", "Không xác thực được {name}: {reason} ({detail})"},
    TagSpec{"DNSSEC_RESOLVER_NO_DNSSEC", "DNSSEC-01",
            "DNSSEC could not be checked in this run: {reason}",
            "Nothing for the agency to do: the audit's operator must give it a resolver that "
            "returns DNSSEC records (RRSIG); the next run checks the zone again.",
            "Cơ quan không cần làm gì: đơn vị vận hành công cụ đánh giá cần dùng máy chủ phân giải "
            "trả về bản ghi DNSSEC (RRSIG); lần đánh giá sau sẽ kiểm tra lại vùng tên miền.",
            "Không kiểm tra được DNSSEC trong lượt đánh giá này: {reason}"},
    TagSpec{"DNSSEC_DOMAIN_NOT_FOUND", "DNSSEC-01", "the domain {domain} does not exist", "", "",
            "Tên miền {domain} không tồn tại"},
    TagSpec{"DNSSEC_MX_HOST_SIGNED", "DNSSEC-01", "MX host {host}: addresses are DNSSEC-secure", "",
            "", "Máy chủ MX {host}: các địa chỉ được bảo vệ bằng DNSSEC"},
    TagSpec{"DNSSEC_MX_HOST_UNSIGNED", "DNSSEC-01",
            "MX host {host}: addresses are not DNSSEC-signed (insecure at {zone}); DANE is not "
            "possible for it",
            "", "",
            "Máy chủ MX {host}: các địa chỉ chưa được ký DNSSEC (không an toàn tại {zone}); không "
            "thể triển khai DANE cho máy chủ này"},
    TagSpec{"DNSSEC_MX_HOST_BOGUS", "DNSSEC-01",
            "CRITICAL: MX host {host}: DNSSEC validation fails (bogus): {reason} ({detail}); "
            "validating senders cannot deliver mail to it",
            "Re-sign the MX host's zone or correct its DS record at the parent (or ask the mail "
            "provider to do so).",
            "Ký lại vùng DNS chứa máy chủ MX hoặc sửa bản ghi DS tại vùng cha (hoặc yêu cầu nhà "
            "cung cấp dịch vụ thư làm việc này).",
            "NGHIÊM TRỌNG: máy chủ MX {host}: xác thực DNSSEC thất bại (bogus): {reason} "
            "({detail}); các máy chủ gửi có xác thực DNSSEC không thể chuyển thư tới máy chủ này"},
    TagSpec{"DNSSEC_MX_HOST_INDETERMINATE", "DNSSEC-01",
            "MX host {host}: could not validate: {reason} ({detail})", "", "",
            "Máy chủ MX {host}: không xác thực được: {reason} ({detail})"},
};

ValidatedAnswer validated(Validator& v, const dns::DnsAnswer& a) {
  return ValidatedAnswer{a, v.validate(a)};
}

Json toJson(const ValidatedAnswer& v) {
  return Json::object({{"answer", dns::toJson(v.answer)}, {"validation", toJson(v.validation)}});
}

// The validation that decided a combined status (the weakest one).
const Validation& weaker(const Validation& a, const Validation& b) {
  return b.status < a.status ? b : a;
}

}  // namespace

DnssecEvidence gatherDnssec(dns::Resolver& resolver, std::string_view domain,
                            const mx::MxEvidence& mx, const TrustAnchors& anchors,
                            std::chrono::system_clock::time_point now) {
  Validator v(resolver, anchors, now);
  DnssecEvidence e;
  e.domain = dns::normaliseName(domain);
  e.trust_anchor = anchors.source();
  dns::DnsAnswer soa;
  Validation sv = v.query(e.domain, dns::rr::SOA, soa);
  e.soa = ValidatedAnswer{std::move(soa), std::move(sv)};
  e.mx = mx.mx.qname.empty() ? e.soa : validated(v, mx.mx);
  e.zone_status = weakest(e.soa.validation.status, e.mx.validation.status);
  for (const auto& h : mx.hosts) {
    if (h.ip_literal) continue;
    DnssecEvidence::Host host;
    host.name = h.name;
    host.a = validated(v, h.a);
    host.aaaa = validated(v, h.aaaa);
    host.status = weakest(host.a.validation.status, host.aaaa.validation.status);
    e.mx_hosts.push_back(std::move(host));
  }
  return e;
}

// Spec: docs/checks/DNSSEC-01.md
CheckResult judgeDnssec01(const DnssecEvidence& e) {
  CheckResult r;
  r.id = "DNSSEC-01";
  Json hosts = Json::array();
  for (const auto& h : e.mx_hosts)
    hosts.push(Json::object({{"host", h.name},
                             {"status", std::string(toString(h.status))},
                             {"a", toJson(h.a)},
                             {"aaaa", toJson(h.aaaa)}}));
  r.evidence = Json::object({{"domain", e.domain},
                             {"trust_anchor", e.trust_anchor},
                             {"status", std::string(toString(e.zone_status))},
                             {"soa", toJson(e.soa)},
                             {"mx", toJson(e.mx)},
                             {"mx_hosts", hosts}});

  const Validation& zone = weaker(e.soa.validation, e.mx.validation);
  auto bad = [](std::string tag, Status s, const std::string& name, const Validation& v) {
    return makeFinding(std::move(tag), s)
        .arg("name", name)
        .arg("reason", v.reason)
        .arg("detail", v.detail);
  };
  switch (e.zone_status) {
    case SecurityStatus::Indeterminate:
      r.add(bad("DNSSEC_INDETERMINATE", Status::Error, e.domain, zone));
      break;
    case SecurityStatus::Bogus:
      r.add(bad("DNSSEC_BOGUS", Status::Fail, e.domain, zone).arg("zone", zone.zone));
      break;
    case SecurityStatus::Insecure:
      r.add(makeFinding("DNSSEC_UNSIGNED", Status::Fail)
                .arg("domain", e.domain)
                .arg("zone", zone.zone)
                .arg("reason", zone.reason));
      break;
    case SecurityStatus::Secure:
      if (e.soa.answer.status == dns::DnsStatus::NxDomain) {
        r.add(makeFinding("DNSSEC_DOMAIN_NOT_FOUND", Status::Info).arg("domain", e.domain));
        return r;
      }
      r.add(makeFinding("DNSSEC_SIGNED", Status::Pass)
                .arg("domain", e.domain)
                .arg("zone", e.soa.validation.zone));
      break;
  }
  for (const auto& h : e.mx_hosts) {
    const Validation& v = weaker(h.a.validation, h.aaaa.validation);
    switch (h.status) {
      case SecurityStatus::Secure:
        r.add(makeFinding("DNSSEC_MX_HOST_SIGNED", Status::Info).arg("host", h.name));
        break;
      case SecurityStatus::Insecure:
        r.add(makeFinding("DNSSEC_MX_HOST_UNSIGNED", Status::Info)
                  .arg("host", h.name)
                  .arg("zone", v.zone));
        break;
      case SecurityStatus::Bogus:
        r.add(bad("DNSSEC_MX_HOST_BOGUS", Status::Fail, h.name, v).arg("host", h.name));
        break;
      case SecurityStatus::Indeterminate:
        r.add(bad("DNSSEC_MX_HOST_INDETERMINATE", Status::Error, h.name, v).arg("host", h.name));
        break;
    }
  }
  fillRemediation(r, kTags);
  return r;
}

std::span<const TagSpec> dnssecTagSpecs() {
  return kTags;
}

}  // namespace mh::dnssec
