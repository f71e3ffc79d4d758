// MTASTS-01 record part: RFC 8461 §3.1 discovery rules applied to the _mta-sts TXT answer.
#include "checks/mta_sts/mta_sts_check.hpp"

#include <array>

namespace mh::mta_sts {
namespace {

constexpr std::array<TagSpec, 6> kTagSpecs{{
    {"MTASTS_RECORD_VALID", "MTASTS-01", "MTA-STS record is valid (id={id})", "", ""},
    {"MTASTS_POLICY_NOT_FETCHED", "MTASTS-01",
     "The MTA-STS policy file was not fetched yet, so the policy is not judged", "", ""},
    {"MTASTS_RECORD_MISSING", "MTASTS-01", "No MTA-STS record at {name}",
     "Publish TXT \"v=STSv1; id=<YYYYMMDDhhmmss>\" at _mta-sts.{domain} and serve the policy at "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt with a valid certificate (start with "
     "mode: testing, then move to mode: enforce).",
     "Công bố bản ghi TXT \"v=STSv1; id=<YYYYMMDDhhmmss>\" tại _mta-sts.{domain} và đặt tệp "
     "chính sách tại https://mta-sts.{domain}/.well-known/mta-sts.txt với chứng thư số hợp lệ "
     "(bắt đầu với mode: testing, sau đó chuyển sang mode: enforce)."},
    {"MTASTS_RECORD_INVALID", "MTASTS-01",
     "MTA-STS record at {name} is invalid ({reason}); senders treat the domain as having none",
     "Replace the TXT record at _mta-sts.{domain} with exactly \"v=STSv1; id=<1-32 letters or "
     "digits>\" (v=STSv1 first, fields separated by ';'); change the id whenever the policy "
     "changes.",
     "Thay bản ghi TXT tại _mta-sts.{domain} bằng đúng dạng \"v=STSv1; id=<1–32 chữ cái hoặc "
     "chữ số>\" (v=STSv1 đứng đầu, các trường phân tách bằng dấu ';'); đổi id mỗi khi chính "
     "sách thay đổi."},
    {"MTASTS_MULTIPLE_RECORDS", "MTASTS-01",
     "{count} MTA-STS records at {name}; senders then ignore MTA-STS (RFC 8461 §3.1)",
     "Keep exactly one TXT record beginning with v=STSv1 at _mta-sts.{domain}.",
     "Chỉ giữ đúng một bản ghi TXT bắt đầu bằng v=STSv1 tại _mta-sts.{domain}."},
    {"MTASTS_LOOKUP_ERROR", "MTASTS-01",
     "DNS lookup of {name} TXT failed ({status}): the result could not be determined", "", ""},
}};

}  // namespace

Json MtaStsEvidence::toJson() const {
  Json out = Json::object({{"domain", domain}, {"answer", dns::toJson(answer)}});
  Json recs = Json::array();
  for (std::size_t i = 0; i < records.size(); ++i) {
    Json one = mta_sts::toJson(records[i]);
    one.set("text", texts[i]);
    recs.push(one);
  }
  out.set("records", recs);
  return out;
}

MtaStsEvidence gatherMtaSts(dns::Resolver& resolver, std::string_view domain) {
  MtaStsEvidence e;
  e.domain = dns::normaliseName(domain);
  e.answer = resolver.query("_mta-sts." + e.domain, dns::rr::TXT);
  if (e.answer.status == dns::DnsStatus::NoError) {
    for (const auto& rec : e.answer.records) {
      e.texts.push_back(rec.joinedText());
      e.records.push_back(parseMtaStsRecord(e.texts.back()));
    }
  }
  return e;
}

CheckResult judgeMtaSts01(const MtaStsEvidence& e, const DomainProfile& profile) {
  CheckResult r;
  r.id = "MTASTS-01";
  if (!profile.receives_mail) {
    r.status = Status::Na;
    r.evidence = Json::object({{"domain", e.domain}, {"reason", "domain does not receive mail"}});
    return r;
  }
  r.evidence = e.toJson();
  const std::string name = "_mta-sts." + e.domain;
  if (e.answer.isError()) {
    r.add(makeFinding("MTASTS_LOOKUP_ERROR", Status::Error)
              .arg("name", name)
              .arg("status", std::string(dns::toString(e.answer.status))));
    return r;
  }
  // §3.1: "records that do not begin with "v=STSv1;" are discarded. If the number of resulting
  // records is not one, or if the resulting record is syntactically invalid, senders MUST assume
  // the recipient domain does not have an available MTA-STS Policy".
  std::vector<const MtaStsRecord*> sts;
  const MtaStsRecord* misformatted = nullptr;
  for (const auto& rec : e.records) {
    if (rec.state != StsRecordState::NotSts) {
      sts.push_back(&rec);
    } else if (rec.looks_like_sts && misformatted == nullptr) {
      misformatted = &rec;
    }
  }
  if (sts.size() > 1) {
    r.add(makeFinding("MTASTS_MULTIPLE_RECORDS", Status::Fail)
              .arg("name", name)
              .arg("domain", e.domain)
              .arg("count", static_cast<std::int64_t>(sts.size())));
  } else if (sts.size() == 1 && sts[0]->state == StsRecordState::Valid) {
    r.add(makeFinding("MTASTS_RECORD_VALID", Status::Info).arg("id", sts[0]->id));
    // The policy decides pass, warn or fail (mode, mx coverage, max_age); without it, no pass.
    r.add(makeFinding("MTASTS_POLICY_NOT_FETCHED", Status::Info));
  } else if (sts.size() == 1 || misformatted != nullptr) {
    // A record meant as MTA-STS but discarded (v=STSv1 not first, wrong version) is reported as
    // invalid rather than missing: the remedy is to fix it, not to add one.
    const MtaStsRecord* bad = sts.size() == 1 ? sts[0] : misformatted;
    r.add(makeFinding("MTASTS_RECORD_INVALID", Status::Fail)
              .arg("name", name)
              .arg("domain", e.domain)
              .arg("reason", bad->problem));
  } else {
    r.add(makeFinding("MTASTS_RECORD_MISSING", Status::Fail)
              .arg("name", name)
              .arg("domain", e.domain));
  }
  fillRemediation(r, mtaStsTagSpecs());
  return r;
}

std::span<const TagSpec> mtaStsTagSpecs() {
  return kTagSpecs;
}

}  // namespace mh::mta_sts
