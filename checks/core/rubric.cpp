// The rubric's data: checks and weights (adding up to 100 for a sending and receiving domain),
// critical finding tags, caps and grade bounds.
#include "checks/core/rubric.hpp"

#include <array>

namespace mh {

namespace {

using enum Severity;
using enum Applies;

constexpr std::array kRubric = {
    RubricEntry{"MX-01", "MX records are usable", "Bản ghi MX dùng được", 3, Medium, All},
    RubricEntry{"SPF-01", "SPF record exists and parses", "Có bản ghi SPF hợp lệ", 6, Critical, All},
    RubricEntry{"SPF-02", "SPF final policy", "Chính sách cuối của SPF", 5, High, All},
    RubricEntry{"SPF-03", "SPF processing limits", "Giới hạn xử lý SPF", 3, Medium, All},
    RubricEntry{"DMARC-01", "DMARC record exists and parses", "Có bản ghi DMARC hợp lệ", 8,
                Critical, All},
    RubricEntry{"DMARC-02", "DMARC policy strength", "Mức chính sách DMARC", 12, Critical, All},
    RubricEntry{"DMARC-03", "DMARC subdomain coverage", "DMARC bao phủ tên miền con", 2, Medium,
                All},
    RubricEntry{"DMARC-04", "DMARC reporting", "Báo cáo DMARC", 5, High, All},
    RubricEntry{"DKIM-01", "DKIM key published", "Có khóa DKIM", 6, High, Sending},
    RubricEntry{"DKIM-02", "DKIM key quality", "Chất lượng khóa DKIM", 3, Medium, Sending},
    RubricEntry{"TLS-01", "STARTTLS on every MX", "STARTTLS trên mọi máy chủ MX", 12, Critical,
                Receiving},
    RubricEntry{"TLS-02", "TLS protocol versions", "Phiên bản giao thức TLS", 6, Critical,
                Receiving},
    RubricEntry{"TLS-03", "Cipher suites and key exchange", "Bộ mã hóa và trao đổi khóa", 5, High,
                Receiving},
    RubricEntry{"TLS-04", "MX certificate", "Chứng thư số của MX", 3, Medium, Receiving},
    RubricEntry{"ACC-01", "User access endpoints", "Điểm truy cập của người dùng", 4, Medium, All,
                false},
    RubricEntry{"MTASTS-01", "MTA-STS", "MTA-STS", 5, Medium, Receiving},
    RubricEntry{"TLSRPT-01", "TLS-RPT", "TLS-RPT", 3, Low, Receiving},
    RubricEntry{"DNSSEC-01", "Domain zone signed", "Vùng tên miền được ký DNSSEC", 3, Medium, All},
    RubricEntry{"DANE-01", "DANE for MX", "DANE cho MX", 4, Low, Receiving},
    RubricEntry{"HYG-01", "Reverse DNS of MX addresses", "DNS ngược của địa chỉ MX", 2, Low,
                Receiving},
};

// Each tag is declared in its area's catalogue; RubricData.EveryTagRuleNamesACataloguedTag
// fails on a typo.
constexpr std::array kTagRules = {
    // §3.6: a record that authorises arbitrary senders (+all, ip4:0.0.0.0/0, exists: over a
    // wildcard...): any host passes SPF, aligns, and passes DMARC even under p=reject.
    TagRule{"SPF_POLICY_PASS_ALL", Critical, Cap::Critical},
    TagRule{"SPF_PASSES_ANY_ADDRESS", Critical, Cap::Critical},
    // §3.6: permerror of any cause is "no usable SPF" for receivers (RFC 7208 §2.6.7).
    TagRule{"SPF_POLICY_PERMERROR", Critical, Cap::Critical},
    TagRule{"SPF_TOO_MANY_LOOKUPS", Critical, Cap::Critical},
    TagRule{"SPF_TOO_MANY_VOID_LOOKUPS", Critical, Cap::Critical},
    TagRule{"SPF_INCLUDE_TARGET_MISSING", Critical, Cap::Critical},
    TagRule{"SPF_REDIRECT_TARGET_MISSING", Critical, Cap::Critical},
    TagRule{"SPF_INCLUDE_PERMERROR", Critical, Cap::Critical},
    TagRule{"SPF_TOO_MANY_MX", Critical, Cap::Critical},
    // §3.6: no MX host of a receiving domain resolves: its mail bounces, and whoever registers
    // the host's domain receives it.
    TagRule{"MX_NO_RESOLVABLE_HOST", Critical, Cap::Critical},
    // §3.2 "C" cells of TLS-02 and TLS-03.
    TagRule{"TLS_SSL_OFFERED", Critical, Cap::LegacySslNoDmarc},
    TagRule{"TLS_CIPHER_INSUFFICIENT", Critical, Cap::Critical, "kind", "RC4|3DES"},
    // §3.2-3.3: bogus DNSSEC or a DANE mismatch breaks delivery from validating senders.
    TagRule{"DNSSEC_BOGUS", Critical, Cap::BreaksDelivery},
    TagRule{"DNSSEC_MX_HOST_BOGUS", Critical, Cap::BreaksDelivery},
    TagRule{"DANE_TLSA_BOGUS", Critical, Cap::BreaksDelivery},
    TagRule{"DANE_TLSA_MISMATCH", Critical, Cap::BreaksDelivery},
};

constexpr std::array kCapRules = {
    CapRule{Cap::Critical, 64, "critical failure: grade at most D",
            "lỗi nghiêm trọng: xếp loại tối đa D"},
    CapRule{Cap::BreaksDelivery, 64,
            "bogus DNSSEC or DANE breaks delivery from validating senders: grade at most D",
            "DNSSEC hoặc DANE xác thực thất bại làm hỏng việc nhận thư từ bên gửi có kiểm tra: "
            "xếp loại tối đa D"},
    CapRule{Cap::LegacySslNoDmarc, 49, "SSLv2/SSLv3 offered and no DMARC: grade F",
            "chấp nhận SSLv2/SSLv3 và không có DMARC: xếp loại F"},
};

constexpr std::array kGradeBounds = {
    GradeBound{"A", 90}, GradeBound{"B", 80}, GradeBound{"C", 65},
    GradeBound{"D", 50}, GradeBound{"F", 0},
};

bool listed(std::string_view values, std::string_view value) {
  while (!values.empty()) {
    const auto bar = values.find('|');
    if (values.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) break;
    values.remove_prefix(bar + 1);
  }
  return false;
}

std::string_view toString(Applies a) {
  switch (a) {
    case Applies::All: return "all";
    case Applies::Receiving: return "receiving";
    case Applies::Sending: return "sending";
  }
  return "all";
}

}  // namespace

std::span<const RubricEntry> rubric() { return kRubric; }

const RubricEntry* findRubricEntry(std::string_view id) {
  for (const auto& e : kRubric)
    if (e.id == id) return &e;
  return nullptr;
}

std::span<const TagRule> tagRules() { return kTagRules; }
std::span<const CapRule> capRules() { return kCapRules; }
std::span<const GradeBound> gradeBounds() { return kGradeBounds; }

const CapRule& capRule(Cap cap) {
  for (const auto& c : kCapRules)
    if (c.cap == cap) return c;
  return kCapRules.front();
}

const TagRule* findTagRule(const Finding& f) {
  for (const auto& rule : kTagRules) {
    if (rule.tag != f.tag) continue;
    if (rule.arg.empty() || listed(rule.values, f.argText(rule.arg))) return &rule;
  }
  return nullptr;
}

std::string_view toString(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
    case Severity::Critical: return "critical";
  }
  return "info";
}

std::string_view toString(Cap c) {
  switch (c) {
    case Cap::Critical: return "critical";
    case Cap::BreaksDelivery: return "breaks_delivery";
    case Cap::LegacySslNoDmarc: return "legacy_ssl_no_dmarc";
  }
  return "critical";
}

Json rubricJson() {
  Json checks = Json::array();
  for (const auto& e : kRubric)
    checks.push(Json::object({{"id", e.id},
                              {"title_en", e.title_en},
                              {"title_vi", e.title_vi},
                              {"weight", e.weight},
                              {"severity", toString(e.severity)},
                              {"applies", toString(e.applies)},
                              {"runs", e.runs}}));
  Json tags = Json::array();
  for (const auto& t : kTagRules) {
    Json rule = Json::object(
        {{"tag", t.tag}, {"severity", toString(t.severity)}, {"cap", toString(t.cap)}});
    if (!t.arg.empty()) rule.set("when", Json::object({{"arg", t.arg}, {"values", t.values}}));
    tags.push(rule);
  }
  Json caps = Json::array();
  for (const auto& c : kCapRules)
    caps.push(Json::object({{"cap", toString(c.cap)},
                            {"max_score", c.max_score},
                            {"en", c.en},
                            {"vi", c.vi}}));
  Json grades = Json::array();
  for (const auto& g : kGradeBounds)
    grades.push(Json::object({{"grade", g.grade}, {"min_score", g.min_score}}));
  return Json::object({{"version", kRubricVersion},
                       {"warn_share", kWarnShare},
                       {"checks", checks},
                       {"tag_rules", tags},
                       {"caps", caps},
                       {"grades", grades}});
}

std::string rubricMarkdown() {
  std::string out = "Rubric version `" + std::string(kRubricVersion) + "`.\n\n";
  out += "| ID | check | kiểm tra | weight | severity | applies to |\n";
  out += "| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& e : kRubric)
    out += "| " + std::string(e.id) + " | " + std::string(e.title_en) + " | " +
           std::string(e.title_vi) + " | " + std::to_string(e.weight) + " | " +
           std::string(toString(e.severity)) + " | " + std::string(toString(e.applies)) +
           (e.runs ? "" : " (not run yet: left out of every score)") + " |\n";
  out += "\nFindings that weigh more than their check (a `warn` or `fail` with these tags):\n\n";
  out += "| tag | severity | cap |\n| --- | --- | --- |\n";
  for (const auto& t : kTagRules) {
    std::string tag = "`" + std::string(t.tag) + "`";
    if (!t.arg.empty()) {
      std::string values(t.values);
      for (auto bar = values.find('|'); bar != std::string::npos; bar = values.find('|'))
        values.replace(bar, 1, " or ");
      tag += " with " + std::string(t.arg) + " " + values;
    }
    out += "| " + tag + " | " + std::string(toString(t.severity)) + " | " +
           std::string(toString(t.cap)) + " |\n";
  }
  out += "\n| cap | highest score | why |\n| --- | --- | --- |\n";
  for (const auto& c : kCapRules) {
    std::string score = std::to_string(static_cast<int>(c.max_score));
    out += "| " + std::string(toString(c.cap)) + " | " + score + " | " + std::string(c.en) + " |\n";
  }
  out += "\nGrades: ";
  for (std::size_t i = 0; i < kGradeBounds.size(); ++i)
    out += (i ? ", " : "") + std::string(kGradeBounds[i].grade) + " ≥ " +
           std::to_string(static_cast<int>(kGradeBounds[i].min_score));
  out += ". A `warn` earns half the weight.\n";
  return out;
}

}  // namespace mh
