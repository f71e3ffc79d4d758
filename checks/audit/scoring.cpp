// The scoring rules of guidance.md §3.3, applied to the check results of one domain.
#include "checks/audit/scoring.hpp"

#include <algorithm>
#include <cmath>

#include "checks/core/rubric.hpp"
#include "checks/core/text.hpp"

namespace mh::audit {

namespace {

// The rubric's caps that a verdict finding (warn or fail, not an error) of the report brings.
struct FindingCaps {
  bool critical = false;        // a tag rule of critical severity matched
  bool breaks_delivery = false;
  bool legacy_ssl = false;
  std::vector<std::string> tags;  // the tags that matched, once each, in report order
};

FindingCaps findingCaps(const DomainReport& r) {
  FindingCaps caps;
  for (const auto& c : r.checks)
    for (const auto& f : c.findings) {
      if (f.status != Status::Warn && f.status != Status::Fail) continue;
      const TagRule* rule = findTagRule(f);
      if (rule == nullptr) continue;
      if (rule->severity == Severity::Critical) caps.critical = true;
      if (rule->cap == Cap::BreaksDelivery) caps.breaks_delivery = true;
      if (rule->cap == Cap::LegacySslNoDmarc) caps.legacy_ssl = true;
      if (std::find(caps.tags.begin(), caps.tags.end(), f.tag) == caps.tags.end())
        caps.tags.push_back(f.tag);
    }
  return caps;
}

// A tier criterion: met, not met, or could not be judged.
enum class Criterion { Met, NotMet, Unknown };

Criterion statusIn(const CheckResult* c, std::initializer_list<Status> good) {
  if (c == nullptr || c->status == Status::Error) return Criterion::Unknown;
  return std::find(good.begin(), good.end(), c->status) != good.end() ? Criterion::Met
                                                                      : Criterion::NotMet;
}

Criterion both(Criterion a, Criterion b) {
  if (a == Criterion::NotMet || b == Criterion::NotMet) return Criterion::NotMet;
  if (a == Criterion::Unknown || b == Criterion::Unknown) return Criterion::Unknown;
  return Criterion::Met;
}

// A tier criterion's name in both languages.
struct CriterionName {
  std::string_view en;
  std::string_view vi;
};

// One reason, in English (tier_reasons) and Vietnamese (tier_reasons_vi) at the same index.
void addReason(DomainScore& s, std::string en, std::string vi) {
  s.tier_reasons.push_back(std::move(en));
  s.tier_reasons_vi.push_back(std::move(vi));
}

// One cap, in English (caps) and Vietnamese (caps_vi) at the same index.
void addCap(DomainScore& s, std::string en, std::string vi) {
  s.caps.push_back(std::move(en));
  s.caps_vi.push_back(std::move(vi));
}

// "not met: ..." / "could not be judged: ..." for a criterion that is not met.
void addCriterionReason(DomainScore& s, const CriterionName& name, Criterion c) {
  if (c == Criterion::NotMet)
    addReason(s, "not met: " + std::string(name.en), "chưa đạt: " + std::string(name.vi));
  if (c == Criterion::Unknown)
    addReason(s, "could not be judged: " + std::string(name.en),
              "không đánh giá được: " + std::string(name.vi));
}

Grade parseGrade(std::string_view text) {
  for (Grade g : {Grade::A, Grade::B, Grade::C, Grade::D})
    if (toString(g) == text) return g;
  return Grade::F;
}

Grade gradeOf(double score) {
  for (const auto& bound : gradeBounds())
    if (score >= bound.min_score) return parseGrade(bound.grade);
  return Grade::F;
}

DmarcPhase phaseOf(const DomainReport& r) {
  const CheckResult* d1 = r.find("DMARC-01");
  const CheckResult* d2 = r.find("DMARC-02");
  if (d1 == nullptr || d2 == nullptr || d2->status == Status::Error) return DmarcPhase::Unknown;
  if (d1->hasTag("DMARC_NO_RECORD") || d2->hasTag("DMARC_NO_USABLE_RECORD"))
    return DmarcPhase::NotDeployed;
  if (d2->hasTag("DMARC_POLICY_NONE")) return DmarcPhase::Assess;
  if (d2->status == Status::Pass) return DmarcPhase::Enforce;
  return DmarcPhase::Deploy;  // quarantine, or reject with pct<100 or t=y
}

}  // namespace

DomainScore scoreReport(const DomainReport& report) {
  DomainScore s;
  s.dmarc_phase = phaseOf(report);
  if (!report.exists) {
    addReason(s, "the domain does not exist", "tên miền không tồn tại");
    for (const auto& c : report.checks) s.excluded.push_back(c.id);
    return s;
  }

  bool criticalFailure = false;
  for (const auto& c : report.checks) {
    const RubricEntry* entry = findRubricEntry(c.id);
    const bool judged =
        c.status == Status::Pass || c.status == Status::Warn || c.status == Status::Fail;
    if (entry == nullptr || !judged || entry->weight == 0) {
      s.excluded.push_back(c.id);
      continue;
    }
    s.scored.push_back(c.id);
    s.possible += entry->weight;
    if (c.status == Status::Pass) s.earned += entry->weight;
    if (c.status == Status::Warn) s.earned += entry->weight * kWarnShare;
    if (c.status == Status::Fail && entry->severity == Severity::Critical) {
      criticalFailure = true;
      addCap(s, "critical failure: " + c.id, "lỗi nghiêm trọng: " + c.id);
    }
  }
  const FindingCaps found = findingCaps(report);
  if (found.critical) {
    criticalFailure = true;
    addCap(s, "critical finding: " + joined(found.tags),
           "phát hiện nghiêm trọng: " + joined(found.tags));
  }

  if (s.possible > 0) {
    double score = 100.0 * s.earned / s.possible;
    if (criticalFailure) score = std::min(score, capRule(Cap::Critical).max_score);
    if (found.breaks_delivery) score = std::min(score, capRule(Cap::BreaksDelivery).max_score);
    if (found.legacy_ssl && s.dmarc_phase == DmarcPhase::NotDeployed) {
      const CapRule& cap = capRule(Cap::LegacySslNoDmarc);
      score = std::min(score, cap.max_score);
      addCap(s, std::string(cap.en), std::string(cap.vi));
    }
    score = std::round(score * 10) / 10;
    s.score = score;
    s.grade = gradeOf(score);
  }

  // Tiers (§3.3). Each criterion is met, not met, or unknown; one clear miss makes the domain
  // non-compliant, an unknown without a miss leaves the tier indeterminate.
  const auto& p = report.profile;
  auto check = [&](std::string_view id) { return report.find(id); };
  std::vector<std::pair<CriterionName, Criterion>> criteria;
  const CheckResult* dmarc2 = check("DMARC-02");
  Criterion dmarcReject = statusIn(dmarc2, {Status::Pass});
  Criterion dmarcQuarantineOrBetter = statusIn(dmarc2, {Status::Pass, Status::Warn});
  if (!p.receives_mail && !p.sends_mail) {
    // (d) A parked domain: "v=spf1 -all", p=reject and a correct null MX are its whole baseline;
    // with no mail there is nothing to report on, so rua is not required.
    criteria.emplace_back(CriterionName{"SPF \"-all\"", "SPF \"-all\""},
                          statusIn(check("SPF-02"), {Status::Pass}));
    criteria.emplace_back(
        CriterionName{"null MX or no mail host", "null MX hoặc không có máy chủ thư"},
        statusIn(check("MX-01"), {Status::Pass}));
  } else {
    // (a) and (b), then (c) for receiving domains.
    criteria.emplace_back(
        CriterionName{"valid SPF with -all or ~all", "SPF hợp lệ, kết thúc bằng -all hoặc ~all"},
        both(statusIn(check("SPF-01"), {Status::Pass}),
             statusIn(check("SPF-02"), {Status::Pass, Status::Warn})));
    const CheckResult* dmarc4 = check("DMARC-04");
    Criterion rua =
        dmarc4 == nullptr || dmarc4->status == Status::Error
            ? Criterion::Unknown
            : (dmarc4->hasTag("DMARC_RUA_PRESENT") ? Criterion::Met : Criterion::NotMet);
    criteria.emplace_back(CriterionName{"DMARC record", "bản ghi DMARC"},
                          statusIn(check("DMARC-01"), {Status::Pass}));
    criteria.emplace_back(
        CriterionName{"DMARC aggregate reports (rua)", "nhận báo cáo tổng hợp DMARC (rua)"}, rua);
    if (p.receives_mail) {
      criteria.emplace_back(CriterionName{"STARTTLS on every MX", "STARTTLS trên mọi máy chủ MX"},
                            statusIn(check("TLS-01"), {Status::Pass}));
      criteria.emplace_back(CriterionName{"TLS 1.2 or newer, no SSLv2/SSLv3",
                                          "TLS 1.2 trở lên, không có SSLv2/SSLv3"},
                            statusIn(check("TLS-02"), {Status::Pass, Status::Warn}));
      criteria.emplace_back(CriterionName{"no RC4/3DES", "không dùng RC4/3DES"},
                            statusIn(check("TLS-03"), {Status::Pass, Status::Warn}));
    }
  }

  // Rubric 2026-12: a domain under a critical finding (mail that cannot be delivered, bogus
  // DNSSEC or DANE, SPF that passes anyone...) is never baseline compliant, whatever else it does.
  if (found.critical)
    criteria.emplace_back(CriterionName{"no critical finding", "không có phát hiện nghiêm trọng"},
                          Criterion::NotMet);

  Criterion baseline = Criterion::Met;
  for (const auto& [name, c] : criteria) {
    addCriterionReason(s, name, c);
    baseline = both(baseline, c);
  }
  if (dmarcReject == Criterion::NotMet && dmarcQuarantineOrBetter == Criterion::Met) {
    // Quarantine (or a partial reject) is "partially compliant" in the first reporting year.
    addReason(s, "DMARC quarantine or partial reject, not p=reject",
              "DMARC ở mức quarantine hoặc reject một phần, chưa phải p=reject");
    s.tier = baseline == Criterion::Met      ? Tier::Partial
             : baseline == Criterion::NotMet ? Tier::NonCompliant
                                             : Tier::Indeterminate;
    return s;
  }
  if (dmarcReject == Criterion::NotMet)
    addCriterionReason(s, {"DMARC p=reject", "DMARC p=reject"}, dmarcReject);
  if (dmarcReject == Criterion::Unknown)
    addCriterionReason(s, {"DMARC policy", "chính sách DMARC"}, dmarcReject);
  baseline = both(baseline, dmarcReject);
  if (baseline == Criterion::NotMet) {
    s.tier = Tier::NonCompliant;
    return s;
  }
  if (baseline == Criterion::Unknown) {
    s.tier = Tier::Indeterminate;
    return s;
  }
  s.tier = Tier::Baseline;

  // Advanced: baseline plus DKIM >= 2048 (senders), TLS 1.0/1.1 disabled, and MTA-STS enforce with
  // TLS-RPT or DNSSEC with DANE (receivers).
  bool advanced = true;
  if (p.sends_mail) advanced = advanced && statusIn(check("DKIM-02"), {Status::Pass}) == Criterion::Met;
  if (p.receives_mail) {
    advanced = advanced && statusIn(check("TLS-02"), {Status::Pass}) == Criterion::Met;
    bool mtaSts = statusIn(check("MTASTS-01"), {Status::Pass}) == Criterion::Met &&
                  statusIn(check("TLSRPT-01"), {Status::Pass}) == Criterion::Met;
    bool dane = statusIn(check("DNSSEC-01"), {Status::Pass}) == Criterion::Met &&
                statusIn(check("DANE-01"), {Status::Pass}) == Criterion::Met;
    advanced = advanced && (mtaSts || dane);
  }
  if (advanced) s.tier = Tier::Advanced;
  return s;
}

std::string_view toString(Grade g) {
  switch (g) {
    case Grade::A: return "A";
    case Grade::B: return "B";
    case Grade::C: return "C";
    case Grade::D: return "D";
    case Grade::F: return "F";
  }
  return "F";
}

std::string_view toString(Tier t) {
  switch (t) {
    case Tier::Indeterminate: return "indeterminate";
    case Tier::NonCompliant: return "non_compliant";
    case Tier::Partial: return "partial";
    case Tier::Baseline: return "baseline";
    case Tier::Advanced: return "advanced";
  }
  return "indeterminate";
}

std::string_view tierLabelVi(Tier t) {
  switch (t) {
    case Tier::Indeterminate: return "Chưa xác định";
    case Tier::NonCompliant: return "Không đạt";
    case Tier::Partial: return "Đạt một phần";
    case Tier::Baseline: return "Đạt cơ bản";
    case Tier::Advanced: return "Nâng cao";
  }
  return "Chưa xác định";
}

std::string_view toString(DmarcPhase p) {
  switch (p) {
    case DmarcPhase::Unknown: return "unknown";
    case DmarcPhase::NotDeployed: return "not_deployed";
    case DmarcPhase::Assess: return "assess";
    case DmarcPhase::Deploy: return "deploy";
    case DmarcPhase::Enforce: return "enforce";
    case DmarcPhase::Maintain: return "maintain";
  }
  return "unknown";
}

Json toJson(const DomainScore& s) {
  auto list = [](const std::vector<std::string>& v) {
    Json a = Json::array();
    for (const auto& x : v) a.push(x);
    return a;
  };
  return Json::object({{"score", s.score ? Json(*s.score) : Json()},
                       {"grade", s.grade ? Json(std::string(toString(*s.grade))) : Json()},
                       {"tier", std::string(toString(s.tier))},
                       {"tier_vi", std::string(tierLabelVi(s.tier))},
                       {"tier_reasons", list(s.tier_reasons)},
                       {"tier_reasons_vi", list(s.tier_reasons_vi)},
                       {"dmarc_phase", std::string(toString(s.dmarc_phase))},
                       {"points", Json::object({{"earned", s.earned}, {"possible", s.possible}})},
                       {"scored", list(s.scored)},
                       {"excluded", list(s.excluded)},
                       {"caps", list(s.caps)},
                       {"caps_vi", list(s.caps_vi)},
                       {"rubric_version", std::string(kRubricVersion)}});
}

}  // namespace mh::audit
