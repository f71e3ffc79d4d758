// MX-01 evidence gathering and judgement.
#include "checks/mx/mx_check.hpp"

#include <algorithm>

#include "checks/dns/reverse_name.hpp"

namespace mh::mx {

using dns::DnsAnswer;
using dns::DnsStatus;

namespace {

constexpr TagSpec kTags[] = {
    {"MX_OK", "MX-01", "{count} MX host(s), every one resolves to an address", "", "",
     "{count} máy chủ MX, tất cả đều phân giải được ra địa chỉ"},
    {"MX_LOOKUP_ERROR", "MX-01", "could not look up {name} {type}: {status}",
     "Make sure every authoritative nameserver of the domain answers; the check is retried.",
     "Bảo đảm mọi máy chủ tên miền có thẩm quyền đều trả lời; phép kiểm tra sẽ được thực hiện lại.",
     "Không truy vấn được {name} {type}: {status}"},
    {"MX_DOMAIN_NOT_FOUND", "MX-01", "the domain {domain} does not exist (NXDOMAIN)", "", "",
     "Tên miền {domain} không tồn tại (NXDOMAIN)"},
    {"MX_NULL_MX", "MX-01", "null MX (RFC 7505): the domain accepts no mail", "", "",
     "Null MX (RFC 7505): tên miền không nhận thư"},
    {"MX_NULL_MX_WITH_OTHER_MX", "MX-01",
     "null MX published together with {count} other MX record(s)",
     "Remove either the null MX \"0 .\" (if the domain receives mail) or every other MX record "
     "(RFC "
     "7505 §3).",
     "Xóa bản ghi MX rỗng \"0 .\" (nếu tên miền có nhận thư) hoặc xóa mọi bản ghi MX khác (RFC "
     "7505 "
     "§3).",
     "Null MX được công bố cùng với {count} bản ghi MX khác"},
    {"MX_NULL_MX_NONZERO_PREFERENCE", "MX-01", "null MX has preference {preference}, not 0",
     "Publish the null MX exactly as \"MX 0 .\" (RFC 7505 §3).",
     "Xuất bản bản ghi MX rỗng đúng dạng \"MX 0 .\" (RFC 7505 §3).",
     "Null MX có độ ưu tiên {preference}, không phải 0"},
    {"MX_IMPLICIT", "MX-01", "no MX record; mail goes to the domain's own address (implicit MX)",
     "Publish an explicit MX record for the host that receives mail, or \"MX 0 .\" if the domain "
     "receives no mail.",
     "Xuất bản bản ghi MX trỏ tới máy chủ nhận thư, hoặc \"MX 0 .\" nếu tên miền không nhận thư.",
     "Không có bản ghi MX; thư được chuyển tới chính địa chỉ của tên miền (MX ngầm định)"},
    {"MX_NONE", "MX-01", "no MX record and no address: the domain receives no mail", "", "",
     "Không có bản ghi MX và không có địa chỉ: tên miền không nhận được thư"},
    {"MX_SINGLE_HOST", "MX-01", "only one MX host ({host}): no fallback when it is down",
     "Consider a second MX host on a different network.",
     "Nên bổ sung máy chủ MX thứ hai trên một mạng khác.",
     "Chỉ có một máy chủ MX ({host}): không có máy chủ dự phòng khi máy chủ này ngừng hoạt động"},
    {"MX_TARGET_CNAME", "MX-01", "MX target {host} is an alias (CNAME to {target})",
     "Point the MX record at the canonical host name {target}, not an alias (RFC 2181 §10.3, RFC "
     "5321 "
     "§5.1).",
     "Trỏ bản ghi MX tới tên máy chủ chính thức {target}, không trỏ tới bí danh CNAME (RFC 2181 "
     "§10.3).",
     "Đích MX {host} là một bí danh (CNAME tới {target})"},
    {"MX_TARGET_IP_LITERAL", "MX-01", "MX target {host} is an IP address, not a host name",
     "An MX record must name a host (RFC 5321 §5.1): publish an A record for a name such as "
     "mail.<domain> and point the MX at that name.",
     "Bản ghi MX phải trỏ tới tên máy chủ, không phải địa chỉ IP (RFC 5321 §5.1): tạo bản ghi A "
     "cho "
     "một tên như mail.<tên miền> và trỏ MX tới tên đó.",
     "Đích MX {host} là một địa chỉ IP, không phải tên máy chủ"},
    {"MX_HOST_UNRESOLVABLE", "MX-01", "MX host {host} has no address ({status})",
     "Publish an A (and/or AAAA) record for {host}, or remove the MX record that names it.",
     "Xuất bản bản ghi A (và/hoặc AAAA) cho {host}, hoặc xóa bản ghi MX trỏ tới nó.",
     "Máy chủ MX {host} không có địa chỉ ({status})"},
    {"MX_NO_RESOLVABLE_HOST", "MX-01",
     "none of the {count} MX host(s) resolves to an address: mail to the domain cannot be "
     "delivered",
     "Point the MX records at host names that have A (and/or AAAA) records, or publish \"MX 0 .\" "
     "if the domain receives no mail. An MX host under a domain that nobody holds can be "
     "registered by anyone, who then receives the agency's mail: fix it first.",
     "Trỏ bản ghi MX tới các tên máy chủ có bản ghi A (và/hoặc AAAA), hoặc công bố \"MX 0 .\" nếu "
     "tên miền không nhận thư. Máy chủ MX thuộc một tên miền chưa ai đăng ký có thể bị người khác "
     "đăng ký để nhận thư của cơ quan: cần khắc phục ngay.",
     "Không máy chủ MX nào trong {count} máy chủ phân giải được ra địa chỉ: thư gửi tới tên miền "
     "không thể chuyển phát"},
    {"MX_TOO_MANY_HOSTS", "MX-01", "{count} MX hosts; only the first {limit} are checked", "", "",
     "Có {count} máy chủ MX; chỉ {limit} máy chủ đầu tiên được kiểm tra"},
};

Finding lookupError(const DnsAnswer& a) {
  return makeFinding("MX_LOOKUP_ERROR", Status::Error)
      .arg("name", a.qname)
      .arg("type", dns::typeName(a.qtype))
      .arg("status", std::string(dns::toString(a.status)));
}

bool hasAddress(const DnsAnswer& a) { return a.hasRecords(); }

}  // namespace

std::vector<std::string> MxHost::addresses() const {
  std::vector<std::string> out;
  for (const auto* ans : {&a, &aaaa})
    for (const auto& r : ans->records) out.push_back(r.data);
  return out;
}

MxEvidence gatherMx(dns::Resolver& resolver, std::string_view domain) {
  MxEvidence e;
  e.domain = dns::normaliseName(domain);
  e.mx = resolver.query(e.domain, dns::rr::MX);
  e.a = resolver.query(e.domain, dns::rr::A);
  e.aaaa = resolver.query(e.domain, dns::rr::AAAA);

  std::vector<dns::DnsRecord> records = e.mx.records;
  std::sort(records.begin(), records.end(), [](const auto& x, const auto& y) {
    return x.preference != y.preference ? x.preference < y.preference : x.data < y.data;
  });
  for (const auto& r : records) {
    if (r.data == ".") {
      e.null_mx = true;
      continue;
    }
    ++e.total_hosts;
    if (e.hosts.size() >= kMaxMxHosts) continue;
    MxHost host;
    host.name = r.data;
    host.preference = r.preference;
    host.ip_literal = dns::isIpLiteral(r.data);
    host.a = resolver.query(host.name, dns::rr::A);
    host.aaaa = resolver.query(host.name, dns::rr::AAAA);
    e.hosts.push_back(std::move(host));
  }
  return e;
}

bool receivesMail(const MxEvidence& e) {
  if (e.mx.isError()) return true;
  if (!e.hosts.empty()) return true;
  if (e.null_mx) return false;
  if (e.mx.status == DnsStatus::NxDomain) return false;
  return hasAddress(e.a) || hasAddress(e.aaaa) || e.a.isError() || e.aaaa.isError();
}

std::vector<MxHost> mailTargets(const MxEvidence& e) {
  if (!e.hosts.empty() || e.null_mx || e.mx.isError()) return e.hosts;
  if (!hasAddress(e.a) && !hasAddress(e.aaaa)) return {};
  MxHost implicit;
  implicit.name = e.domain;
  implicit.a = e.a;
  implicit.aaaa = e.aaaa;
  return {implicit};
}

// Spec: docs/checks/MX-01.md
CheckResult judgeMx01(const MxEvidence& e) {
  CheckResult r;
  r.id = "MX-01";
  Json answers = Json::array();
  answers.push(toJson(e.mx));
  answers.push(toJson(e.a));
  answers.push(toJson(e.aaaa));
  Json hosts = Json::array();
  for (const auto& h : e.hosts) {
    Json addrs = Json::array();
    for (const auto& a : h.addresses()) addrs.push(a);
    hosts.push(Json::object({{"host", h.name},
                             {"preference", static_cast<int>(h.preference)},
                             {"addresses", addrs},
                             {"a", toJson(h.a)},
                             {"aaaa", toJson(h.aaaa)}}));
  }
  r.evidence = Json::object({{"answers", answers}, {"hosts", hosts}});

  if (e.mx.isError()) {
    r.add(lookupError(e.mx));
    fillRemediation(r, kTags);
    return r;
  }
  if (e.mx.status == DnsStatus::NxDomain) {
    r.add(makeFinding("MX_DOMAIN_NOT_FOUND", Status::Info).arg("domain", e.domain));
    return r;
  }

  if (e.null_mx) {
    if (e.total_hosts > 0) {
      r.add(makeFinding("MX_NULL_MX_WITH_OTHER_MX", Status::Fail)
                .arg("count", static_cast<std::int64_t>(e.total_hosts)));
    } else {
      // The rubric suggests a warning for a null MX on a domain without addresses; RFC 7505 §4
      // recommends the null MX for any domain that receives no mail, so it passes here.
      r.add(makeFinding("MX_NULL_MX", Status::Pass));
    }
    for (const auto& rec : e.mx.records)
      if (rec.data == "." && rec.preference != 0)
        r.add(makeFinding("MX_NULL_MX_NONZERO_PREFERENCE", Status::Warn)
                  .arg("preference", static_cast<std::int64_t>(rec.preference)));
    if (e.total_hosts == 0) {
      fillRemediation(r, kTags);
      return r;
    }
  }

  if (e.total_hosts == 0) {
    // NODATA: no MX at all. RFC 5321 §5.1: the domain's own address acts as implicit MX.
    if (e.a.isError() || e.aaaa.isError()) {
      r.add(lookupError(e.a.isError() ? e.a : e.aaaa));
    } else if (hasAddress(e.a) || hasAddress(e.aaaa)) {
      r.add(makeFinding("MX_IMPLICIT", Status::Warn));
    } else {
      r.add(makeFinding("MX_NONE", Status::Pass));
    }
    fillRemediation(r, kTags);
    return r;
  }

  if (e.total_hosts > kMaxMxHosts)
    r.add(makeFinding("MX_TOO_MANY_HOSTS", Status::Info)
              .arg("count", static_cast<std::int64_t>(e.total_hosts))
              .arg("limit", static_cast<std::int64_t>(kMaxMxHosts)));

  bool allUsable = true;
  std::size_t resolving = 0, undecided = 0;
  for (const auto& h : e.hosts) {
    if (h.ip_literal) {
      // A name like "192.0.2.1." is looked up as a name by senders and normally fails.
      r.add(makeFinding("MX_TARGET_IP_LITERAL", Status::Fail).arg("host", h.name));
      allUsable = false;
      continue;
    }
    const bool aErr = h.a.isError(), aaaaErr = h.aaaa.isError();
    if (hasAddress(h.a) || hasAddress(h.aaaa)) {
      ++resolving;
      if (h.viaCname()) {
        const auto& chain = !h.a.cnames.empty() ? h.a.cnames : h.aaaa.cnames;
        r.add(makeFinding("MX_TARGET_CNAME", Status::Warn)
                  .arg("host", h.name)
                  .arg("target", chain.back().data));
      }
      continue;
    }
    allUsable = false;
    if (aErr || aaaaErr) {
      r.add(lookupError(aErr ? h.a : h.aaaa));
      ++undecided;
      continue;
    }
    const auto status = h.a.status == DnsStatus::NxDomain ? "NXDOMAIN" : "no A/AAAA record";
    r.add(makeFinding("MX_HOST_UNRESOLVABLE", Status::Fail).arg("host", h.name).arg("status", status));
  }
  // Rubric 2026-12 (guidance §3.6): no MX host resolves, so every message to the domain bounces
  // (and a host under an unregistered domain can be registered by anyone). Critical. When a
  // lookup failed we cannot tell, and the check is an error.
  if (resolving == 0 && undecided == 0)
    r.add(makeFinding("MX_NO_RESOLVABLE_HOST", Status::Fail))
        .arg("count", static_cast<std::int64_t>(e.hosts.size()));
  if (e.total_hosts == 1 && allUsable)
    r.add(makeFinding("MX_SINGLE_HOST", Status::Warn).arg("host", e.hosts.front().name));
  if (allUsable)
    r.add(makeFinding("MX_OK", Status::Pass).arg("count", static_cast<std::int64_t>(e.hosts.size())));
  fillRemediation(r, kTags);
  return r;
}

std::span<const TagSpec> mxTagSpecs() { return kTags; }

}  // namespace mh::mx
