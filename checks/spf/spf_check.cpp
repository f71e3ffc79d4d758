// SPF checks SPF-01/02/03: gather (the only DNS access) and pure judges with the tag catalogue.
#include "checks/spf/spf_check.hpp"

#include <array>

#include "checks/core/text.hpp"

namespace mh::spf {
namespace {

constexpr int kLookupLimit = 10;
constexpr int kVoidLimit = 2;
constexpr int kMxLimit = 10;
constexpr int kNearLimit = 9;  // guidance §3.2 SPF-03: 9-10 lookups is a warning
constexpr int kMaxRedirectHops = 10;
// A passing term wider than these lists no sender of its own (guidance §3.6).
constexpr int kWidestListedPrefix4 = 8;
constexpr int kWidestListedPrefix6 = 16;
// Clients passed through such terms before the record counts as authorising arbitrary senders.
constexpr std::size_t kArbitraryClients = 2;

constexpr std::array<TagSpec, 23> kTags{{
    {"SPF_LOOKUP_ERROR", "SPF-01", "DNS lookup {name} {type} could not be answered: {status}",
     "Make sure every authoritative name server answers TXT, A, AAAA and MX queries for the "
     "domain and the names its SPF record uses.",
     "Bảo đảm mọi máy chủ tên có thẩm quyền đều trả lời truy vấn TXT, A, AAAA và MX cho tên miền "
     "và các tên mà bản ghi SPF sử dụng.",
     "Truy vấn DNS {name} {type} không có câu trả lời: {status}"},
    {"SPF_NO_RECORD", "SPF-01", "No SPF (v=spf1) TXT record at {domain}",
     "Publish exactly one TXT record at {domain} starting with \"v=spf1\" that lists the servers "
     "allowed to send its mail and ends with \"-all\" (or just \"v=spf1 -all\" if the domain "
     "sends no mail).",
     "Xuất bản đúng một bản ghi TXT tại {domain} bắt đầu bằng \"v=spf1\", liệt kê các máy chủ "
     "được phép gửi thư và kết thúc bằng \"-all\" (hoặc chỉ \"v=spf1 -all\" nếu tên miền không "
     "gửi thư).",
     "Không có bản ghi TXT SPF (v=spf1) tại {domain}"},
    {"SPF_RR_TYPE_ONLY", "SPF-01",
     "SPF is published only as the obsolete SPF RR type (99), which receivers no longer query",
     "Publish the same policy as a TXT record at {domain}; the SPF record type is obsolete "
     "(RFC 7208 §3.1).",
     "Xuất bản cùng chính sách dưới dạng bản ghi TXT tại {domain}; kiểu bản ghi SPF (99) đã lỗi "
     "thời (RFC 7208 §3.1).",
     "SPF chỉ được công bố bằng kiểu bản ghi SPF (99) đã lỗi thời, kiểu mà bên nhận không còn truy "
     "vấn"},
    {"SPF_MULTIPLE_RECORDS", "SPF-01", "{count} v=spf1 TXT records at {domain}: permerror",
     "Merge them into a single v=spf1 TXT record; more than one makes every SPF check end in "
     "permerror (RFC 7208 §4.5).",
     "Gộp chúng thành một bản ghi TXT v=spf1 duy nhất; có nhiều hơn một bản ghi khiến mọi lần "
     "kiểm tra SPF đều trả về lỗi permerror (RFC 7208 §4.5).",
     "Có {count} bản ghi TXT v=spf1 tại {domain}: permerror"},
    {"SPF_SYNTAX_ERROR", "SPF-01", "Syntax error in SPF term \"{term}\": {reason}",
     "Correct the term \"{term}\" (RFC 7208 §4.6.1, §5, §6); a single invalid term makes the "
     "whole record a permerror.",
     "Sửa lại mục \"{term}\" (RFC 7208 §4.6.1, §5, §6); chỉ một mục sai cũng khiến toàn bộ bản "
     "ghi bị lỗi permerror.",
     "Lỗi cú pháp trong thành phần SPF \"{term}\": {reason}"},
    {"SPF_RECORD_VALID", "SPF-01", "One valid SPF record: {record}", "", "",
     "Có một bản ghi SPF hợp lệ: {record}"},
    {"SPF_POLICY_HARDFAIL", "SPF-02", "Unlisted senders fail: \"-all\" (in the record of {domain})",
     "", "",
     "Máy chủ gửi không được liệt kê nhận kết quả fail: \"-all\" (trong bản ghi của "
     "{domain})"},
    {"SPF_POLICY_SOFTFAIL_DMARC_ENFORCED", "SPF-02",
     "Unlisted senders soft-fail (\"~all\" at {domain}) and DMARC enforcement acts on them", "", "",
     "Máy chủ gửi không được liệt kê nhận kết quả softfail (\"~all\" tại {domain}) và chính "
     "sách DMARC thực thi sẽ xử lý chúng"},
    {"SPF_POLICY_SOFTFAIL", "SPF-02",
     "Unlisted senders only soft-fail (\"~all\" at {domain}) and DMARC is not enforcing",
     "End the record with \"-all\", or enforce DMARC (p=quarantine or p=reject) so that \"~all\" "
     "failures are acted on.",
     "Kết thúc bản ghi bằng \"-all\", hoặc áp dụng DMARC ở chế độ thực thi (p=quarantine hoặc "
     "p=reject) để các thư không đạt \"~all\" bị xử lý.",
     "Máy chủ gửi không được liệt kê chỉ nhận kết quả softfail (\"~all\" tại {domain}) và "
     "DMARC chưa ở chế độ thực thi"},
    {"SPF_POLICY_NEUTRAL", "SPF-02", "Unlisted senders get a neutral result (\"?all\" at {domain})",
     "Replace \"?all\" with \"-all\" once every legitimate sending service is listed.",
     "Thay \"?all\" bằng \"-all\" sau khi đã liệt kê đầy đủ các dịch vụ gửi thư hợp lệ.",
     "Máy chủ gửi không được liệt kê nhận kết quả neutral (\"?all\" tại {domain})"},
    {"SPF_POLICY_PASS_ALL", "SPF-02",
     "\"+all\" at {domain}: any server on the Internet may send as this domain",
     "Remove \"+all\"; list the sending servers and end the record with \"-all\".",
     "Xoá \"+all\"; liệt kê các máy chủ gửi thư và kết thúc bản ghi bằng \"-all\".",
     "\"+all\" tại {domain}: bất kỳ máy chủ nào trên Internet cũng có thể gửi thư nhân danh tên "
     "miền này"},
    {"SPF_POLICY_PERMERROR", "SPF-02",
     "The SPF evaluation of {domain} ends in permerror, so receivers treat the domain as having "
     "no usable SPF (RFC 7208 §2.6.7); see SPF-01 and SPF-03 for the cause",
     "Fix the cause reported by SPF-03 (too many lookups, a missing or looping include or "
     "redirect, too many void lookups) so that the record evaluates to its \"all\" again.",
     "Khắc phục nguyên nhân do SPF-03 nêu (quá nhiều truy vấn, include hoặc redirect bị thiếu "
     "hay lặp vòng, quá nhiều truy vấn rỗng) để bản ghi lại được đánh giá tới mục \"all\".",
     "Đánh giá SPF của {domain} kết thúc bằng permerror nên bên nhận coi như tên miền không có "
     "SPF dùng được (RFC 7208 §2.6.7); xem SPF-01 và SPF-03 để biết nguyên nhân"},
    {"SPF_NO_ALL", "SPF-02",
     "The record of {domain} has no \"all\" and no redirect: unlisted senders get neutral "
     "(RFC 7208 §4.7)",
     "Add \"-all\" at the end of the record.", "Thêm \"-all\" vào cuối bản ghi.",
     "Bản ghi của {domain} không có \"all\" và không có redirect: máy chủ gửi không được liệt "
     "kê nhận kết quả neutral (RFC 7208 §4.7)"},
    {"SPF_PASSES_ANY_ADDRESS", "SPF-02",
     "The record authorises addresses it lists nowhere ({address}) through \"{path}\": any host "
     "on the Internet passes SPF as this domain",
     "Remove the overly broad term (for example +all, ip4:0.0.0.0/0, a/0, or an include that "
     "ends in +all) so that only your own servers pass.",
     "Gỡ bỏ mục cho phép quá rộng (ví dụ +all, ip4:0.0.0.0/0, a/0 hoặc một include kết thúc "
     "bằng +all) để chỉ các máy chủ của cơ quan mới được chấp nhận.",
     "Bản ghi cho phép các địa chỉ không được liệt kê ở đâu ({address}) thông qua \"{path}\": mọi "
     "máy chủ trên Internet đều qua được SPF nhân danh tên miền này"},
    {"SPF_REDIRECT_TARGET_MISSING", "SPF-03",
     "redirect target {target} has no SPF record: permerror",
     "Publish a v=spf1 TXT record at {target}, or point redirect= at a domain that has one.",
     "Xuất bản bản ghi TXT v=spf1 tại {target}, hoặc trỏ redirect= tới một tên miền có bản ghi "
     "SPF.",
     "Đích redirect {target} không có bản ghi SPF: permerror"},
    {"SPF_INCLUDE_TARGET_MISSING", "SPF-03",
     "\"{term}\" in the record of {domain}: {target} has no SPF record (permerror)",
     "Fix or remove \"{term}\": an included domain must publish a v=spf1 TXT record.",
     "Sửa hoặc xoá \"{term}\": tên miền được include phải có bản ghi TXT v=spf1.",
     "\"{term}\" trong bản ghi của {domain}: {target} không có bản ghi SPF (permerror)"},
    {"SPF_INCLUDE_PERMERROR", "SPF-03",
     "The SPF record of {domain}, reached through include or redirect, is invalid: {reason}",
     "Ask the operator of {domain} to fix its SPF record, or stop referring to it.",
     "Đề nghị đơn vị quản lý {domain} sửa bản ghi SPF, hoặc ngừng tham chiếu tới tên miền này.",
     "Bản ghi SPF của {domain}, được tham chiếu qua include hoặc redirect, không hợp lệ: {reason}"},
    {"SPF_TOO_MANY_LOOKUPS", "SPF-03",
     "{count} DNS-querying terms (limit {limit}); the limit is passed at {at}",
     "Reduce the terms that cause DNS lookups (include, a, mx, ptr, exists, redirect) to at most "
     "10 in total, for example by replacing includes with ip4:/ip6: ranges or removing unused "
     "providers.",
     "Giảm tổng số mục gây truy vấn DNS (include, a, mx, ptr, exists, redirect) xuống tối đa 10, "
     "ví dụ thay include bằng các dải ip4:/ip6: hoặc bỏ các nhà cung cấp không còn sử dụng.",
     "{count} thành phần cần truy vấn DNS (giới hạn {limit}); vượt giới hạn tại {at}"},
    {"SPF_LOOKUPS_NEAR_LIMIT", "SPF-03",
     "{count} DNS-querying terms: close to the limit of {limit}",
     "Remove unneeded include/a/mx terms so that a change at a provider does not push the record "
     "over 10 lookups.",
     "Bỏ các mục include/a/mx không cần thiết để thay đổi từ phía nhà cung cấp không đẩy tổng số "
     "truy vấn vượt quá 10.",
     "{count} thành phần cần truy vấn DNS: gần chạm giới hạn {limit}"},
    {"SPF_TOO_MANY_VOID_LOOKUPS", "SPF-03",
     "{count} lookups returned no records (limit {limit}): permerror",
     "Remove the terms that point at names without records (NXDOMAIN or no data); more than two "
     "make receivers return permerror (RFC 7208 §4.6.4).",
     "Xoá các mục trỏ tới tên không có bản ghi (NXDOMAIN hoặc không có dữ liệu); quá hai lần như "
     "vậy khiến bên nhận trả về permerror (RFC 7208 §4.6.4).",
     "{count} truy vấn không trả về bản ghi nào (giới hạn {limit}): permerror"},
    {"SPF_TOO_MANY_MX", "SPF-03",
     "\"{term}\": {domain} has {count} MX records (limit {limit}): permerror",
     "Use ip4:/ip6: or a: terms instead of mx for {domain}, or reduce its MX records to 10 or "
     "fewer.",
     "Dùng các mục ip4:/ip6: hoặc a: thay cho mx đối với {domain}, hoặc giảm số bản ghi MX xuống "
     "tối đa 10.",
     "\"{term}\": {domain} có {count} bản ghi MX (giới hạn {limit}): permerror"},
    {"SPF_PTR_USED", "SPF-03",
     "The \"ptr\" mechanism or %{p} macro is used; RFC 7208 §5.5 says it SHOULD NOT be",
     "Replace ptr with ip4:/ip6: ranges or a: terms for the sending servers.",
     "Thay ptr bằng các dải ip4:/ip6: hoặc mục a: cho các máy chủ gửi thư.",
     "Có dùng cơ chế \"ptr\" hoặc macro %{p}; RFC 7208 §5.5 khuyến nghị KHÔNG NÊN dùng"},
    {"SPF_LOOKUPS_OK", "SPF-03",
     "{count} DNS-querying terms and {voids} void lookups: within the limits", "", "",
     "{count} thành phần cần truy vấn DNS và {voids} truy vấn rỗng: nằm trong giới hạn"},
}};

Finding lookupError(const std::string& name, std::uint16_t type, dns::DnsStatus status) {
  Finding f = makeFinding("SPF_LOOKUP_ERROR", Status::Error);
  f.arg("name", name).arg("type", dns::typeName(type)).arg("status", std::string(toString(status)));
  return f;
}

// SPF-02 and SPF-03 need one parseable record; otherwise they repeat SPF-01's reason.
// Returns false when the record problem (or a lookup error) decided the result.
bool requireRecord(const SpfEvidence& e, CheckResult& r) {
  if (e.txt.isError()) {
    r.add(lookupError(e.txt.qname, e.txt.qtype, e.txt.status));
    return false;
  }
  if (e.records.empty()) {
    r.add(makeFinding(e.spf_rr_only ? "SPF_RR_TYPE_ONLY" : "SPF_NO_RECORD", Status::Fail))
        .arg("domain", e.domain);
    return false;
  }
  if (e.records.size() > 1) {
    r.add(makeFinding("SPF_MULTIPLE_RECORDS", Status::Fail))
        .arg("count", static_cast<std::int64_t>(e.records.size()))
        .arg("domain", e.domain);
    return false;
  }
  if (e.parsed && !e.parsed->ok()) {
    for (const auto& err : e.parsed->errors)
      r.add(makeFinding("SPF_SYNTAX_ERROR", Status::Fail))
          .arg("term", err.term)
          .arg("reason", err.reason);
    return false;
  }
  return true;
}

const SpfNode* findRedirectChild(const SpfNode& node) {
  for (const auto& c : node.children)
    if (c.term.rfind("redirect=", 0) == 0) return &c;
  return nullptr;
}

// Follows redirect= through the audit tree to the record holding the effective "all".
void resolveEffectivePolicy(SpfEvidence& e) {
  const SpfNode* node = &e.audit.tree;
  for (int hop = 0; hop <= kMaxRedirectHops; ++hop) {
    if (node->record.empty()) {
      e.redirect_target = node->domain;
      e.effective = node->result == "temperror" ? EffectivePolicy::LookupError
                                                : EffectivePolicy::RedirectMissing;
      return;
    }
    SpfParseResult p = parseSpfRecord(node->record);
    if (!p.ok()) {
      e.redirect_target = node->domain;
      e.effective = EffectivePolicy::RedirectInvalid;
      return;
    }
    if (auto q = p.record.allQualifier()) {
      e.effective = EffectivePolicy::All;
      e.effective_all = q;
      e.effective_domain = node->domain;
      return;
    }
    if (!p.record.redirect) {
      e.effective = EffectivePolicy::NoAll;
      e.effective_domain = node->domain;
      return;
    }
    const SpfNode* next = findRedirectChild(*node);
    if (next == nullptr) {
      // The evaluation stopped before the redirect: a lookup error, a limit, or a match of
      // the audit client. Only the lookup error leaves the policy unknown.
      e.effective = e.audit.result == SpfResult::TempError ? EffectivePolicy::LookupError
                                                           : EffectivePolicy::Unknown;
      return;
    }
    e.redirect_chain.push_back(next->domain);
    node = next;
  }
  e.effective = EffectivePolicy::Unknown;
}

// guidance §3.1 "does not send": only "-all", possibly reached through redirects.
bool onlyRejects(const SpfNode& node, int hops) {
  if (node.record.empty() || hops > kMaxRedirectHops) return false;
  SpfParseResult p = parseSpfRecord(node.record);
  if (!p.ok()) return false;
  const auto& m = p.record.mechanisms;
  if (m.size() == 1) return m[0].kind == MechanismKind::All && m[0].qualifier == Qualifier::Fail;
  if (!m.empty() || !p.record.redirect) return false;
  const SpfNode* next = findRedirectChild(node);
  return next != nullptr && onlyRejects(*next, hops + 1);
}

// The path of terms that matched the audit client, e.g. "include:x > +all", and its last term.
bool matchPath(const SpfNode& node, std::string& path, std::string& last) {
  for (const auto& c : node.children) {
    bool redirect = c.term.rfind("redirect=", 0) == 0;
    if (c.result != "match" && !(redirect && c.result == "pass")) continue;
    path += (path.empty() ? "" : " > ") + c.term;
    last = c.term;
    matchPath(c, path, last);
    return true;
  }
  return false;
}

// Did a passing client match a term that lists it (a network or a host of the sender's own), or
// one that passes addresses listed nowhere: "all", "exists" (a wildcard answers every address),
// or a network wider than /8 (IPv4) or /16 (IPv6), such as ip4:0.0.0.0/0 or a/0?
bool passesUnlisted(const SpfProbe& p) {
  if (p.result != SpfResult::Pass) return false;
  SpfParseResult parsed = parseSpfRecord("v=spf1 " + p.match_term);
  if (!parsed.ok() || parsed.record.mechanisms.size() != 1) return false;
  const Mechanism& m = parsed.record.mechanisms.front();
  switch (m.kind) {
    case MechanismKind::All:
    case MechanismKind::Exists:
      return true;
    case MechanismKind::Ip4:
      return m.cidr4 < kWidestListedPrefix4;
    case MechanismKind::Ip6:
      return m.cidr6 < kWidestListedPrefix6;
    case MechanismKind::A:
    case MechanismKind::Mx:
      return m.cidr4 < kWidestListedPrefix4 || m.cidr6 < kWidestListedPrefix6;
    case MechanismKind::Include:
    case MechanismKind::Ptr:
      return false;
  }
  return false;
}

Json recordEvidence(const SpfEvidence& e) {
  Json out = Json::object({{"domain", e.domain}, {"txt", dns::toJson(e.txt)}});
  if (e.spf_rr) out.set("spf_rr", dns::toJson(*e.spf_rr));
  Json recs = Json::array();
  for (const auto& r : e.records) recs.push(r);
  out.set("records", recs);
  if (!e.record.empty()) out.set("record", e.record);
  if (e.parsed && !e.parsed->ok()) {
    Json errs = Json::array();
    for (const auto& err : e.parsed->errors)
      errs.push(Json::object({{"term", err.term}, {"reason", err.reason}}));
    out.set("syntax_errors", errs);
  }
  return out;
}

Json evaluationEvidence(const SpfEvidence& e) {
  Json out = Json::object({{"client", e.audit_client},
                           {"result", std::string(toString(e.audit.result))},
                           {"lookups", e.audit.lookups},
                           {"lookup_limit", kLookupLimit},
                           {"void_lookups", e.audit.void_lookups},
                           {"void_limit", kVoidLimit}});
  if (e.audit.limit_exceeded) out.set("limit_exceeded_at", e.audit.limit_exceeded_at);
  out.set("tree", toJson(e.audit.tree));
  Json answers = Json::array();
  for (const auto& a : e.audit.answers) answers.push(dns::toJson(a));
  out.set("answers", answers);
  Json probes = Json::array();
  for (const auto& p : e.probes) {
    Json probe = Json::object({{"client", p.client},
                               {"result", std::string(toString(p.result))},
                               {"lookups", p.lookups}});
    if (!p.match_path.empty()) probe.set("match_path", p.match_path);
    probes.push(probe);
  }
  out.set("probes", probes);
  return out;
}

CheckResult finish(CheckResult r) {
  fillRemediation(r, spfTagSpecs());
  return r;
}

}  // namespace

SpfEvidence gatherSpf(dns::Resolver& resolver, std::string_view domain) {
  SpfEvidence e;
  e.domain = dns::normaliseName(domain);
  e.txt = resolver.query(e.domain, dns::rr::TXT);
  if (e.txt.isError()) return e;
  for (const auto& r : e.txt.records) {
    std::string text = r.joinedText();
    if (isSpfRecord(text)) e.records.push_back(std::move(text));
  }
  if (e.records.empty()) {
    // The one place type 99 is asked: to tell "no SPF" from "SPF only in the obsolete type".
    if (e.txt.status != dns::DnsStatus::NxDomain) {
      e.spf_rr = resolver.query(e.domain, dns::rr::SPF);
      for (const auto& r : e.spf_rr->records)
        if (isSpfRecord(r.joinedText())) e.spf_rr_only = true;
    }
    return e;
  }
  if (e.records.size() > 1) return e;
  e.record = e.records.front();
  e.parsed = parseSpfRecord(e.record);
  if (!e.parsed->ok()) return e;
  // Every audit client walks the record (the cache answers the repeated names). The walk kept
  // for judgement is the worst case: most lookups, a client the record matches nowhere first.
  auto rank = [](const SpfEvaluation& w) {
    return std::pair(w.lookups, w.result != SpfResult::Pass);
  };
  for (std::string_view client : kAuditClientAddresses) {
    SpfEvaluation walk = auditSpf(resolver, e.domain, client);
    SpfProbe probe{std::string(client), walk.result, walk.lookups, {}, {}};
    if (walk.result == SpfResult::Pass) matchPath(walk.tree, probe.match_path, probe.match_term);
    e.probes.push_back(std::move(probe));
    if (!e.evaluated || rank(walk) > rank(e.audit)) {
      e.audit = std::move(walk);
      e.audit_client = std::string(client);
      e.evaluated = true;
    }
  }
  resolveEffectivePolicy(e);
  e.rejects_all = onlyRejects(e.audit.tree, 0);
  return e;
}

// Spec: docs/checks/SPF-01.md
CheckResult judgeSpf01(const SpfEvidence& e) {
  CheckResult r;
  r.id = "SPF-01";
  r.evidence = recordEvidence(e);
  if (requireRecord(e, r))
    r.add(makeFinding("SPF_RECORD_VALID", Status::Pass)).arg("record", e.record);
  return finish(std::move(r));
}

// Spec: docs/checks/SPF-02.md
CheckResult judgeSpf02(const SpfEvidence& e, bool dmarcEnforcing) {
  CheckResult r;
  r.id = "SPF-02";
  r.evidence = recordEvidence(e);
  if (!requireRecord(e, r)) return finish(std::move(r));
  Json policy = Json::object({{"dmarc_enforcing", dmarcEnforcing}});
  if (e.effective_all)
    policy.set("effective_all", std::string(1, qualifierChar(*e.effective_all)) + "all");
  if (!e.effective_domain.empty()) policy.set("effective_domain", e.effective_domain);
  Json chain = Json::array();
  for (const auto& d : e.redirect_chain) chain.push(d);
  policy.set("redirect_chain", chain);
  policy.set("audit_result", std::string(toString(e.audit.result)));
  // A walk that ends in permerror gives receivers no usable SPF (RFC 7208 §2.6.7), whatever
  // "all" the record ends with: the policy is the permerror (guidance §3.6). SPF-03 names the
  // cause; a redirect target that is missing or invalid is reported below.
  const bool permerror = e.audit.result == SpfResult::PermError &&
                         e.effective != EffectivePolicy::RedirectMissing &&
                         e.effective != EffectivePolicy::RedirectInvalid;
  if (permerror) policy.set("result", "permerror");
  r.evidence.set("policy", policy);

  // Rubric 2026-12: several clients from different ranges and families, listed nowhere in the
  // record, pass it: any host on the Internet passes SPF aligned with the domain.
  std::vector<const SpfProbe*> arbitrary;
  for (const auto& p : e.probes)
    if (passesUnlisted(p)) arbitrary.push_back(&p);
  if (arbitrary.size() >= kArbitraryClients) {
    std::vector<std::string> clients;
    for (const auto* p : arbitrary) clients.push_back(p->client);
    r.add(makeFinding("SPF_PASSES_ANY_ADDRESS", Status::Fail))
        .arg("address", joined(clients))
        .arg("path", arbitrary.front()->match_path);
  }
  if (permerror) {
    r.add(makeFinding("SPF_POLICY_PERMERROR", Status::Fail)).arg("domain", e.domain);
    return finish(std::move(r));
  }
  switch (e.effective) {
    case EffectivePolicy::LookupError:
    case EffectivePolicy::Unknown:
      for (const auto& f : e.audit.lookup_failures) r.add(lookupError(f.name, f.type, f.status));
      break;
    case EffectivePolicy::RedirectMissing:
      r.add(makeFinding("SPF_REDIRECT_TARGET_MISSING", Status::Fail))
          .arg("target", e.redirect_target);
      break;
    case EffectivePolicy::RedirectInvalid:
      r.add(makeFinding("SPF_INCLUDE_PERMERROR", Status::Fail))
          .arg("domain", e.redirect_target)
          .arg("reason", "syntax error");
      break;
    case EffectivePolicy::NoAll:
      // RFC 7208 §4.7: without "all" and redirect the default result is neutral, the same as
      // "?all": the rubric's fail.
      r.add(makeFinding("SPF_NO_ALL", Status::Fail)).arg("domain", e.effective_domain);
      break;
    case EffectivePolicy::All:
      switch (*e.effective_all) {
        case Qualifier::Fail:
          r.add(makeFinding("SPF_POLICY_HARDFAIL", Status::Pass)).arg("domain", e.effective_domain);
          break;
        case Qualifier::SoftFail:
          if (dmarcEnforcing) {
            r.add(makeFinding("SPF_POLICY_SOFTFAIL_DMARC_ENFORCED", Status::Pass))
                .arg("domain", e.effective_domain);
          } else {
            r.add(makeFinding("SPF_POLICY_SOFTFAIL", Status::Warn))
                .arg("domain", e.effective_domain);
          }
          break;
        case Qualifier::Neutral:
          r.add(makeFinding("SPF_POLICY_NEUTRAL", Status::Fail)).arg("domain", e.effective_domain);
          break;
        case Qualifier::Pass:
          r.add(makeFinding("SPF_POLICY_PASS_ALL", Status::Fail)).arg("domain", e.effective_domain);
          break;
      }
      break;
  }
  if (r.findings.empty()) {
    // Evaluation stopped before any policy could be seen and no lookup failed (e.g. the lookup
    // limit ended it): SPF-03 reports the cause; the policy itself cannot be read.
    for (const auto& f : e.audit.lookup_failures) r.add(lookupError(f.name, f.type, f.status));
    if (r.findings.empty()) r.add(makeFinding("SPF_NO_ALL", Status::Fail)).arg("domain", e.domain);
  }
  return finish(std::move(r));
}

// Spec: docs/checks/SPF-03.md
CheckResult judgeSpf03(const SpfEvidence& e) {
  CheckResult r;
  r.id = "SPF-03";
  r.evidence = recordEvidence(e);
  if (!requireRecord(e, r)) return finish(std::move(r));
  r.evidence.set("evaluation", evaluationEvidence(e));
  const SpfEvaluation& a = e.audit;
  // A lookup that could not be answered means we cannot tell: error, never fail.
  for (const auto& f : a.lookup_failures)
    r.add(lookupError(f.name, f.type, f.status)).arg("path", f.path);
  if (a.limit_exceeded) {
    r.add(makeFinding("SPF_TOO_MANY_LOOKUPS", Status::Fail))
        .arg("count", static_cast<std::int64_t>(a.lookups))
        .arg("limit", static_cast<std::int64_t>(kLookupLimit))
        .arg("at", a.limit_exceeded_at);
  }
  for (const auto& i : a.issues) {
    switch (i.kind) {
      case SpfIssueKind::TooManyLookups:
        break;  // reported above with the total count
      case SpfIssueKind::TooManyVoidLookups:
        r.add(makeFinding("SPF_TOO_MANY_VOID_LOOKUPS", Status::Fail))
            .arg("count", static_cast<std::int64_t>(a.void_lookups))
            .arg("limit", static_cast<std::int64_t>(kVoidLimit));
        break;
      case SpfIssueKind::IncludeNoRecord:
        r.add(makeFinding("SPF_INCLUDE_TARGET_MISSING", Status::Fail))
            .arg("term", i.term)
            .arg("domain", i.domain)
            .arg("target", i.detail);
        break;
      case SpfIssueKind::RedirectNoRecord:
        r.add(makeFinding("SPF_REDIRECT_TARGET_MISSING", Status::Fail)).arg("target", i.detail);
        break;
      case SpfIssueKind::TooManyMxRecords:
        r.add(makeFinding("SPF_TOO_MANY_MX", Status::Fail))
            .arg("term", i.term)
            .arg("domain", i.domain)
            .arg("count", i.detail)
            .arg("limit", static_cast<std::int64_t>(kMxLimit));
        break;
      case SpfIssueKind::SyntaxError:
      case SpfIssueKind::MultipleRecords:
      case SpfIssueKind::TooDeep:
        r.add(makeFinding("SPF_INCLUDE_PERMERROR", Status::Fail))
            .arg("domain", i.domain)
            .arg("reason", std::string(toString(i.kind)) +
                               (i.term.empty() ? "" : " in \"" + i.term + "\"") +
                               (i.detail.empty() ? "" : ": " + i.detail));
        break;
    }
  }
  if (a.ptr_used) r.add(makeFinding("SPF_PTR_USED", Status::Warn));
  if (!a.limit_exceeded && a.lookups >= kNearLimit) {
    r.add(makeFinding("SPF_LOOKUPS_NEAR_LIMIT", Status::Warn))
        .arg("count", static_cast<std::int64_t>(a.lookups))
        .arg("limit", static_cast<std::int64_t>(kLookupLimit));
  }
  if (r.findings.empty()) {
    r.add(makeFinding("SPF_LOOKUPS_OK", Status::Pass))
        .arg("count", static_cast<std::int64_t>(a.lookups))
        .arg("voids", static_cast<std::int64_t>(a.void_lookups));
  }
  return finish(std::move(r));
}

bool spfRejectsAll(const SpfEvidence& e) {
  return e.rejects_all;
}

std::span<const TagSpec> spfTagSpecs() {
  return kTags;
}

Json toJson(const SpfEvidence& e) {
  Json out = recordEvidence(e);
  if (e.evaluated) out.set("evaluation", evaluationEvidence(e));
  return out;
}

}  // namespace mh::spf
