// TLSRPT-01: RFC 8460 §3 discovery rules applied to the _smtp._tls TXT answer.
#include "checks/tlsrpt/tlsrpt_check.hpp"

#include <array>

namespace mh::tlsrpt {
namespace {

constexpr std::array<TagSpec, 6> kTagSpecs{{
    {"TLSRPT_RECORD_VALID", "TLSRPT-01", "TLS-RPT record valid; reports go to {rua}", "", "",
     "Bản ghi TLS-RPT hợp lệ; báo cáo được gửi tới {rua}"},
    {"TLSRPT_RUA_UNSUPPORTED_SCHEME", "TLSRPT-01",
     "rua {uri} uses a scheme senders do not support (only mailto: and https:)", "", "",
     "rua {uri} dùng giao thức mà bên gửi không hỗ trợ (chỉ hỗ trợ mailto: và https:)"},
    {"TLSRPT_RECORD_MISSING", "TLSRPT-01", "No TLS-RPT record at {name}",
     "Publish TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}\" at _smtp._tls.{domain} so that "
     "sending servers report TLS delivery failures; read the reports regularly.",
     "Công bố bản ghi TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}\" tại _smtp._tls.{domain} để "
     "các máy chủ gửi thư báo cáo lỗi chuyển thư qua TLS; theo dõi các báo cáo này thường "
     "xuyên.",
     "Không có bản ghi TLS-RPT tại {name}"},
    {"TLSRPT_RECORD_INVALID", "TLSRPT-01",
     "TLS-RPT record at {name} is invalid ({reason}); senders treat the domain as having none",
     "Replace the TXT record at _smtp._tls.{domain} with \"v=TLSRPTv1; rua=mailto:<address>\" "
     "(v=TLSRPTv1 first, one rua= with mailto: or https: URIs separated by commas).",
     "Thay bản ghi TXT tại _smtp._tls.{domain} bằng \"v=TLSRPTv1; rua=mailto:<địa chỉ>\" "
     "(v=TLSRPTv1 đứng đầu, một trường rua= gồm các URI mailto: hoặc https: phân tách bằng dấu "
     "phẩy).",
     "Bản ghi TLS-RPT tại {name} không hợp lệ ({reason}); bên gửi coi như tên miền không có bản "
     "ghi"},
    {"TLSRPT_MULTIPLE_RECORDS", "TLSRPT-01",
     "{count} TLS-RPT records at {name}; senders then ignore TLS-RPT (RFC 8460 §3)",
     "Keep exactly one TXT record beginning with v=TLSRPTv1 at _smtp._tls.{domain}.",
     "Chỉ giữ đúng một bản ghi TXT bắt đầu bằng v=TLSRPTv1 tại _smtp._tls.{domain}.",
     "Có {count} bản ghi TLS-RPT tại {name}; khi đó bên gửi bỏ qua TLS-RPT (RFC 8460 §3)"},
    {"TLSRPT_LOOKUP_ERROR", "TLSRPT-01",
     "DNS lookup of {name} TXT failed ({status}): the result could not be determined", "", "",
     "Truy vấn DNS {name} TXT thất bại ({status}): không xác định được kết quả"},
}};

std::string joinComma(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

Json TlsRptEvidence::toJson() const {
  Json out = Json::object({{"domain", domain}, {"answer", dns::toJson(answer)}});
  Json recs = Json::array();
  for (std::size_t i = 0; i < records.size(); ++i) {
    Json one = tlsrpt::toJson(records[i]);
    one.set("text", texts[i]);
    recs.push(one);
  }
  out.set("records", recs);
  return out;
}

TlsRptEvidence gatherTlsRpt(dns::Resolver& resolver, std::string_view domain) {
  TlsRptEvidence e;
  e.domain = dns::normaliseName(domain);
  e.answer = resolver.query("_smtp._tls." + e.domain, dns::rr::TXT);
  if (e.answer.status == dns::DnsStatus::NoError) {
    for (const auto& rec : e.answer.records) {
      e.texts.push_back(rec.joinedText());
      e.records.push_back(parseTlsRptRecord(e.texts.back()));
    }
  }
  return e;
}

// Spec: docs/checks/TLSRPT-01.md
CheckResult judgeTlsRpt01(const TlsRptEvidence& e, const DomainProfile& profile) {
  CheckResult r;
  r.id = "TLSRPT-01";
  if (!profile.receives_mail) {
    r.status = Status::Na;
    r.evidence = Json::object({{"domain", e.domain}, {"reason", "domain does not receive mail"}});
    return r;
  }
  r.evidence = e.toJson();
  const std::string name = "_smtp._tls." + e.domain;
  if (e.answer.isError()) {
    r.add(makeFinding("TLSRPT_LOOKUP_ERROR", Status::Error)
              .arg("name", name)
              .arg("status", std::string(dns::toString(e.answer.status))));
    return r;
  }
  // §3: "records that do not begin with "v=TLSRPTv1;" are discarded. If the number of resulting
  // records is not one, senders MUST assume the recipient domain does not implement TLSRPT."
  std::vector<const TlsRptRecord*> found;
  const TlsRptRecord* misformatted = nullptr;
  for (const auto& rec : e.records) {
    if (rec.state != TlsRptRecordState::NotTlsRpt) {
      found.push_back(&rec);
    } else if (rec.looks_like_tlsrpt && misformatted == nullptr) {
      misformatted = &rec;
    }
  }
  if (found.size() > 1) {
    r.add(makeFinding("TLSRPT_MULTIPLE_RECORDS", Status::Fail)
              .arg("name", name)
              .arg("domain", e.domain)
              .arg("count", static_cast<std::int64_t>(found.size())));
  } else if (found.size() == 1 && found[0]->state == TlsRptRecordState::Valid) {
    r.add(makeFinding("TLSRPT_RECORD_VALID", Status::Pass).arg("rua", joinComma(found[0]->rua)));
    for (const auto& uri : found[0]->unsupported_rua)
      r.add(makeFinding("TLSRPT_RUA_UNSUPPORTED_SCHEME", Status::Info).arg("uri", uri));
  } else if (found.size() == 1 || misformatted != nullptr) {
    const TlsRptRecord* bad = found.size() == 1 ? found[0] : misformatted;
    r.add(makeFinding("TLSRPT_RECORD_INVALID", Status::Fail)
              .arg("name", name)
              .arg("domain", e.domain)
              .arg("reason", bad->problem));
  } else {
    r.add(makeFinding("TLSRPT_RECORD_MISSING", Status::Fail)
              .arg("name", name)
              .arg("domain", e.domain));
  }
  fillRemediation(r, tlsRptTagSpecs());
  return r;
}

std::span<const TagSpec> tlsRptTagSpecs() {
  return kTagSpecs;
}

}  // namespace mh::tlsrpt
