// DKIM-01 and DKIM-02: selector discovery, the RFC 8020 _domainkey signal, and key quality.
#include "checks/dkim/dkim_check.hpp"

#include <algorithm>
#include <array>

namespace mh::dkim {
namespace {

constexpr int kRsaMinimumBits = 1024;      // RFC 8301 §3.2: signers MUST use at least 1024
constexpr int kRsaRecommendedBits = 2048;  // RFC 8301 §3.2: signers SHOULD use at least 2048

constexpr std::string_view kRfc8020Caveat =
    "RFC 8020: NXDOMAIN at _domainkey means no name exists below it, so no selector can hold a "
    "key. Some broken DNS servers answer NXDOMAIN for empty non-terminals; every probed "
    "selector also answered NXDOMAIN here.";

constexpr std::array<TagSpec, 20> kTagSpecs{{
    {"DKIM_KEY_FOUND", "DKIM-01", "DKIM key found at selector {selector} ({source})", "", "",
     "Tìm thấy khóa DKIM tại selector {selector} ({source})"},
    {"DKIM_NO_USABLE_KEY", "DKIM-01",
     "DKIM records found at {selectors}, but none holds a usable email signing key",
     "Publish a valid DKIM public key (TXT \"v=DKIM1; k=rsa; p=<2048-bit key>\") at "
     "<selector>._domainkey.<domain> for the selector your mail server signs with, and remove "
     "broken or revoked records.",
     "Công bố khóa công khai DKIM hợp lệ (bản ghi TXT \"v=DKIM1; k=rsa; p=<khóa RSA 2048 bit>\") "
     "tại <selector>._domainkey.<tên miền> cho selector mà máy chủ thư dùng để ký, và gỡ bỏ các "
     "bản ghi hỏng hoặc đã thu hồi.",
     "Có bản ghi DKIM tại {selectors} nhưng không bản ghi nào chứa khóa ký thư dùng được"},
    {"DKIM_SELECTOR_UNKNOWN", "DKIM-01",
     "_domainkey.{domain} exists but no DKIM key was found at a registered or common selector",
     "Make sure every outgoing mail server signs with DKIM and publishes its key as TXT "
     "\"v=DKIM1; k=rsa; p=<2048-bit key>\" at <selector>._domainkey.{domain}; register the "
     "selector with the audit service so that it can be checked.",
     "Bảo đảm mọi máy chủ gửi thư đều ký DKIM và công bố khóa công khai dưới dạng bản ghi TXT "
     "\"v=DKIM1; k=rsa; p=<khóa RSA 2048 bit>\" tại <selector>._domainkey.{domain}; đăng ký "
     "selector với dịch vụ đánh giá để có thể kiểm tra.",
     "_domainkey.{domain} tồn tại nhưng không tìm thấy khóa DKIM tại selector đã đăng ký hoặc "
     "selector thông dụng nào"},
    {"DKIM_NO_DOMAINKEY", "DKIM-01",
     "{name} does not exist (NXDOMAIN) and no probed selector holds a key: no DKIM key is "
     "published (RFC 8020; a broken DNS server may answer NXDOMAIN for an empty non-terminal)",
     "Enable DKIM signing on every outgoing mail server and publish its public key as TXT "
     "\"v=DKIM1; k=rsa; p=<2048-bit key>\" at <selector>._domainkey.{domain}.",
     "Bật ký DKIM trên mọi máy chủ gửi thư và công bố khóa công khai dưới dạng bản ghi TXT "
     "\"v=DKIM1; k=rsa; p=<khóa RSA 2048 bit>\" tại <selector>._domainkey.{domain}.",
     "{name} không tồn tại (NXDOMAIN) và không selector nào được dò có khóa: chưa công bố khóa "
     "DKIM (RFC 8020; máy chủ DNS lỗi có thể trả NXDOMAIN cho một tên trung gian rỗng)"},
    {"DKIM_DOMAINKEY_NXDOMAIN_INCONSISTENT", "DKIM-01",
     "{name} answered NXDOMAIN although names exist below it (the DNS server violates RFC 8020)",
     "", "", "{name} trả về NXDOMAIN dù vẫn có tên bên dưới nó (máy chủ DNS vi phạm RFC 8020)"},
    {"DKIM_LOOKUP_ERROR", "DKIM-01",  // also DKIM-02
     "DNS lookup of {name} TXT failed ({status}): the result could not be determined", "", "",
     "Truy vấn DNS {name} TXT thất bại ({status}): không xác định được kết quả"},
    {"DKIM_SELECTOR_UNCHECKED", "DKIM-01",  // also DKIM-02
     "DNS lookup of {name} TXT failed ({status}); the verdict rests on the other selectors", "", "",
     "Truy vấn DNS {name} TXT thất bại ({status}); kết luận dựa trên các selector còn lại"},
    {"DKIM_SELECTOR_INVALID_NAME", "DKIM-01",
     "Selector {selector} does not form a valid DNS name; it was not queried", "", "",
     "Selector {selector} không tạo thành tên DNS hợp lệ nên không được truy vấn"},
    {"DKIM_RSA_KEY_OK", "DKIM-02", "Selector {selector}: RSA key of {bits} bits", "", "",
     "Selector {selector}: khóa RSA {bits} bit"},
    {"DKIM_ED25519_KEY", "DKIM-02", "Selector {selector}: Ed25519 key (RFC 8463)", "", "",
     "Selector {selector}: khóa Ed25519 (RFC 8463)"},
    {"DKIM_RSA_KEY_WEAK", "DKIM-02",
     "Selector {selector}: RSA key of {bits} bits (RFC 8301 recommends at least 2048)",
     "Generate a 2048-bit RSA (or Ed25519) DKIM key, publish it under a new selector, switch "
     "signing to it, then revoke the old key {selector} by publishing it with an empty p=.",
     "Tạo khóa DKIM RSA 2048 bit (hoặc Ed25519), công bố dưới một selector mới, chuyển sang ký "
     "bằng khóa mới, rồi thu hồi khóa cũ {selector} bằng cách để trống p=.",
     "Selector {selector}: khóa RSA {bits} bit (RFC 8301 khuyến nghị tối thiểu 2048 bit)"},
    {"DKIM_RSA_KEY_TOO_SHORT", "DKIM-02",
     "Selector {selector}: RSA key of {bits} bits, below the RFC 8301 minimum of 1024",
     "Replace the {bits}-bit key at {selector}: verifiers reject keys under 1024 bits (RFC "
     "8301). Publish a 2048-bit RSA key under a new selector and sign with it.",
     "Thay khóa {bits} bit tại selector {selector}: bên nhận từ chối khóa dưới 1024 bit (RFC "
     "8301). Công bố khóa RSA 2048 bit dưới một selector mới và ký bằng khóa đó.",
     "Selector {selector}: khóa RSA {bits} bit, dưới mức tối thiểu 1024 bit của RFC 8301"},
    {"DKIM_KEY_SHA1_ONLY", "DKIM-02",
     "Selector {selector}: h= allows only sha1 (rsa-sha1 is forbidden by RFC 8301)",
     "Remove h=sha1 from the key record at {selector}._domainkey (or set h=sha256) and sign "
     "with rsa-sha256.",
     "Bỏ h=sha1 khỏi bản ghi khóa tại {selector}._domainkey (hoặc đặt h=sha256) và ký bằng "
     "rsa-sha256.",
     "Selector {selector}: h= chỉ cho phép sha1 (RFC 8301 cấm rsa-sha1)"},
    {"DKIM_KEY_TESTING", "DKIM-02", "Selector {selector}: testing flag t=y is set",
     "Remove t=y from the key record at {selector}._domainkey once signing works: in testing "
     "mode receivers may treat signed mail like unsigned mail.",
     "Bỏ cờ t=y khỏi bản ghi khóa tại {selector}._domainkey khi việc ký đã hoạt động ổn định: ở "
     "chế độ thử nghiệm, bên nhận có thể coi thư đã ký như thư không ký.",
     "Selector {selector}: đang bật cờ thử nghiệm t=y"},
    {"DKIM_KEY_REVOKED", "DKIM-02", "Selector {selector}: key revoked (empty p=) but still listed",
     "Remove the revoked record at {selector}._domainkey once no mail signed with it is in "
     "transit, or publish the current key there.",
     "Xóa bản ghi khóa đã thu hồi tại {selector}._domainkey khi không còn thư nào ký bằng khóa "
     "này đang được chuyển, hoặc công bố khóa hiện hành tại đó.",
     "Selector {selector}: khóa đã bị thu hồi (p= để trống) nhưng vẫn còn được công bố"},
    {"DKIM_KEY_UNUSABLE", "DKIM-02", "Selector {selector}: key cannot be used ({reason})",
     "Republish the key at {selector}._domainkey exactly as generated ({reason}): k=rsa with the "
     "base64 DER public key, or k=ed25519 with the base64 32-byte key.",
     "Công bố lại khóa tại {selector}._domainkey đúng như khi tạo (lỗi: {reason}): k=rsa với "
     "khóa công khai DER mã hóa base64, hoặc k=ed25519 với khóa 32 byte mã hóa base64.",
     "Selector {selector}: không dùng được khóa ({reason})"},
    {"DKIM_KEY_RECORD_INVALID", "DKIM-02",
     "Selector {selector}: not a valid DKIM key record ({reason})",
     "Fix the TXT record at {selector}._domainkey ({reason}): it must read \"v=DKIM1; k=rsa; "
     "p=<base64 key>\", tags separated by semicolons, each tag at most once.",
     "Sửa bản ghi TXT tại {selector}._domainkey (lỗi: {reason}): bản ghi phải có dạng "
     "\"v=DKIM1; k=rsa; p=<khóa base64>\", các thẻ phân tách bằng dấu chấm phẩy, mỗi thẻ chỉ "
     "xuất hiện một lần.",
     "Selector {selector}: không phải bản ghi khóa DKIM hợp lệ ({reason})"},
    {"DKIM_KEY_NOT_FOR_EMAIL", "DKIM-02",
     "Selector {selector}: key restricted to service types {services}, not email", "", "",
     "Selector {selector}: khóa chỉ dành cho loại dịch vụ {services}, không dùng cho thư điện tử"},
    {"DKIM_SELECTOR_MULTIPLE_RECORDS", "DKIM-02",
     "Selector {selector}: {count} DKIM key records (results are undefined, RFC 6376 §3.6.2.2)",
     "Keep exactly one TXT record at {selector}._domainkey.",
     "Chỉ giữ đúng một bản ghi TXT tại {selector}._domainkey.",
     "Selector {selector}: có {count} bản ghi khóa DKIM (kết quả không xác định, RFC 6376 "
     "§3.6.2.2)"},
    {"DKIM_NO_KEY_TO_ASSESS", "DKIM-02",
     "No DKIM key record found, so key quality cannot be "
     "assessed (see DKIM-01)",
     "", "",
     "Không tìm thấy bản ghi khóa DKIM nên không thể đánh giá chất lượng khóa (xem DKIM-01)"},
}};

const std::vector<std::string> kCommonSelectors = {
    // guidance.md §3.5
    "default", "selector1", "selector2", "google", "k1", "s1", "s2", "mail", "dkim",
    // providers and mail software: Mailchimp/Mandrill (k2, k3, mandrill), DirectAdmin (x),
    // Zoho (zoho, zmail), iCloud (sig1), Everlytic, MXroute, generic names seen in the wild
    "k2", "k3", "mandrill", "x", "zoho", "zmail", "sig1", "everlytickey1", "everlytickey2",
    "mxvault", "key1", "key2", "dkim1", "smtp", "email", "mx"};

Json namesJson(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push(s);
  return a;
}

std::string joinNames(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void addLookupFinding(CheckResult& r, const dns::DnsAnswer& a, bool verdictReached) {
  auto f = makeFinding(verdictReached ? "DKIM_SELECTOR_UNCHECKED" : "DKIM_LOOKUP_ERROR",
                       verdictReached ? Status::Info : Status::Error);
  f.arg("name", a.qname).arg("status", std::string(dns::toString(a.status)));
  r.add(std::move(f));
}

// The answers that could not be obtained (timeout, SERVFAIL, ...), _domainkey first.
std::vector<const dns::DnsAnswer*> lookupErrors(const DkimEvidence& e) {
  std::vector<const dns::DnsAnswer*> out;
  if (e.domainkey.isError()) out.push_back(&e.domainkey);
  for (const auto& s : e.selectors)
    if (s.answer.isError()) out.push_back(&s.answer);
  return out;
}

CheckResult notApplicable(std::string id, const DkimEvidence& e) {
  CheckResult r;
  r.id = std::move(id);
  r.status = Status::Na;
  r.evidence = Json::object({{"domain", e.domain}, {"reason", "domain does not send mail"}});
  return r;
}

}  // namespace

std::string_view toString(SelectorSource s) {
  return s == SelectorSource::Registered ? "registered" : "common";
}

std::vector<const DkimKey*> SelectorEvidence::dkimRecords() const {
  std::vector<const DkimKey*> out;
  for (const auto& k : keys)
    if (k.looks_like_dkim) out.push_back(&k);
  return out;
}

Json DkimEvidence::toJson() const {
  Json out = Json::object({{"domain", domain}, {"domainkey", dns::toJson(domainkey)}});
  Json probed = Json::array();
  std::vector<std::string> absent;
  for (const auto& s : selectors) {
    if (s.answer.status == dns::DnsStatus::NxDomain) {
      absent.push_back(s.selector);
      continue;
    }
    Json one = Json::object({{"selector", s.selector},
                             {"source", std::string(mh::dkim::toString(s.source))},
                             {"answer", dns::toJson(s.answer)}});
    Json keys = Json::array();
    for (const auto& k : s.keys)
      if (k.looks_like_dkim) keys.push(mh::dkim::toJson(k));
    if (keys.size() > 0) one.set("keys", keys);
    probed.push(one);
  }
  out.set("selectors", probed);
  out.set("nxdomain_selectors", namesJson(absent));
  return out;
}

const std::vector<std::string>& commonSelectors() {
  return kCommonSelectors;
}

DkimEvidence gatherDkim(dns::Resolver& resolver, std::string_view domain,
                        const std::vector<std::string>& registeredSelectors) {
  DkimEvidence e;
  e.domain = dns::normaliseName(domain);
  // Every selector is probed even when _domainkey is NXDOMAIN: servers that wrongly answer
  // NXDOMAIN for empty non-terminals exist, and a found key must outweigh that signal. The
  // questions do not depend on each other, so they are asked as one batch.
  auto add = [&](const std::string& raw, SelectorSource source) {
    std::string selector = dns::normaliseName(raw);
    if (selector.empty()) return;
    for (const auto& s : e.selectors)
      if (s.selector == selector) return;
    SelectorEvidence s;
    s.selector = selector;
    s.source = source;
    s.name = selector + "._domainkey." + e.domain;
    e.selectors.push_back(std::move(s));
  };
  for (const auto& s : registeredSelectors) add(s, SelectorSource::Registered);
  for (const auto& s : kCommonSelectors) add(s, SelectorSource::Common);

  std::vector<dns::DnsQuestion> questions;
  questions.reserve(1 + e.selectors.size());
  questions.push_back({"_domainkey." + e.domain, dns::rr::TXT});
  for (const auto& s : e.selectors) questions.push_back({s.name, dns::rr::TXT});
  auto answers = resolver.queryMany(questions);
  e.domainkey = std::move(answers[0]);
  for (std::size_t i = 0; i < e.selectors.size(); ++i) {
    SelectorEvidence& s = e.selectors[i];
    s.answer = std::move(answers[i + 1]);
    if (s.answer.status == dns::DnsStatus::NoError)
      for (const auto& rec : s.answer.records) s.keys.push_back(parseDkimKey(rec.joinedText()));
  }
  return e;
}

bool dkimKeyFound(const DkimEvidence& e) {
  for (const auto& s : e.selectors)
    for (const auto& k : s.keys)
      if (k.usableForEmail()) return true;
  return false;
}

// Spec: docs/checks/DKIM-01.md
CheckResult judgeDkim01(const DkimEvidence& e, const DomainProfile& profile) {
  if (!profile.sends_mail) return notApplicable("DKIM-01", e);
  CheckResult r;
  r.id = "DKIM-01";
  r.evidence = e.toJson();
  for (const auto& s : e.selectors)
    if (s.answer.status == dns::DnsStatus::InvalidName)
      r.add(makeFinding("DKIM_SELECTOR_INVALID_NAME", Status::Info).arg("selector", s.selector));

  std::vector<std::string> withRecords;
  for (const auto& s : e.selectors) {
    bool usable = std::any_of(s.keys.begin(), s.keys.end(),
                              [](const DkimKey& k) { return k.usableForEmail(); });
    if (usable) {
      r.add(makeFinding("DKIM_KEY_FOUND", Status::Pass)
                .arg("selector", s.selector)
                .arg("source", std::string(toString(s.source))));
    }
    if (!s.dkimRecords().empty()) withRecords.push_back(s.selector);
  }
  auto errors = lookupErrors(e);
  if (dkimKeyFound(e)) {
    for (const auto* a : errors) addLookupFinding(r, *a, true);
    fillRemediation(r, dkimTagSpecs());
    return r;
  }
  // No usable key seen: any answer we could not get might have held one, so we cannot tell.
  if (!errors.empty()) {
    for (const auto* a : errors) addLookupFinding(r, *a, false);
    return r;
  }
  if (!withRecords.empty()) {
    r.add(makeFinding("DKIM_NO_USABLE_KEY", Status::Warn).arg("selectors", joinNames(withRecords)));
    fillRemediation(r, dkimTagSpecs());
    return r;
  }
  bool anySelectorExists = std::any_of(e.selectors.begin(), e.selectors.end(), [](const auto& s) {
    return s.answer.status == dns::DnsStatus::NoError || s.answer.status == dns::DnsStatus::NoData;
  });
  if (e.domainkey.status == dns::DnsStatus::NxDomain && !anySelectorExists) {
    // Per RFC 8020 nothing exists below an NXDOMAIN name, and every probe agrees: no key is
    // published. The guess list is not the basis of this verdict; the NXDOMAIN is.
    r.add(makeFinding("DKIM_NO_DOMAINKEY", Status::Fail)
              .arg("name", e.domainkey.qname)
              .arg("domain", e.domain));
    r.evidence.set("note", kRfc8020Caveat);
  } else {
    if (e.domainkey.status == dns::DnsStatus::NxDomain) {
      r.add(makeFinding("DKIM_DOMAINKEY_NXDOMAIN_INCONSISTENT", Status::Info)
                .arg("name", e.domainkey.qname));
    }
    // The tree exists (or the server is inconsistent) but the selector is unknown to us: never
    // fail a domain only because a selector could not be guessed (guidance §3.5).
    r.add(makeFinding("DKIM_SELECTOR_UNKNOWN", Status::Warn).arg("domain", e.domain));
  }
  fillRemediation(r, dkimTagSpecs());
  return r;
}

// Spec: docs/checks/DKIM-02.md
CheckResult judgeDkim02(const DkimEvidence& e, const DomainProfile& profile) {
  if (!profile.sends_mail) return notApplicable("DKIM-02", e);
  CheckResult r;
  r.id = "DKIM-02";
  r.evidence = e.toJson();
  bool anyRecord = false;
  for (const auto& s : e.selectors) {
    auto records = s.dkimRecords();
    if (records.empty()) continue;
    anyRecord = true;
    if (records.size() > 1) {
      r.add(makeFinding("DKIM_SELECTOR_MULTIPLE_RECORDS", Status::Warn)
                .arg("selector", s.selector)
                .arg("count", static_cast<std::int64_t>(records.size())));
    }
    for (const DkimKey* k : records) {
      switch (k->state) {
        case DkimKeyState::Usable:
          if (k->algorithm == DkimKeyAlgorithm::Ed25519) {
            r.add(makeFinding("DKIM_ED25519_KEY", Status::Pass).arg("selector", s.selector));
          } else {
            const char* tag = k->key_bits < kRsaMinimumBits       ? "DKIM_RSA_KEY_TOO_SHORT"
                              : k->key_bits < kRsaRecommendedBits ? "DKIM_RSA_KEY_WEAK"
                                                                  : "DKIM_RSA_KEY_OK";
            Status st = k->key_bits < kRsaMinimumBits       ? Status::Fail
                        : k->key_bits < kRsaRecommendedBits ? Status::Warn
                                                            : Status::Pass;
            r.add(makeFinding(tag, st)
                      .arg("selector", s.selector)
                      .arg("bits", static_cast<std::int64_t>(k->key_bits)));
          }
          if (k->sha1Only())
            r.add(makeFinding("DKIM_KEY_SHA1_ONLY", Status::Fail).arg("selector", s.selector));
          if (k->testing)
            r.add(makeFinding("DKIM_KEY_TESTING", Status::Warn).arg("selector", s.selector));
          break;
        case DkimKeyState::Revoked:
          r.add(makeFinding("DKIM_KEY_REVOKED", Status::Warn).arg("selector", s.selector));
          break;
        case DkimKeyState::NotForEmail: {
          std::string services;
          for (const auto& t : k->service_types) services += (services.empty() ? "" : ":") + t;
          r.add(makeFinding("DKIM_KEY_NOT_FOR_EMAIL", Status::Info)
                    .arg("selector", s.selector)
                    .arg("services", services));
          break;
        }
        case DkimKeyState::Unusable:
          r.add(makeFinding("DKIM_KEY_UNUSABLE", Status::Warn)
                    .arg("selector", s.selector)
                    .arg("reason", k->problem));
          break;
        case DkimKeyState::Invalid:
          r.add(makeFinding("DKIM_KEY_RECORD_INVALID", Status::Warn)
                    .arg("selector", s.selector)
                    .arg("reason", k->problem));
          break;
      }
    }
  }
  auto errors = lookupErrors(e);
  if (!anyRecord) {
    if (!errors.empty()) {
      for (const auto* a : errors) addLookupFinding(r, *a, false);
      return r;
    }
    r.add(makeFinding("DKIM_NO_KEY_TO_ASSESS", Status::Info));
    return r;
  }
  // The verdict covers the keys seen; selectors we could not query are listed, not guessed.
  for (const auto* a : errors)
    if (a != &e.domainkey) addLookupFinding(r, *a, true);
  fillRemediation(r, dkimTagSpecs());
  return r;
}

std::span<const TagSpec> dkimTagSpecs() {
  return kTagSpecs;
}

}  // namespace mh::dkim
