// HYG-01 evidence gathering (PTR, then forward confirmation) and judgement.
#include "checks/hygiene/reverse_dns_check.hpp"

#include <algorithm>

#include "checks/dns/reverse_name.hpp"

namespace mh::hygiene {

using dns::DnsStatus;

namespace {

constexpr TagSpec kTags[] = {
    {"HYG_PTR_CONFIRMED", "HYG-01", "{address} ({host}) has PTR {ptr}, which resolves back", "", "",
     "{address} ({host}) có PTR {ptr}, tên này phân giải ngược về đúng địa chỉ"},
    {"HYG_PTR_MISSING", "HYG-01", "{address} ({host}) has no PTR record ({status})",
     "Ask the owner of {address} (your hosting or network provider) to publish a PTR record naming "
     "the mail host, e.g. {host}, and make sure that name has an A/AAAA record for {address}.",
     "Đề nghị đơn vị quản lý địa chỉ {address} (nhà cung cấp mạng/máy chủ) tạo bản ghi PTR trỏ tới "
     "tên máy chủ thư, ví dụ {host}, và bảo đảm tên đó có bản ghi A/AAAA trỏ về {address}.",
     "{address} ({host}) không có bản ghi PTR ({status})"},
    {"HYG_PTR_NOT_CONFIRMED", "HYG-01",
     "{address} ({host}) has PTR {ptr}, but {ptr} does not resolve back to {address}",
     "Make the PTR name of {address} resolve back to it: add an A/AAAA record for {ptr} pointing "
     "to {address}, or change the PTR to a name that does.",
     "Làm cho tên PTR của {address} phân giải ngược về đúng địa chỉ đó: thêm bản ghi A/AAAA cho "
     "{ptr} trỏ tới {address}, hoặc đổi PTR sang một tên thỏa mãn điều này.",
     "{address} ({host}) có PTR {ptr}, nhưng {ptr} không phân giải về {address}"},
    {"HYG_LOOKUP_ERROR", "HYG-01", "could not look up {name} {type}: {status}",
     "Make sure the reverse and forward zones answer; the check is retried.",
     "Bảo đảm các vùng DNS thuận và ngược đều trả lời; phép kiểm tra sẽ được thực hiện lại.",
     "Không truy vấn được {name} {type}: {status}"},
    {"HYG_NO_ADDRESSES", "HYG-01", "no MX address to check", "", "",
     "Không có địa chỉ MX nào để kiểm tra"},
    {"HYG_ADDRESSES_SKIPPED", "HYG-01", "{count} more address(es) not checked (limit {limit})", "",
     "", "Còn {count} địa chỉ chưa được kiểm tra (giới hạn {limit})"},
};

Finding lookupError(const dns::DnsAnswer& a) {
  return makeFinding("HYG_LOOKUP_ERROR", Status::Error)
      .arg("name", a.qname)
      .arg("type", dns::typeName(a.qtype))
      .arg("status", std::string(dns::toString(a.status)));
}

// Addresses compare by their reverse name, which is canonical for both families
// ("2001:db8::1" and "2001:0db8:0:0::1" are the same address).
bool sameAddress(const std::string& x, const std::string& y) {
  auto rx = dns::reverseName(x), ry = dns::reverseName(y);
  return rx && ry && *rx == *ry;
}

}  // namespace

ReverseDnsEvidence gatherReverseDns(dns::Resolver& resolver, const mx::MxEvidence& mx) {
  ReverseDnsEvidence e;
  for (const auto& host : mx::mailTargets(mx)) {
    for (const auto& address : host.addresses()) {
      if (e.addresses.size() >= kMaxReverseAddresses) {
        ++e.skipped;
        continue;
      }
      AddressReverse ar;
      ar.host = host.name;
      ar.address = address;
      auto reverse = dns::reverseName(address);
      if (!reverse) continue;  // not an address: nothing the resolver could have returned
      ar.ptr = resolver.query(*reverse, dns::rr::PTR);
      const bool v6 = address.find(':') != std::string::npos;
      for (const auto& rec : ar.ptr.records) {
        if (ar.targets.size() >= 5) break;  // bound the work an odd reverse zone can cause
        ar.targets.push_back({rec.data, resolver.query(rec.data, v6 ? dns::rr::AAAA : dns::rr::A)});
      }
      e.addresses.push_back(std::move(ar));
    }
  }
  return e;
}

// Spec: docs/checks/HYG-01.md
CheckResult judgeHyg01(const ReverseDnsEvidence& e, const DomainProfile& profile) {
  CheckResult r;
  r.id = "HYG-01";
  Json list = Json::array();
  for (const auto& a : e.addresses) {
    Json forward = Json::array();
    for (const auto& t : a.targets) forward.push(toJson(t.forward));
    list.push(Json::object({{"host", a.host},
                            {"address", a.address},
                            {"ptr", toJson(a.ptr)},
                            {"forward", forward}}));
  }
  r.evidence = Json::object({{"addresses", list}});
  if (!profile.receives_mail) {
    r.status = Status::Na;
    return r;
  }
  if (e.addresses.empty()) {
    r.add(makeFinding("HYG_NO_ADDRESSES", Status::Info));
    return r;
  }
  for (const auto& a : e.addresses) {
    if (a.ptr.isError()) {
      r.add(lookupError(a.ptr));
      continue;
    }
    if (!a.ptr.hasRecords()) {
      r.add(makeFinding("HYG_PTR_MISSING", Status::Fail)
                .arg("host", a.host)
                .arg("address", a.address)
                .arg("status", std::string(dns::toString(a.ptr.status))));
      continue;
    }
    const PtrTarget* confirmed = nullptr;
    const PtrTarget* errored = nullptr;
    for (const auto& t : a.targets) {
      if (t.forward.isError()) errored = &t;
      for (const auto& rec : t.forward.records)
        if (sameAddress(rec.data, a.address)) confirmed = &t;
    }
    if (confirmed) {
      r.add(makeFinding("HYG_PTR_CONFIRMED", Status::Pass)
                .arg("host", a.host)
                .arg("address", a.address)
                .arg("ptr", confirmed->name));
    } else if (errored) {
      r.add(lookupError(errored->forward));
    } else {
      r.add(makeFinding("HYG_PTR_NOT_CONFIRMED", Status::Warn)
                .arg("host", a.host)
                .arg("address", a.address)
                .arg("ptr", a.ptr.records.front().data));
    }
  }
  if (e.skipped)
    r.add(makeFinding("HYG_ADDRESSES_SKIPPED", Status::Info)
              .arg("count", static_cast<std::int64_t>(e.skipped))
              .arg("limit", static_cast<std::int64_t>(kMaxReverseAddresses)));
  fillRemediation(r, kTags);
  return r;
}

std::span<const TagSpec> reverseDnsTagSpecs() { return kTags; }

}  // namespace mh::hygiene
